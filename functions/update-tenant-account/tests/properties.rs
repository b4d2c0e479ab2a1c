//! Property tests over `PATCH /v0/accounts/{account_id}`'s body
//! parsing and validation, through the crate's public pure functions
//! [`WireBody::parse`] and [`Rename::validate`]:
//!
//! 1. No panic: arbitrary byte strings (up to 2 KiB, some behind a
//!    JSON-looking prefix, a few over the 64 KiB limit) and arbitrary JSON
//!    values (including objects keyed by the contract's field names with
//!    values of random types) go through parse + validate and come back
//!    `Ok` or `Err`.
//! 2. Every rejection is documented: the error's envelope and its rendered
//!    response ([`ApiError::into_response`]) carry 400 or 413 (the crate's
//!    documented statuses for a body), never a 5xx.
//! 3. Accepted bodies do exactly what the contract says. This contract has
//!    no merged map (its body is exactly `{"name": string}`), so the model
//!    is the name rule: `{"name": s}` is accepted iff `s` has 1-255
//!    characters, is not blank and has no control character, and then the
//!    [`Rename`] carries `s` unchanged; any other field, or `name` absent,
//!    `null` or not a string, is a 400. (The crate's write planner,
//!    `store::rename_update`, is private: the rename is checked up to
//!    [`Rename`], the public end of the pure path.)

use lambda_http::{Body, http::StatusCode};
use proptest::prelude::*;
use serde_json::{Value, json};
use testkit::arbitrary::{config, field_object, json_value};
use testkit::body_properties::{BodyContract, REQUEST_ID};
use update_tenant_account::{
    change::{MAX_ACCOUNT_NAME_CHARS, Rename},
    error::ApiError,
    request::{JsonObjectBody, WireBody},
};

/// Parse + validate; a refusal carries its status in its envelope too.
const BODY: BodyContract<Rename, ApiError> = BodyContract {
    parse: |body| WireBody::parse(body).and_then(Rename::validate),
    statuses: |err| {
        (
            Some(err.envelope().status),
            err.into_response(REQUEST_ID).status(),
        )
    },
    prefixes: &["{\"name\":", "{\"name\":\""],
    top_fields: &[
        "name",
        "id",
        "createdAt",
        "updatedAt",
        "linkedProspects",
        "metadata",
    ],
    nested_keys: &["name", "id"],
};

testkit::body_properties!(BODY);

/// The contract's name rule, written independently of the crate.
fn model_accepts(name: &str) -> bool {
    let chars = name.chars().count();
    (1..=255).contains(&chars) && !name.chars().any(char::is_control) && !name.trim().is_empty()
}

/// Names around the rule's edges: short, near 255 characters, blank,
/// with control characters, multi-byte.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "[ \t\n\u{a0}\u{2003}]{0,4}",
        "[a-z\u{0}-\u{1f}\u{7f}\u{85} ]{0,8}",
        (250usize..260, prop::sample::select(vec!["a", "é", "🦀", " "])).prop_map(|(n, c)| c.repeat(n)),
        (0usize..4, "[a-z]{1,3}").prop_map(|(pad, s)| format!("{}{s}{}", " ".repeat(pad), " ".repeat(pad))),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn contract_shaped_json_is_accepted_exactly_when_only_a_valid_name(value in field_object(BODY.top_fields, BODY.nested_keys)) {
        let text = value.to_string();
        let only_a_string_name = value.as_object().is_some_and(|o| {
            o.len() == 1 && o.get("name").and_then(Value::as_str).is_some_and(model_accepts)
        });
        let result = BODY.check(&Body::from(text.clone()));
        prop_assert_eq!(result.is_ok(), only_a_string_name, "{}", text);
    }

    #[test]
    fn names_are_accepted_exactly_by_the_rule(name in name()) {
        let body = json!({ "name": name });
        match BODY.check(&Body::from(body.to_string())) {
            Ok(rename) => {
                prop_assert!(model_accepts(&name), "accepted {:?}", name);
                prop_assert_eq!(rename.name.as_str(), name.as_str());
            }
            Err(status) => {
                prop_assert!(!model_accepts(&name), "refused {:?}", name);
                prop_assert_eq!(status, StatusCode::BAD_REQUEST);
            }
        }
        prop_assert!(name.chars().count() <= MAX_ACCOUNT_NAME_CHARS || !model_accepts(&name));
    }

    #[test]
    fn anything_beside_name_is_refused(name in name(), other in prop::sample::select(BODY.top_fields[1..].to_vec()), value in json_value(BODY.nested_keys)) {
        let body = json!({ "name": name, other: value });
        prop_assert_eq!(BODY.check(&Body::from(body.to_string())).err(), Some(StatusCode::BAD_REQUEST));
    }
}
