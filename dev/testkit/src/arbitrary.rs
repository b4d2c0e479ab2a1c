//! Generators for the endpoint crates' property tests (`tests/properties.rs`),
//! written once and parameterised by each contract's names:
//!
//! - [`config`]: bounded case counts, no regression files; [`concat`]: a
//!   contract's names from the crate's own lists.
//! - Bodies to throw at a parser: [`body_bytes`] (raw bytes behind a
//!   JSON-looking prefix), [`json_value`] (any JSON value) and
//!   [`field_object`] (an object keyed mostly by the contract's fields).
//! - The merge model of a map attribute (key → value sets, key → `null`
//!   removes, other keys kept): a merge's entries are [`Sent`] values, drawn
//!   with [`merge`] / [`merge_of`] from a per-field entry strategy (such as
//!   [`scalar_entry`]), stored maps come from [`stored_map`], [`sent_json`]
//!   is the JSON object the body carries and [`model`] the map the write must
//!   leave, compared with [`as_btree`] of what the write planned.
//! - [`assert_documented_status`]: a refused body answers 400 or 413, never
//!   a 5xx.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::http::StatusCode;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// A proptest configuration running `cases` cases and writing no
/// regression files beside the tests (`failure_persistence: None`).
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The names of `first` followed by those of `then`, as one array (for a
/// contract's field list built from the crate's own constants). `N` must be
/// `A + B`: anything else fails to compile (the constant's evaluation panics).
pub const fn concat<const A: usize, const B: usize, const N: usize>(
    first: [&'static str; A],
    then: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "concat: N must be A + B");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = first[i];
        i += 1;
    }
    while i < N {
        out[i] = then[i - A];
        i += 1;
    }
    out
}

/// One of `keys`, owned; every key is drawn with the same weight.
/// `keys` must not be empty.
pub fn key_of(keys: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    prop::sample::select(keys).prop_map(str::to_owned)
}

/// Any JSON value, at most 4 levels deep and about 48 nodes: `null`,
/// booleans, any `i64`, floats in ±1e6 and `1e300`, printable-ASCII and
/// arbitrary Unicode strings (without control characters) and strings of
/// 100-102 characters as leaves; arrays of up to 5 values and objects of up
/// to 5 entries whose keys are half the time one of `nested_keys` (the
/// contract's nested field names; must not be empty), else arbitrary
/// Unicode of up to 6 characters.
pub fn json_value(nested_keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
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
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(prop_oneof![key_of(nested_keys), "\\PC{0,6}"], inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object of up to 5 entries whose keys are 4 times in 5 one of
/// `fields` (the contract's top-level fields; must not be empty), else up
/// to 8 ASCII letters, and whose values are [`json_value`]`(nested_keys)`.
pub fn field_object(
    fields: &'static [&'static str],
    nested_keys: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        prop_oneof![
            4 => key_of(fields),
            1 => "[a-zA-Z]{0,8}",
        ],
        json_value(nested_keys),
        0..6,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// Arbitrary bytes (up to 2047) behind one of `prefixes` (JSON-looking
/// starts of a body; `""` for none; must not be empty): every value starts
/// with one of `prefixes`.
pub fn body_bytes(prefixes: &[&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop::sample::select(prefixes.to_vec());
    (prefix, prop::collection::vec(any::<u8>(), 0..2048)).prop_map(|(p, rest)| {
        let mut bytes = p.as_bytes().to_vec();
        bytes.extend(rest);
        bytes
    })
}

/// One key of a merge: `None` is `null` (remove the key), else the JSON
/// value sent and the attribute (`A`, by default a DynamoDB
/// [`AttributeValue`]) the contract stores for it.
pub type Sent<A = AttributeValue> = Option<(Value, A)>;

/// A merge object: up to `len.end - 1` entries drawn from `entry`, the last
/// one for a key winning (as in the JSON sent); keys are unique.
pub fn merge<S, A>(entry: S, len: Range<usize>) -> impl Strategy<Value = BTreeMap<String, Sent<A>>>
where
    S: Strategy<Value = (String, Sent<A>)>,
    A: Clone + std::fmt::Debug,
{
    prop::collection::vec(entry, len).prop_map(|v| v.into_iter().collect())
}

/// [`merge`]`(entry, len)` with probability `weight`, else `None` (the body
/// leaves the map out).
pub fn merge_of<S, A>(
    weight: f64,
    entry: S,
    len: Range<usize>,
) -> impl Strategy<Value = Option<BTreeMap<String, Sent<A>>>>
where
    S: Strategy<Value = (String, Sent<A>)>,
    A: Clone + std::fmt::Debug,
{
    prop::option::weighted(weight, merge(entry, len))
}

/// A free-form merge entry: a key matching `key_pattern` (a proptest
/// regex) and a printable-ASCII string of up to 16 characters, a boolean,
/// an `i32` or `null`, with the attribute stored for it (`S`, `BOOL`, `N`).
pub fn scalar_entry(key_pattern: &'static str) -> impl Strategy<Value = (String, Sent)> {
    let value = prop_oneof![
        "[ -~]{0,16}".prop_map(|s| (Value::String(s.clone()), AttributeValue::S(s))),
        any::<bool>().prop_map(|b| (json!(b), AttributeValue::Bool(b))),
        any::<i32>().prop_map(|n| (json!(n), AttributeValue::N(n.to_string()))),
    ];
    (key_pattern, prop::option::of(value))
}

/// A stored map, present 4 times in 5 (else `None`: the attribute is
/// absent): up to `len.end - 1` keys, each from `known` (the keys a merge
/// may name) or one of 1-2 letters in `x`-`z` (keys no merge names), with
/// string values (`S`) of up to 6 lowercase letters.
pub fn stored_map<K>(
    known: K,
    len: Range<usize>,
) -> impl Strategy<Value = Option<HashMap<String, AttributeValue>>>
where
    K: Strategy<Value = String> + 'static,
{
    prop::option::weighted(
        0.8,
        prop::collection::hash_map(
            prop_oneof![known, "[x-z]{1,2}"],
            "[a-z]{0,6}".prop_map(AttributeValue::S),
            len,
        ),
    )
}

/// The contract's merge model: the stored map (empty when absent), then
/// for each key sent, `null` removes it and a value sets its attribute;
/// keys not sent are kept.
pub fn model<A: Clone>(
    stored: Option<&HashMap<String, A>>,
    sent: &BTreeMap<String, Sent<A>>,
) -> BTreeMap<String, A> {
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

/// The JSON object a body carries for `sent`: each key with its value, or
/// `null` for a removal.
pub fn sent_json<A>(sent: &BTreeMap<String, Sent<A>>) -> Value {
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

/// `map` ordered by key, to compare with [`model`] (and print) stably.
pub fn as_btree<A>(map: HashMap<String, A>) -> BTreeMap<String, A> {
    map.into_iter().collect()
}

/// Asserts that a refused body's error is documented: its rendered
/// response's status is 400 or 413 (the statuses the contracts give a body;
/// never a 5xx) and, where the crate exposes the error's envelope,
/// `envelope` is that same status. Returns the status.
pub fn assert_documented_status(envelope: Option<StatusCode>, rendered: StatusCode) -> StatusCode {
    if let Some(status) = envelope {
        assert_eq!(status, rendered, "envelope and response disagree");
    }
    assert!(
        [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE].contains(&rendered),
        "undocumented status {rendered}"
    );
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIXES: &[&str] = &["", "{", "{\"a\":"];
    const FIELDS: &[&str] = &["name", "metadata"];
    const NESTED: &[&str] = &["a", "b"];

    fn depth(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    proptest! {
        #![proptest_config(config(64))]

        #[test]
        fn body_bytes_start_with_a_prefix(bytes in body_bytes(PREFIXES)) {
            prop_assert!(PREFIXES.iter().any(|p| bytes.starts_with(p.as_bytes())));
            prop_assert!(bytes.len() < 2048 + 5);
        }

        #[test]
        fn json_values_are_bounded(value in json_value(NESTED)) {
            prop_assert!(depth(&value) <= 4, "{}", value);
        }

        #[test]
        fn field_objects_are_small_objects(value in field_object(FIELDS, NESTED)) {
            prop_assert!(value.as_object().is_some_and(|o| o.len() <= 5), "{}", value);
        }

        #[test]
        fn stored_maps_are_bounded(map in stored_map(key_of(NESTED), 0..4)) {
            if let Some(map) = map {
                prop_assert!(map.len() <= 3);
                prop_assert!(map.values().all(|v| matches!(v, AttributeValue::S(_))));
            }
        }

        #[test]
        fn sent_json_names_every_key_sent(sent in merge(scalar_entry("[a-c]"), 0..5)) {
            let json = sent_json(&sent);
            let object = json.as_object().expect("an object");
            prop_assert_eq!(object.len(), sent.len());
            for (key, value) in &sent {
                prop_assert_eq!(object.get(key).map(Value::is_null), Some(value.is_none()));
            }
        }
    }

    #[test]
    fn concat_keeps_both_lists_in_order() {
        const BOTH: [&str; 3] = concat(["a"], ["b", "c"]);
        assert_eq!(BOTH, ["a", "b", "c"]);
        assert_eq!(concat::<0, 1, 1>([], ["z"]), ["z"]);
    }

    #[test]
    fn model_removes_sets_and_keeps() {
        let s = |t: &str| AttributeValue::S(t.to_owned());
        let stored = HashMap::from([("a".to_owned(), s("1")), ("b".to_owned(), s("2"))]);
        let sent = BTreeMap::from([
            ("a".to_owned(), None),
            ("c".to_owned(), Some((json!("3"), s("3")))),
        ]);
        let want = BTreeMap::from([("b".to_owned(), s("2")), ("c".to_owned(), s("3"))]);
        assert_eq!(model(Some(&stored), &sent), want);
        assert_eq!(model(None, &sent), BTreeMap::from([("c".to_owned(), s("3"))]));
        assert_eq!(sent_json(&sent), json!({ "a": null, "c": "3" }));
        assert_eq!(as_btree(stored).len(), 2);
    }

    #[test]
    fn documented_statuses_are_400_and_413() {
        for status in [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE] {
            assert_eq!(assert_documented_status(Some(status), status), status);
            assert_eq!(assert_documented_status(None, status), status);
        }
        let refused = |envelope, rendered| {
            std::panic::catch_unwind(|| assert_documented_status(envelope, rendered)).is_err()
        };
        assert!(refused(None, StatusCode::INTERNAL_SERVER_ERROR));
        assert!(refused(
            Some(StatusCode::BAD_REQUEST),
            StatusCode::PAYLOAD_TOO_LARGE
        ));
    }
}
