//! Property tests over `PATCH /v2/accounts/{accountId}`'s body
//! parsing, validation and merge planning, through the crate's public pure
//! functions [`WireBody::parse`] and [`Change::validate`]:
//!
//! 1. No panic: arbitrary byte strings (up to 2 KiB, some behind a
//!    JSON-looking prefix, a few over the 64 KiB limit) and arbitrary JSON
//!    values (including objects keyed by the contract's field names, nested
//!    ones keyed by address, settings and metadata keys) go through parse +
//!    validate and come back `Ok` or `Err`.
//! 2. Every rejection is documented: the error's envelope and its rendered
//!    response ([`ApiError::into_response`]) carry 400 or 413 (the crate's
//!    documented statuses for a body), never a 5xx.
//! 3. Merges follow the contract: for `address`, `settings` and `metadata`,
//!    a valid merge (key → value or `null`) against a stored map gives the
//!    model's map (`BTreeMap`: `null` removes, a value sets, other keys are
//!    kept), checked through [`merge::merged`] and through an [`Update`]
//!    applied to a stored item ([`Update::apply_to`]), both key by key
//!    ([`merge::merge_keys`]) and whole ([`merge::set_merged`]); every other
//!    attribute of the item is left as it was.
//!
//! The crate's own write planners (`store::speculative` / `store::exact`)
//! are private: property 3 drives the shared merge functions they call with
//! the merges [`Change::validate`] produced, as attributes
//! ([`StoredChange::of`]), which is the public path.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Body;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use shared::store::{Item, Update, merge};
use std::collections::{BTreeMap, HashMap};
use testkit::arbitrary::{
    Sent, as_btree, concat, config, key_of, merge_of, model, scalar_entry, sent_json, stored_map,
};
use testkit::body_properties::{BodyContract, REQUEST_ID};
use testkit::merge_checks::{accepted_unless_empty, assert_merge_of};
use update_account_v2::{
    change::{ADDRESS_FIELDS, Change, SETTINGS},
    error::ApiError,
    request::{JsonObjectBody, WireBody, sent::UPDATABLE_FIELDS},
    store::StoredChange,
};

/// The fields a body may hold, then stored fields a body must not send.
const TOP_FIELDS: [&str; 11] = concat(UPDATABLE_FIELDS, ["id", "name", "plan", "createdAt"]);
/// The keys of the address and of the settings, then a metadata key.
const NESTED_KEYS: [&str; 12] = concat(concat::<5, 6, 11>(ADDRESS_FIELDS, SETTINGS), ["k"]);

/// Parse + validate; a refusal carries its status in its envelope too.
const BODY: BodyContract<Change, ApiError> = BodyContract {
    parse: |body| WireBody::parse(body).and_then(Change::validate),
    statuses: |err| {
        (
            Some(err.envelope().status),
            err.into_response(REQUEST_ID).status(),
        )
    },
    prefixes: &[
        "{\"metadata\":",
        "{\"settings\":{\"timezone\":",
        "{\"address\":{",
        "{\"displayName\":\"",
    ],
    top_fields: &TOP_FIELDS,
    nested_keys: &NESTED_KEYS,
};

testkit::body_properties!(BODY);

fn address_entry() -> impl Strategy<Value = (String, Sent)> {
    let text = "[A-Za-z][A-Za-z0-9 ]{0,20}".prop_map(|s| (Value::String(s.clone()), AttributeValue::S(s)));
    let country = prop::sample::select(vec!["US", "GB", "DE", "BR", "JP"])
        .prop_map(|c| (json!(c), AttributeValue::S(c.into())));
    prop_oneof![
        (
            prop::sample::select(vec!["street", "city", "state", "postalCode"]),
            prop::option::of(text)
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        prop::option::of(country).prop_map(|v| ("country".to_owned(), v)),
    ]
}

fn setting_entry() -> impl Strategy<Value = (String, Sent)> {
    let flag = any::<bool>().prop_map(|b| (json!(b), AttributeValue::Bool(b)));
    prop_oneof![
        prop::option::of(
            prop::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York"])
                .prop_map(|t| (json!(t), AttributeValue::S(t.into())))
        )
        .prop_map(|v| ("timezone".to_owned(), v)),
        prop::option::of(
            prop::sample::select(vec!["en", "pt-BR", "de"])
                .prop_map(|t| (json!(t), AttributeValue::S(t.into())))
        )
        .prop_map(|v| ("language".to_owned(), v)),
        prop::option::of((1i64..=365).prop_map(|d| (json!(d), AttributeValue::N(d.to_string()))))
            .prop_map(|v| ("recordingRetention".to_owned(), v)),
        (
            prop::sample::select(vec!["enableVoiceMail", "enableRecording", "smsEnabled"]),
            prop::option::of(flag)
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
    ]
}

const MAPS: [&str; 3] = ["address", "settings", "metadata"];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_merges_follow_the_model(
        sent in (merge_of(0.7, address_entry(), 0..6), merge_of(0.7, setting_entry(), 0..6), merge_of(0.7, scalar_entry("[a-e]{1,2}"), 0..6)),
        stored in (
            stored_map(key_of(&["street", "city", "country"]), 0..6),
            stored_map(key_of(&["timezone", "smsEnabled", "recordingRetention"]), 0..6),
            stored_map(key_of(&["a", "b", "ab"]), 0..6),
        ),
        display_name in prop::option::of("[A-Za-z]{1,10}"),
    ) {
        let sent = [sent.0, sent.1, sent.2];
        let stored = [stored.0, stored.1, stored.2];
        let mut body = Map::new();
        for (attr, merge) in MAPS.iter().zip(&sent) {
            if let Some(merge) = merge {
                body.insert((*attr).to_owned(), sent_json(merge));
            }
        }
        if let Some(name) = &display_name {
            body.insert("displayName".to_owned(), json!(name));
        }
        let mut item: Item = HashMap::from([
            ("id".to_owned(), AttributeValue::S("acc_1".into())),
            ("version".to_owned(), AttributeValue::N("3".into())),
        ]);
        for (attr, map) in MAPS.iter().zip(&stored) {
            if let Some(map) = map {
                item.insert((*attr).to_owned(), AttributeValue::M(map.clone()));
            }
        }

        let result = (BODY.parse)(&Body::from(Value::Object(body.clone()).to_string()));
        let changes_nothing = display_name.is_none() && sent.iter().all(|m| m.as_ref().is_none_or(BTreeMap::is_empty));
        let nothing_sent = |e: &ApiError| matches!(e, ApiError::Invalid { field, .. } if *field == "body");
        let Some(change) = accepted_unless_empty(result, changes_nothing, nothing_sent, &body)? else {
            return Ok(());
        };
        let attrs = StoredChange::of(&change).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let merges = [&attrs.address, &attrs.settings, &attrs.metadata];

        let mut keyed = Update::new();
        let mut whole = Update::new();
        let mut keyed_applies = true;
        for (((attr, merge), sent), stored) in MAPS.iter().zip(merges).zip(&sent).zip(&stored) {
            let sent = sent.clone().unwrap_or_default();
            let expected = model(stored.as_ref(), &sent);
            // Each key in at most one list, and exactly the keys sent.
            assert_merge_of(&item, attr, merge, sent.keys(), &expected)?;
            if !merge.is_empty() {
                merge::merge_keys(&mut keyed, attr, merge, None);
                merge::set_merged(&mut whole, attr, merge::merged(&item, attr, merge));
                // A key-by-key write needs the stored map (its condition says so).
                keyed_applies &= stored.is_some();
            }
        }
        let mut plans = vec![whole];
        if keyed_applies {
            plans.push(keyed);
        }
        for plan in plans {
            let after = plan.apply_to(&item);
            for ((attr, sent), stored) in MAPS.iter().zip(&sent).zip(&stored) {
                match sent {
                    Some(sent) if !sent.is_empty() => {
                        let Some(AttributeValue::M(map)) = after.get(*attr) else {
                            return Err(TestCaseError::fail(format!("{attr} is not a map after the write")));
                        };
                        prop_assert_eq!(as_btree(map.clone()), model(stored.as_ref(), sent), "{} after", attr);
                    }
                    _ => prop_assert_eq!(after.get(*attr), item.get(*attr), "{} untouched", attr),
                }
            }
            for (name, value) in &item {
                if !MAPS.contains(&name.as_str()) {
                    prop_assert_eq!(after.get(name), Some(value), "{} kept", name);
                }
            }
        }
    }
}
