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
use lambda_http::{Body, http::StatusCode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use shared::store::{Item, Update, merge};
use std::collections::HashMap;
use testkit::arbitrary::{
    Sent, as_btree, assert_documented_status, config, json_value, key_of, merge, model, sent_json, stored_map,
};
use update_crm_account::{
    change::{Change, custom},
    error::ApiError,
    request::{AccountId, WireBody},
    store::definition::{FieldDef, FieldType},
};

const TOP_FIELDS: [&str; 15] = [
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
];
const NESTED_KEYS: [&str; 10] = [
    "note", "size", "vip", "since", "region", "tags", "name", "email", "phone", "role",
];
const PREFIXES: [&str; 9] = [
    "",
    "{",
    "{\"",
    "{\"custom\":",
    "{\"custom\":{\"region\":",
    "{\"contacts\":[{",
    "{\"title\":\"",
    "[",
    "\u{feff}{",
];

/// The tenant's custom fields, one of each type.
fn defs() -> HashMap<String, FieldDef> {
    let def = |key: &str, t: FieldType, options: &[&str]| {
        (
            key.to_owned(),
            FieldDef::new(key, t, options.iter().map(|o| (*o).to_owned()).collect()),
        )
    };
    HashMap::from([
        def("note", FieldType::Text, &[]),
        def("size", FieldType::Number, &[]),
        def("vip", FieldType::Boolean, &[]),
        def("since", FieldType::Date, &[]),
        def("region", FieldType::Dropdown, &["north", "south"]),
        def("tags", FieldType::Multiselect, &["a", "b"]),
    ])
}

fn account() -> AccountId {
    AccountId::parse(Some("42")).expect("a valid id")
}

/// Parse + validate + plan custom values; errors must be documented 4xx.
fn check_no_panic_and_4xx(body: &Body, allow_new: bool) -> Result<Change, StatusCode> {
    let change = WireBody::parse(body)
        .and_then(|wire| Change::validate(wire, account()))
        .map_err(assert_documented)?;
    custom::plan(&defs(), &change.custom, allow_new).map_err(assert_documented)?;
    Ok(change)
}

/// [`check_no_panic_and_4xx`] with new options allowed, then without.
fn check_either_way(body: &Body) -> Result<Change, StatusCode> {
    let _ = check_no_panic_and_4xx(body, true);
    check_no_panic_and_4xx(body, false)
}

fn assert_documented(err: ApiError) -> StatusCode {
    let status = err.envelope().status;
    assert_documented_status(Some(status), err.into_response("req-properties").status())
}

testkit::body_properties!(
    check = check_either_way,
    prefixes = &PREFIXES,
    top_fields = &TOP_FIELDS,
    nested_keys = &NESTED_KEYS,
);

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn custom_shaped_json_never_panics(
        custom in prop::collection::btree_map(
            prop::sample::select(NESTED_KEYS.to_vec()).prop_map(str::to_owned),
            json_value(&NESTED_KEYS),
            0..6,
        ),
        allow_new in any::<bool>(),
    ) {
        let body = json!({ "custom": custom });
        let _ = check_no_panic_and_4xx(&Body::from(body.to_string()), allow_new);
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
        if sent.is_empty() && title.is_none() {
            prop_assert!(matches!(result, Err(ApiError::NothingToUpdate)), "expected nothing to update, got {:?}", result);
            return Ok(());
        }
        let change = match result {
            Ok(change) => change,
            Err(e) => return Err(TestCaseError::fail(format!("valid body {body:?} refused: {e:?}"))),
        };
        let plan = match custom::plan(&defs(), &change.custom, allow_new) {
            Ok(plan) => plan,
            Err(e) => return Err(TestCaseError::fail(format!("valid custom {sent:?} refused: {e:?}"))),
        };
        prop_assert!(plan.new_options.is_empty());
        let expected = model(stored.as_ref(), &sent);
        let mut keys: Vec<&str> = plan.merge.keys().collect();
        keys.sort_unstable();
        prop_assert_eq!(keys, sent.keys().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(as_btree(merge::merged(&item, CUSTOM, &plan.merge)), expected.clone());

        let mut whole = Update::new();
        merge::set_merged(&mut whole, CUSTOM, merge::merged(&item, CUSTOM, &plan.merge));
        let mut plans = vec![whole];
        // A key-by-key write needs the stored map (its condition says so).
        if stored.is_some() && !plan.merge.is_empty() {
            let mut keyed = Update::new();
            merge::merge_keys(&mut keyed, CUSTOM, &plan.merge, None);
            plans.push(keyed);
        }
        for update in plans {
            let after = update.apply_to(&item);
            let Some(AttributeValue::M(map)) = after.get(CUSTOM) else {
                return Err(TestCaseError::fail("custom is not a map after the write"));
            };
            prop_assert_eq!(as_btree(map.clone()), expected.clone());
            for (name, value) in &item {
                if name != CUSTOM {
                    prop_assert_eq!(after.get(name), Some(value), "{} kept", name);
                }
            }
        }
    }
}
