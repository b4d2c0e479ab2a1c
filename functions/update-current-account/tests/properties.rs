//! Property tests over `PATCH /v1/account`'s body parsing,
//! validation and merge planning, through the crate's public pure
//! functions: the body parsed as `request::body` does
//! ([`shared::http::parse_json_object`] into [`PatchBody`], without the
//! `Content-Type` check that needs a whole request), [`Change::validate`],
//! [`change::confirmation_code`] for the confirmation body, and
//! [`store::versioned_update`], the crate's planned account update:
//!
//! 1. No panic: arbitrary byte strings (up to 2 KiB, some behind a
//!    JSON-looking prefix, a few over the 64 KiB limit) and arbitrary JSON
//!    values (including objects keyed by the contract's fields, nested ones
//!    keyed by settings keys) go through parse + validate (and parse +
//!    `confirmation_code`) and come back `Ok` or `Err`.
//! 2. Every rejection is documented: the rendered error
//!    ([`ApiError::into_response`]) is 400 or 413 (the crate's documented
//!    statuses for a body), never a 5xx.
//! 3. Merges follow the contract: a valid `settings` merge (key → value or
//!    `null`) against a stored map gives the model's map (`BTreeMap`:
//!    `null` removes, a value sets, other keys kept), checked through
//!    [`merge::merged`], through [`store::versioned_update`] applied to a
//!    stored item ([`Update::apply_to`]: `name` set when sent, `version`
//!    bumped, every other attribute kept), and through the key-by-key plan
//!    ([`merge::merge_keys`]; the crate's own `store::speculative` that
//!    calls it is private).

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Body;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use shared::{
    clock::Timestamp,
    http::{MAX_BODY_BYTES, parse_json_object},
    store::{Item, Update, merge},
};
use std::collections::HashMap;
use testkit::arbitrary::{Sent, as_btree, config, key_of, merge_of, model, sent_json, stored_map};
use testkit::body_properties::{BodyContract, REQUEST_ID};
use testkit::merge_checks::{accepted_unless_empty, assert_merge_of};
use update_current_account::{
    change::{self, Change},
    error::ApiError,
    request::{ConfirmBody, PatchBody},
    store::{self, attrs},
};

/// The PATCH body parsed as `request::body` does, then validated.
fn parse_patch(body: &Body) -> Result<Change, ApiError> {
    parse_json_object::<PatchBody>(body, MAX_BODY_BYTES)
        .map_err(ApiError::from)
        .and_then(Change::validate)
}

/// The body read as a confirmation too (a refusal must be documented),
/// then as a PATCH ([`parse_patch`]).
fn parse_both(body: &Body) -> Result<Change, ApiError> {
    let _ = parse_json_object::<ConfirmBody>(body, MAX_BODY_BYTES)
        .map_err(ApiError::from)
        .and_then(change::confirmation_code)
        .map_err(|err| BODY.documented(err));
    parse_patch(body)
}

/// Both bodies ([`parse_both`]); the crate exposes no envelope, only the
/// rendered response.
const BODY: BodyContract<Change, ApiError> = BodyContract {
    parse: parse_both,
    statuses: |err| (None, err.into_response(REQUEST_ID, "PATCH").status()),
    prefixes: &["{\"settings\":", "{\"settings\":{\"timezone\":", "{\"name\":\""],
    top_fields: &["name", "email", "settings", "code"],
    nested_keys: &["currency", "timezone", "language", "theme"],
};

testkit::body_properties!(BODY);

fn setting_entry() -> impl Strategy<Value = (String, Sent)> {
    let text = |values: Vec<&'static str>| {
        prop::option::of(prop::sample::select(values).prop_map(|t| (json!(t), AttributeValue::S(t.into()))))
    };
    prop_oneof![
        text(vec!["EUR", "USD", "JPY", "BRL"]).prop_map(|v| ("currency".to_owned(), v)),
        text(vec!["UTC", "Europe/Berlin", "America/New_York", "Etc/GMT+5"])
            .prop_map(|v| ("timezone".to_owned(), v)),
        text(vec!["en", "pt-BR", "de"]).prop_map(|v| ("language".to_owned(), v)),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_settings_merges_follow_the_model(
        sent in merge_of(0.8, setting_entry(), 0..5),
        stored in stored_map(key_of(&BODY.nested_keys[..3]), 0..5),
        name in prop::option::of("[A-Za-z][A-Za-z ]{0,10}"),
    ) {
        let mut body = Map::new();
        if let Some(sent) = &sent {
            body.insert("settings".to_owned(), sent_json(sent));
        }
        if let Some(name) = &name {
            body.insert("name".to_owned(), json!(name));
        }
        let mut item: Item = HashMap::from([
            (attrs::ID.to_owned(), AttributeValue::S("acc_1".into())),
            (attrs::NAME.to_owned(), AttributeValue::S("Old".into())),
            (attrs::EMAIL.to_owned(), AttributeValue::S("a@example.com".into())),
            (attrs::VERSION.to_owned(), AttributeValue::N("3".into())),
        ]);
        if let Some(stored) = &stored {
            item.insert(attrs::SETTINGS.to_owned(), AttributeValue::M(stored.clone()));
        }

        let result = parse_patch(&Body::from(Value::Object(body.clone()).to_string()));
        let nothing_sent = |e: &ApiError| matches!(e, ApiError::Invalid { field, .. } if *field == "body");
        let Some(change) = accepted_unless_empty(result, body.is_empty(), nothing_sent, &body)? else {
            return Ok(());
        };
        let sent = sent.unwrap_or_default();
        let expected = model(stored.as_ref(), &sent);
        assert_merge_of(&item, attrs::SETTINGS, &change.settings, sent.keys(), &expected)?;

        let mut keyed = Update::new();
        merge::merge_keys(&mut keyed, attrs::SETTINGS, &change.settings, None);
        let mut plans = vec![store::versioned_update(Some(&change), &item, Timestamp::now())];
        // A key-by-key write needs the stored map (its condition says so).
        if stored.is_some() {
            plans.push(keyed);
        }
        for (i, plan) in plans.iter().enumerate() {
            let after = plan.apply_to(&item);
            if sent.is_empty() {
                prop_assert_eq!(after.get(attrs::SETTINGS), item.get(attrs::SETTINGS));
            } else {
                let Some(AttributeValue::M(map)) = after.get(attrs::SETTINGS) else {
                    return Err(TestCaseError::fail("settings is not a map after the write"));
                };
                prop_assert_eq!(as_btree(map.clone()), expected.clone());
            }
            if i == 0 {
                let want_name = name.clone().unwrap_or_else(|| "Old".to_owned());
                prop_assert_eq!(after.get(attrs::NAME), Some(&AttributeValue::S(want_name)));
                prop_assert_eq!(after.get(attrs::VERSION), Some(&AttributeValue::N("4".into())));
                prop_assert!(after.contains_key(attrs::UPDATED_AT));
                for attr in [attrs::ID, attrs::EMAIL] {
                    prop_assert_eq!(after.get(attr), item.get(attr));
                }
            }
        }
    }
}
