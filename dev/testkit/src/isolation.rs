//! What every endpoint's isolation matrix checks (`functions/*/tests/
//! isolation.rs`): that a response leaks nothing of another tenant, which
//! items a request changed, and revoking a credential for real.

use crate::TestDb;
use lambda_http::{Body, Response};
use shared::auth::{SecretHash, credential_key};
use shared::store::{Item, Key};
use std::collections::BTreeMap;

/// Fails when any of `needles` (compared ignoring case) appears in the
/// body or in any header value of `response`; `row` names the case.
pub fn assert_no_leak(row: &str, response: &Response<Body>, needles: &[impl AsRef<str>]) {
    let body = String::from_utf8_lossy(response.body().as_ref()).to_lowercase();
    for needle in needles {
        let needle = needle.as_ref().to_lowercase();
        assert!(
            !body.contains(&needle),
            "{row}: the body leaks {needle:?}: {body}"
        );
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).to_lowercase();
            assert!(
                !value.contains(&needle),
                "{row}: header {name} leaks {needle:?}: {value}"
            );
        }
    }
}

/// An item's key, as text (for comparing snapshots).
pub fn key_of(item: &Item) -> String {
    format!("{:?}/{:?}", item.get("pk"), item.get("sk"))
}

/// The keys ([`key_of`]) of the items added, removed or changed between
/// two snapshots, sorted.
pub fn changed_keys(before: &[Item], after: &[Item]) -> Vec<String> {
    let by_key =
        |items: &[Item]| -> BTreeMap<String, Item> { items.iter().map(|i| (key_of(i), i.clone())).collect() };
    let (before, after) = (by_key(before), by_key(after));
    let mut keys: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| before.get(k) != after.get(k));
    keys
}

/// A snapshot without the item at `key`, and that item.
pub fn split(snapshot: &[Item], key: &Key) -> (Vec<Item>, Option<Item>) {
    let key = key.to_item();
    let is_it = |i: &&Item| i.get("pk") == key.get("pk") && i.get("sk") == key.get("sk");
    let rest = snapshot.iter().filter(|i| !is_it(i)).cloned().collect();
    let item = snapshot.iter().find(is_it).cloned();
    (rest, item)
}

/// Revokes `secret`: deletes its credential item from the table with
/// `table_logical_id`; fails when there was none to delete.
pub async fn revoke(db: &TestDb, table_logical_id: &str, secret: &str) {
    let deleted = db
        .client()
        .delete_item()
        .table_name(db.table(table_logical_id).name())
        .set_key(Some(credential_key(&SecretHash::of(secret)).to_item()))
        .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
        .send()
        .await
        .expect("delete credential");
    assert!(
        deleted.attributes.is_some(),
        "the credential to revoke was not stored"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str, header: &str) -> Response<Body> {
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert("x-note", header.parse().unwrap());
        r
    }

    #[test]
    #[should_panic(expected = "leaks \"globex\"")]
    fn a_needle_in_a_header_fails_whatever_its_case() {
        assert_no_leak("row", &response("{}", "GLOBEX Inc"), &["Globex"]);
    }

    #[test]
    fn clean_responses_pass_and_changes_are_found_by_key() {
        assert_no_leak("row", &response("{\"name\":\"Acme\"}", "ok"), &["globex"]);
        let item = |v: &str| -> Item {
            let mut i = Key::new("A", "B").to_item();
            i.insert("v".into(), aws_sdk_dynamodb::types::AttributeValue::S(v.into()));
            i
        };
        assert_eq!(changed_keys(&[item("1")], &[item("1")]), Vec::<String>::new());
        assert_eq!(changed_keys(&[item("1")], &[item("2")]).len(), 1);
        let (rest, found) = split(&[item("1")], &Key::new("A", "B"));
        assert!(rest.is_empty() && found.is_some());
    }
}
