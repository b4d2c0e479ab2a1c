//! Property tests over `PATCH /accounts/{accountId}/metadata`'s
//! body parsing, validation and merge planning, through the crate's public
//! pure functions [`WireBody::parse`] and [`Change::validate`] (with
//! [`change::metadata_merge`] inside):
//!
//! 1. No panic: arbitrary byte strings (up to 2 KiB, some behind a
//!    JSON-looking prefix, a few over the 64 KiB limit) and arbitrary JSON
//!    values (including objects keyed by the contract's fields, and
//!    `metadata` objects with random keys and values) go through parse +
//!    validate and come back `Ok` or `Err`.
//! 2. Every rejection is documented: the error's envelope and its rendered
//!    response ([`ApiError::into_response`]) carry 400 or 413 (contract 000
//!    and the crate docs: 413 for a body over 64 KiB, a value over 500
//!    bytes or more than 50 keys), never a 5xx; more than 50 keys set at
//!    once is always 413.
//! 3. Merges follow the contract: a valid `metadata` merge (key → value or
//!    `null`) against a stored map gives the model's map (`BTreeMap`:
//!    `null` removes, a value sets, other keys kept), checked through
//!    [`merge::merged`] and through an [`Update`] applied to a stored item
//!    ([`Update::apply_to`]), key by key ([`merge::merge_keys`], with the
//!    50-key bound) and whole ([`merge::set_merged`]). The crate's own
//!    planners (`store::one_call_update` and `store::exact_update`, which
//!    call exactly these) are private.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, http::StatusCode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use shared::store::{Item, Update, merge};
use std::collections::HashMap;
use testkit::arbitrary::{config, json_value, merge, model, scalar_entry, sent_json, stored_map};
use testkit::body_properties::{BodyContract, REQUEST_ID};
use testkit::merge_checks::{accepted, assert_merge_of, assert_write_leaves};
use update_account_metadata::{
    change::{self, Change, MAX_METADATA_KEYS},
    error::ApiError,
    request::{JsonObjectBody, WireBody},
};

/// Parse + validate; a refusal carries its status in its envelope too.
const BODY: BodyContract<Change, ApiError> = BodyContract {
    parse: |body| WireBody::parse(body).and_then(Change::validate),
    statuses: |err| {
        (
            Some(err.envelope().status),
            err.into_response(REQUEST_ID).status(),
        )
    },
    prefixes: &["{\"metadata\":", "{\"metadata\":{\"a\":", "{\"domain\":\""],
    top_fields: &["name", "domain", "metadata", "id"],
    nested_keys: &["a", "b", "plan", ""],
};

testkit::body_properties!(BODY);

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn metadata_shaped_json_never_panics(
        metadata in prop::collection::btree_map("\\PC{0,42}", json_value(BODY.nested_keys), 0..8),
    ) {
        let body = json!({ "metadata": metadata });
        let _ = BODY.check(&Body::from(body.to_string()));
    }
}

proptest! {
    #![proptest_config(config(8))]

    #[test]
    fn too_many_keys_set_at_once_are_413(extra in 1usize..20, nulls in 0usize..10) {
        let mut metadata: Map<String, Value> =
            (0..MAX_METADATA_KEYS + extra).map(|i| (format!("k{i}"), json!(i))).collect();
        metadata.extend((0..nulls).map(|i| (format!("gone{i}"), Value::Null)));
        let body = json!({ "metadata": metadata });
        prop_assert_eq!(BODY.check(&Body::from(body.to_string())).err(), Some(StatusCode::PAYLOAD_TOO_LARGE));
    }
}

const METADATA: &str = "metadata";

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_metadata_merges_follow_the_model(
        sent in merge(scalar_entry("[a-e]{1,2}"), 0..8),
        stored in stored_map("[a-e]{1,2}", 0..8),
        name in prop::option::of("[A-Za-z][A-Za-z ]{0,10}"),
    ) {
        let body = match &name {
            Some(name) => json!({ METADATA: sent_json(&sent), "name": name }),
            None => json!({ METADATA: sent_json(&sent) }),
        };
        let mut item: Item = HashMap::from([
            ("id".to_owned(), AttributeValue::S("acc_1".into())),
            ("name".to_owned(), AttributeValue::S("Old".into())),
            ("version".to_owned(), AttributeValue::N("3".into())),
        ]);
        if let Some(stored) = &stored {
            item.insert(METADATA.to_owned(), AttributeValue::M(stored.clone()));
        }

        let change = accepted((BODY.parse)(&Body::from(body.to_string())), &body)?;
        prop_assert!(change.touches_metadata);
        // The same merge from the public per-object function.
        let direct = change::metadata_merge(sent_json(&sent).as_object().cloned().unwrap_or_default());
        prop_assert_eq!(direct.ok(), Some(change.metadata.clone()));
        let expected = model(stored.as_ref(), &sent);
        assert_merge_of(&item, METADATA, &change.metadata, sent.keys(), &expected)?;

        let mut whole = Update::new();
        merge::set_merged(&mut whole, METADATA, merge::merged(&item, METADATA, &change.metadata));
        let mut plans = vec![whole];
        // A key-by-key write needs the stored map (its condition says so).
        if stored.is_some() {
            let mut keyed = Update::new();
            merge::merge_keys(&mut keyed, METADATA, &change.metadata, Some(MAX_METADATA_KEYS));
            plans.push(keyed);
        }
        for update in &plans {
            assert_write_leaves(update, &item, METADATA, &expected)?;
        }
    }
}
