//! The body properties every endpoint's parsing and validation holds,
//! written once: no input panics, every refusal is a documented 4xx
//! (checked through the endpoint's [`BodyContract`]), and a body over the
//! size limit is 413. [`body_properties!`](crate::body_properties) expands
//! to the named proptests in a crate's `tests/properties.rs`.

use crate::arbitrary::assert_documented_status;
use lambda_http::{Body, http::StatusCode};
use serde_json::Value;

/// The request id a refusal is rendered with in property tests.
pub const REQUEST_ID: &str = "req-properties";

/// The starts of a body every contract's bytes are drawn behind: none, an
/// object, a key, an array, a byte-order mark.
pub const JSON_STARTS: [&str; 5] = ["", "{", "{\"", "[", "\u{feff}{"];

/// An endpoint's body contract as its property tests drive it: the crate's
/// own parse + validate path, how its refusals render, and the names its
/// bodies are built from.
pub struct BodyContract<T, E> {
    /// Parses and validates a body with the crate's public functions.
    pub parse: fn(&Body) -> Result<T, E>,
    /// A refusal's statuses: its envelope's, where the crate exposes the
    /// envelope, and its response's, rendered with [`REQUEST_ID`].
    pub statuses: fn(E) -> (Option<StatusCode>, StatusCode),
    /// JSON-looking starts of a body particular to the contract (such as
    /// a field's key), drawn besides [`JSON_STARTS`].
    pub prefixes: &'static [&'static str],
    /// The contract's top-level field names (not empty).
    pub top_fields: &'static [&'static str],
    /// The contract's nested field names (not empty).
    pub nested_keys: &'static [&'static str],
}

impl<T, E> BodyContract<T, E> {
    /// [`JSON_STARTS`], then the contract's own prefixes.
    pub fn all_prefixes(&self) -> Vec<&'static str> {
        JSON_STARTS.iter().chain(self.prefixes).copied().collect()
    }

    /// `body` parsed and validated; a refusal gives its status, after
    /// asserting that it is documented ([`BodyContract::documented`]).
    pub fn check(&self, body: &Body) -> Result<T, StatusCode> {
        (self.parse)(body).map_err(|err| self.documented(err))
    }

    /// The status of the refusal `err`; asserts that it is documented: 400
    /// or 413, the same in the envelope and the rendered response
    /// ([`assert_documented_status`]).
    pub fn documented(&self, err: E) -> StatusCode {
        let (envelope, rendered) = (self.statuses)(err);
        assert_documented_status(envelope, rendered)
    }

    /// Checks `bytes` as a body.
    pub fn check_bytes(&self, bytes: Vec<u8>) {
        let _ = self.check(&Body::from(bytes));
    }

    /// Checks `value` as a JSON body; `as_text_too`: also as the text body
    /// API Gateway may hand over.
    pub fn check_json(&self, value: &Value, as_text_too: bool) {
        let text = value.to_string();
        let _ = self.check(&Body::from(text.clone()));
        if as_text_too {
            let _ = self.check(&Body::Text(text));
        }
    }

    /// The status of a body of `fill` bytes, `extra` over the size limit.
    pub fn oversized_status(&self, extra: usize, fill: u8) -> Option<StatusCode> {
        self.check(&Body::from(vec![fill; shared::http::MAX_BODY_BYTES + extra]))
            .err()
    }
}

/// Expands to the proptests `arbitrary_bytes_never_panic` (raw bytes behind
/// [`BodyContract::all_prefixes`]), `arbitrary_json_never_panics` (any JSON, nested
/// objects keyed by its nested keys), `contract_shaped_json_never_panics`
/// (objects keyed mostly by its top fields, as bytes and as text), 256
/// cases each, and `oversized_bodies_are_413` (8 cases), all through
/// `contract` (a [`BodyContract`] constant). The crate needs `proptest`
/// among its dev-dependencies.
#[macro_export]
macro_rules! body_properties {
    ($contract:expr $(,)?) => {
        ::proptest::proptest! {
            #![proptest_config($crate::arbitrary::config(256))]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in $crate::arbitrary::body_bytes(&$contract.all_prefixes())) {
                $contract.check_bytes(bytes);
            }

            #[test]
            fn arbitrary_json_never_panics(value in $crate::arbitrary::json_value($contract.nested_keys)) {
                $contract.check_json(&value, false);
            }

            #[test]
            fn contract_shaped_json_never_panics(
                value in $crate::arbitrary::field_object($contract.top_fields, $contract.nested_keys),
            ) {
                $contract.check_json(&value, true);
            }
        }

        ::proptest::proptest! {
            #![proptest_config($crate::arbitrary::config(8))]

            #[test]
            fn oversized_bodies_are_413(extra in 1usize..64, fill in ::proptest::prelude::any::<u8>()) {
                ::proptest::prop_assert_eq!(
                    $contract.oversized_status(extra, fill),
                    Some(::lambda_http::http::StatusCode::PAYLOAD_TOO_LARGE)
                );
            }
        }
    };
}
