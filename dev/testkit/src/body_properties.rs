//! The body properties every endpoint's parsing and validation holds,
//! written once: no input panics, every refusal is a documented 4xx
//! (through the crate's own `check`, which asserts it), and a body over the
//! size limit is 413. [`body_properties!`](crate::body_properties) expands
//! to the named proptests in a crate's `tests/properties.rs`.

use lambda_http::{Body, http::StatusCode};
use serde_json::Value;

/// What an endpoint's property tests check a body with: parse and validate
/// it, asserting that a refusal is documented; the refusal's status.
pub type Check<T> = fn(&Body) -> Result<T, StatusCode>;

/// Checks `bytes` as a body.
pub fn check_bytes<T>(check: Check<T>, bytes: Vec<u8>) {
    let _ = check(&Body::from(bytes));
}

/// Checks `value` as a JSON body; `as_text_too`: also as the text body
/// API Gateway may hand over.
pub fn check_json<T>(check: Check<T>, value: &Value, as_text_too: bool) {
    let text = value.to_string();
    let _ = check(&Body::from(text.clone()));
    if as_text_too {
        let _ = check(&Body::Text(text));
    }
}

/// The status of a body of `fill` bytes, `extra` over the size limit.
pub fn oversized_status<T>(check: Check<T>, extra: usize, fill: u8) -> Option<StatusCode> {
    check(&Body::from(vec![fill; shared::http::MAX_BODY_BYTES + extra])).err()
}

/// Expands to the proptests `arbitrary_bytes_never_panic` (raw bytes behind
/// `prefixes`), `arbitrary_json_never_panics` (any JSON, nested objects
/// keyed by `nested_keys`), `contract_shaped_json_never_panics` (objects
/// keyed mostly by `top_fields`, as bytes and as text), 256 cases each, and
/// `oversized_bodies_are_413` (8 cases), all through `check` (a
/// [`Check`]). The crate needs `proptest` among its dev-dependencies.
#[macro_export]
macro_rules! body_properties {
    (check = $check:expr, prefixes = $prefixes:expr, top_fields = $top:expr, nested_keys = $nested:expr $(,)?) => {
        ::proptest::proptest! {
            #![proptest_config($crate::arbitrary::config(256))]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in $crate::arbitrary::body_bytes($prefixes)) {
                $crate::body_properties::check_bytes($check, bytes);
            }

            #[test]
            fn arbitrary_json_never_panics(value in $crate::arbitrary::json_value($nested)) {
                $crate::body_properties::check_json($check, &value, false);
            }

            #[test]
            fn contract_shaped_json_never_panics(value in $crate::arbitrary::field_object($top, $nested)) {
                $crate::body_properties::check_json($check, &value, true);
            }
        }

        ::proptest::proptest! {
            #![proptest_config($crate::arbitrary::config(8))]

            #[test]
            fn oversized_bodies_are_413(extra in 1usize..64, fill in ::proptest::prelude::any::<u8>()) {
                ::proptest::prop_assert_eq!(
                    $crate::body_properties::oversized_status($check, extra, fill),
                    Some(::lambda_http::http::StatusCode::PAYLOAD_TOO_LARGE)
                );
            }
        }
    };
}
