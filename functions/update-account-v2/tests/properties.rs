//! Property tests (issue 8) over `PATCH /v2/accounts/{accountId}`'s body
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
//! the merges [`Change::validate`] produced, which is the public path.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, http::StatusCode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use shared::store::{Item, Update, merge};
use std::collections::{BTreeMap, HashMap};
use update_account_v2::{change::Change, error::ApiError, request::WireBody};

const TOP_FIELDS: [&str; 11] = [
    "displayName",
    "email",
    "phone",
    "address",
    "settings",
    "status",
    "metadata",
    "id",
    "name",
    "plan",
    "createdAt",
];
const NESTED_KEYS: [&str; 12] = [
    "street",
    "city",
    "state",
    "postalCode",
    "country",
    "timezone",
    "language",
    "enableVoiceMail",
    "enableRecording",
    "recordingRetention",
    "smsEnabled",
    "k",
];

/// Bounded case counts, and no regression files written beside the tests.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value, at most 4 levels and about 48 nodes.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        Just(json!(1e300)),
        "[ -~]{0,12}".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
        (0usize..3).prop_map(|n| Value::String("x".repeat(100 + n))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(NESTED_KEYS.to_vec()).prop_map(str::to_owned),
                    "\\PC{0,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object whose keys are the contract's fields, values of random types.
fn field_object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        prop_oneof![
            4 => prop::sample::select(TOP_FIELDS.to_vec()).prop_map(str::to_owned),
            1 => "[a-zA-Z]{0,8}",
        ],
        json_value(),
        0..6,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Arbitrary bytes, sometimes behind a JSON-looking prefix.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop::sample::select(vec![
        "",
        "{",
        "{\"",
        "{\"metadata\":",
        "{\"settings\":{\"timezone\":",
        "{\"address\":{",
        "{\"displayName\":\"",
        "[",
        "\u{feff}{",
    ]);
    (prefix, prop::collection::vec(any::<u8>(), 0..2048)).prop_map(|(p, rest)| {
        let mut bytes = p.as_bytes().to_vec();
        bytes.extend(rest);
        bytes
    })
}

/// Parse + validate; the error (if any) must map to a documented 4xx.
fn check_no_panic_and_4xx(body: Body) -> Result<Change, StatusCode> {
    let result = WireBody::parse(&body).and_then(Change::validate);
    match result {
        Ok(change) => Ok(change),
        Err(err) => Err(assert_documented(err)),
    }
}

fn assert_documented(err: ApiError) -> StatusCode {
    let status = err.envelope().status;
    let rendered = err.into_response("req-properties").status();
    assert_eq!(status, rendered, "envelope and response disagree");
    assert!(
        [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE].contains(&status),
        "undocumented status {status}"
    );
    status
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in body_bytes()) {
        let _ = check_no_panic_and_4xx(Body::from(bytes));
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let _ = check_no_panic_and_4xx(Body::from(value.to_string()));
    }

    #[test]
    fn contract_shaped_json_never_panics(value in field_object()) {
        let text = value.to_string();
        let _ = check_no_panic_and_4xx(Body::from(text.clone()));
        // The same body as text, as API Gateway may hand it over.
        let _ = check_no_panic_and_4xx(Body::Text(text));
    }
}

proptest! {
    #![proptest_config(config(8))]

    #[test]
    fn oversized_bodies_are_413(extra in 1usize..64, fill in any::<u8>()) {
        let bytes = vec![fill; shared::http::MAX_BODY_BYTES + extra];
        prop_assert_eq!(check_no_panic_and_4xx(Body::from(bytes)).err(), Some(StatusCode::PAYLOAD_TOO_LARGE));
    }
}

/// One key of a merge: `None` is `null` (remove), else the value sent and
/// the attribute the contract stores for it.
type Sent = Option<(Value, AttributeValue)>;

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

fn metadata_entry() -> impl Strategy<Value = (String, Sent)> {
    let value = prop_oneof![
        "[ -~]{0,16}".prop_map(|s| (Value::String(s.clone()), AttributeValue::S(s))),
        any::<bool>().prop_map(|b| (json!(b), AttributeValue::Bool(b))),
        any::<i32>().prop_map(|n| (json!(n), AttributeValue::N(n.to_string()))),
    ];
    ("[a-e]{1,2}", prop::option::of(value))
}

/// A merge object (last entry for a key wins, as in the JSON sent), or
/// `None` when the body leaves the map out.
fn merge_of(entry: BoxedStrategy<(String, Sent)>) -> impl Strategy<Value = Option<BTreeMap<String, Sent>>> {
    prop::option::weighted(
        0.7,
        prop::collection::vec(entry, 0..6).prop_map(|v| v.into_iter().collect()),
    )
}

/// A stored map over the same keys plus some the body never names.
fn stored_map(keys: Vec<&'static str>) -> impl Strategy<Value = Option<HashMap<String, AttributeValue>>> {
    prop::option::weighted(
        0.8,
        prop::collection::hash_map(
            prop_oneof![prop::sample::select(keys).prop_map(str::to_owned), "[x-z]{1,2}"],
            "[a-z]{0,6}".prop_map(AttributeValue::S),
            0..6,
        ),
    )
}

/// The model: the stored map, `null` removes, a value sets, others kept.
fn model(
    stored: Option<&HashMap<String, AttributeValue>>,
    sent: &BTreeMap<String, Sent>,
) -> BTreeMap<String, AttributeValue> {
    let mut map: BTreeMap<_, _> = stored.cloned().unwrap_or_default().into_iter().collect();
    for (key, value) in sent {
        match value {
            None => {
                map.remove(key);
            }
            Some((_, attr)) => {
                map.insert(key.clone(), attr.clone());
            }
        }
    }
    map
}

fn sent_json(sent: &BTreeMap<String, Sent>) -> Value {
    Value::Object(
        sent.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_ref().map_or(Value::Null, |(json, _)| json.clone()),
                )
            })
            .collect::<Map<_, _>>(),
    )
}

fn as_btree(map: HashMap<String, AttributeValue>) -> BTreeMap<String, AttributeValue> {
    map.into_iter().collect()
}

const MAPS: [&str; 3] = ["address", "settings", "metadata"];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_merges_follow_the_model(
        sent in (merge_of(address_entry().boxed()), merge_of(setting_entry().boxed()), merge_of(metadata_entry().boxed())),
        stored in (
            stored_map(vec!["street", "city", "country"]),
            stored_map(vec!["timezone", "smsEnabled", "recordingRetention"]),
            stored_map(vec!["a", "b", "ab"]),
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

        let result = WireBody::parse(&Body::from(Value::Object(body.clone()).to_string())).and_then(Change::validate);
        let changes_nothing = display_name.is_none() && sent.iter().all(|m| m.as_ref().is_none_or(BTreeMap::is_empty));
        if changes_nothing {
            match result {
                Err(ApiError::Invalid { field, .. }) => prop_assert_eq!(field, "body"),
                other => prop_assert!(false, "expected a 400 on body, got {:?}", other),
            }
            return Ok(());
        }
        let change = match result {
            Ok(change) => change,
            Err(e) => return Err(TestCaseError::fail(format!("valid body {body:?} refused: {e:?}"))),
        };
        let merges = [&change.address, &change.settings, &change.metadata];

        let mut keyed = Update::new();
        let mut whole = Update::new();
        let mut keyed_applies = true;
        for (((attr, merge), sent), stored) in MAPS.iter().zip(merges).zip(&sent).zip(&stored) {
            let sent = sent.clone().unwrap_or_default();
            let expected = model(stored.as_ref(), &sent);
            // Each key in at most one list, and exactly the keys sent.
            let mut keys: Vec<&str> = merge.keys().collect();
            keys.sort_unstable();
            prop_assert_eq!(keys, sent.keys().map(String::as_str).collect::<Vec<_>>(), "{} keys", attr);
            prop_assert_eq!(as_btree(merge::merged(&item, attr, merge)), expected.clone(), "{} merged", attr);
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
