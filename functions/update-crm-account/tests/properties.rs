//! Property tests over `PATCH /accounts/{accountId}`'s body
//! parsing, validation and merge planning, through the crate's public pure
//! functions [`WireBody::parse`], [`Change::validate`] and
//! [`custom::plan`] (custom values checked against a fixed set of field
//! definitions):
//!
//! 1. No panic: arbitrary byte strings (up to 2 KiB, some behind a
//!    JSON-looking prefix, a few over the 64 KiB limit) and arbitrary JSON
//!    values (including objects keyed by the contract's fields, nested ones
//!    keyed by the custom fields defined) go through parse + validate +
//!    `custom::plan` (with and without `allow_new_options`) and come back
//!    `Ok` or `Err`.
//! 2. Every rejection is documented: the error's envelope and its rendered
//!    response ([`ApiError::into_response`]) carry 400 or 413 (the crate's
//!    documented statuses for a body), never a 5xx.
//! 3. Merges follow the contract: a valid `custom` merge (key → value or
//!    `null`) against a stored map gives the model's map (`BTreeMap`:
//!    `null` removes, a value sets, other keys kept), checked through
//!    [`merge::merged`] and through an [`Update`] applied to a stored item
//!    ([`Update::apply_to`]), key by key ([`merge::merge_keys`]) and whole
//!    ([`merge::set_merged`]). The crate's own planners (`store::speculative`
//!    and `store::exact`, which call exactly these) are private.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Body;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use shared::store::{Item, Update, merge};
use std::collections::HashMap;
use testkit::arbitrary::{Sent, config, json_value, key_of, merge, model, sent_json, stored_map};
use testkit::body_properties::{BodyContract, REQUEST_ID};
use testkit::merge_checks::{accepted, accepted_unless_empty, assert_merge_of, assert_write_leaves};
use update_crm_account::{
    change::{Change, custom},
    error::ApiError,
    request::{AccountId, JsonObjectBody, WireBody},
    store::definition::{FieldDef, definition_item},
};

/// The tenant's custom fields, one of each type: key, type name (as
/// stored) and options.
const CUSTOM_FIELDS: [(&str, &str, &[&str]); 6] = [
    ("note", "text", &[]),
    ("size", "number", &[]),
    ("vip", "boolean", &[]),
    ("since", "date", &[]),
    ("region", "dropdown", &["north", "south"]),
    ("tags", "multiselect", &["a", "b"]),
];

/// [`CUSTOM_FIELDS`] as the crate reads them from their stored definitions.
fn defs() -> HashMap<String, FieldDef> {
    CUSTOM_FIELDS
        .iter()
        .map(|&(key, field_type, options)| {
            let options: Vec<String> = options.iter().map(|o| (*o).to_owned()).collect();
            let item = definition_item("t", key, field_type, &options);
            (key.to_owned(), FieldDef::from_item(&item).expect("a definition"))
        })
        .collect()
}

fn account() -> AccountId {
    AccountId::parse(Some("42")).expect("a valid id")
}

/// Parse + validate + plan custom values (`allow_new`: new options allowed).
fn parse_and_plan(body: &Body, allow_new: bool) -> Result<Change, ApiError> {
    let change = WireBody::parse(body).and_then(|wire| Change::validate(wire, account()))?;
    custom::plan(&defs(), &change.custom, allow_new)?;
    Ok(change)
}

/// [`parse_and_plan`] with new options allowed (a refusal must be
/// documented too), then without.
fn either_way(body: &Body) -> Result<Change, ApiError> {
    let _ = parse_and_plan(body, true).map_err(|err| BODY.documented(err));
    parse_and_plan(body, false)
}

/// Parse + validate + plan, both ways ([`either_way`]); a refusal carries
/// its status in its envelope too.
const BODY: BodyContract<Change, ApiError> = BodyContract {
    parse: either_way,
    statuses: |err| {
        (
            Some(err.envelope().status),
            err.into_response(REQUEST_ID).status(),
        )
    },
    prefixes: &[
        "{\"custom\":",
        "{\"custom\":{\"region\":",
        "{\"contacts\":[{",
        "{\"title\":\"",
    ],
    top_fields: &[
        "id",
        "createdAt",
        "updatedAt",
        "title",
        "description",
        "address",
        "isActive",
        "primaryEmail",
        "primaryPhone",
        "number",
        "custom",
        "accountType",
        "contacts",
        "name",
        "role",
    ],
    nested_keys: &[
        "note", "size", "vip", "since", "region", "tags", "name", "email", "phone", "role",
    ],
};

testkit::body_properties!(BODY);

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn custom_shaped_json_never_panics(
        custom in prop::collection::btree_map(
            key_of(BODY.nested_keys),
            json_value(BODY.nested_keys),
            0..6,
        ),
        allow_new in any::<bool>(),
    ) {
        let body = json!({ "custom": custom });
        let _ = parse_and_plan(&Body::from(body.to_string()), allow_new).map_err(|err| BODY.documented(err));
    }
}

fn custom_entry() -> impl Strategy<Value = (String, Sent)> {
    let s = |t: &str| AttributeValue::S(t.to_owned());
    prop_oneof![
        prop::option::of("[ -~]{0,20}".prop_map(move |t| (json!(t), s(&t))))
            .prop_map(|v| ("note".to_owned(), v)),
        prop::option::of(any::<i32>().prop_map(|n| (json!(n), AttributeValue::N(n.to_string()))))
            .prop_map(|v| ("size".to_owned(), v)),
        prop::option::of(any::<bool>().prop_map(|b| (json!(b), AttributeValue::Bool(b))))
            .prop_map(|v| ("vip".to_owned(), v)),
        prop::option::of(
            prop::sample::select(vec!["2024-02-29", "2023-12-31", "1999-01-01"])
                .prop_map(move |d| (json!(d), s(d)))
        )
        .prop_map(|v| ("since".to_owned(), v)),
        prop::option::of(prop::sample::select(vec!["north", "south"]).prop_map(move |d| (json!(d), s(d))))
            .prop_map(|v| ("region".to_owned(), v)),
        prop::option::of(
            prop::sample::select(vec![vec![], vec!["a"], vec!["b", "a"]])
                .prop_map(move |l| (json!(l), AttributeValue::L(l.iter().map(|c| s(c)).collect())))
        )
        .prop_map(|v| ("tags".to_owned(), v)),
    ]
}

const CUSTOM: &str = "custom";

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_custom_merges_follow_the_model(
        sent in merge(custom_entry(), 0..6),
        stored in stored_map(key_of(&["note", "vip", "region"]), 0..5),
        title in prop::option::of("[A-Za-z][A-Za-z ]{0,10}"),
        allow_new in any::<bool>(),
    ) {
        let mut body = Map::new();
        body.insert(CUSTOM.to_owned(), sent_json(&sent));
        if let Some(title) = &title {
            body.insert("title".to_owned(), json!(title));
        }
        let mut item: Item = HashMap::from([
            ("id".to_owned(), AttributeValue::N("42".into())),
            ("title".to_owned(), AttributeValue::S("Old".into())),
            ("version".to_owned(), AttributeValue::N("3".into())),
        ]);
        if let Some(stored) = &stored {
            item.insert(CUSTOM.to_owned(), AttributeValue::M(stored.clone()));
        }

        let result = WireBody::parse(&Body::from(Value::Object(body.clone()).to_string()))
            .and_then(|wire| Change::validate(wire, account()));
        let changes_nothing = sent.is_empty() && title.is_none();
        let nothing_to_update = |e: &ApiError| matches!(e, ApiError::NothingToUpdate);
        let Some(change) = accepted_unless_empty(result, changes_nothing, nothing_to_update, &body)? else {
            return Ok(());
        };
        let plan = accepted(custom::plan(&defs(), &change.custom, allow_new), &sent)?;
        prop_assert!(plan.new_options.is_empty());
        let expected = model(stored.as_ref(), &sent);
        assert_merge_of(&item, CUSTOM, &plan.merge, sent.keys(), &expected)?;

        let mut whole = Update::new();
        merge::set_merged(&mut whole, CUSTOM, merge::merged(&item, CUSTOM, &plan.merge));
        let mut plans = vec![whole];
        // A key-by-key write needs the stored map (its condition says so).
        if stored.is_some() && !plan.merge.is_empty() {
            let mut keyed = Update::new();
            merge::merge_keys(&mut keyed, CUSTOM, &plan.merge, None);
            plans.push(keyed);
        }
        for update in &plans {
            assert_write_leaves(update, &item, CUSTOM, &expected)?;
        }
    }
}
