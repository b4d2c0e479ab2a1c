//! Issue 8, the isolation matrix: every kind of principal sends the same
//! PATCH; each row gets its status and error name, sees nothing of another
//! tenant's data (body or headers), and only the right principal changes
//! anything in the table.

mod common;

use common::{Fixture, KEY_A, assert_error};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::auth::{SecretHash, credential_key};
use shared::store::Item;
use std::collections::BTreeMap;
use testkit::events;
use update_crm_account::store::account_key;

/// Tenant `globex`'s key, seeded with its account 3001 (the data no other
/// principal may see); the revoked row deletes it after it worked.
const KEY_GLOBEX: &str = "crm-key-globex-0123456789";
const GLOBEX: &str = "/accounts/3001";
const OWN: &str = "/accounts/1001";
const BODY: &str = r#"{"description": "isolation probe"}"#;

struct Row {
    principal: &'static str,
    path: &'static str,
    key: Option<&'static str>,
    revoke: bool,
    status: u16,
    code: Option<&'static str>,
}

const fn row(
    principal: &'static str,
    path: &'static str,
    key: Option<&'static str>,
    status: u16,
    code: Option<&'static str>,
) -> Row {
    Row {
        principal,
        path,
        key,
        revoke: false,
        status,
        code,
    }
}

const UNAUTHORIZED: Option<&str> = Some("UnauthorizedError");

const MATRIX: &[Row] = &[
    row("no credential", GLOBEX, None, 401, UNAUTHORIZED),
    row("malformed credential", GLOBEX, Some("bad key"), 401, UNAUTHORIZED),
    row(
        "unknown credential",
        GLOBEX,
        Some("crm-key-unknown-0123456789"),
        401,
        UNAUTHORIZED,
    ),
    Row {
        revoke: true,
        ..row("revoked credential", GLOBEX, Some(KEY_GLOBEX), 401, UNAUTHORIZED)
    },
    row("other tenant", GLOBEX, Some(KEY_A), 404, Some("NotFoundError")),
    // Insufficient role: none. Contract 002 has no roles; a key may do
    // anything to its own tenant's accounts.
    row("right principal", OWN, Some(KEY_A), 200, None),
];

#[tokio::test]
async fn isolation_matrix() {
    for row in MATRIX {
        let name = row.principal;
        let f = Fixture::new().await;
        f.seed(json!({
            "api_keys": [{"token": KEY_GLOBEX, "tenant_id": "globex"}],
            "accounts": [{"tenant_id": "globex", "id": 3001, "number": 1, "title": "Globex-SECRET-NAME",
                          "primaryEmail": "secret@globex.example"}]
        }))
        .await;
        if row.revoke {
            let worked = f.patch_raw(row.path, row.key, BODY.as_bytes()).await;
            assert_eq!(worked.status(), 200, "{name}: works before it is revoked");
            let key = credential_key(&SecretHash::of(row.key.unwrap()));
            f.db.client()
                .delete_item()
                .table_name(f.state.table.name())
                .set_key(Some(key.to_item()))
                .send()
                .await
                .expect("delete credential");
        }
        let before = f.snapshot().await;
        let response = f.patch_raw(row.path, row.key, BODY.as_bytes()).await;
        assert_eq!(response.status(), row.status, "{name}");
        assert_no_globex(name, &response);
        let changed = changed_keys(&before, &f.snapshot().await);
        match row.code {
            Some(code) => {
                assert_error(&response, row.status, code);
                assert!(changed.is_empty(), "{name} changed {changed:?}");
            }
            None => {
                assert_eq!(events::body_json(&response)["description"], "isolation probe");
                assert_eq!(changed, [key_of(&account_key("a", 1001).to_item())], "{name}");
                let stored = f.account("a", 1001).await;
                assert_eq!(stored["description"].as_s().unwrap(), "isolation probe");
            }
        }
    }
}

/// Nothing naming Globex (tenant id, title, email) in the body or any header.
fn assert_no_globex(name: &str, response: &Response<Body>) {
    let body = String::from_utf8_lossy(response.body().as_ref()).to_lowercase();
    assert!(!body.contains("globex"), "{name} leaks in the body: {body}");
    for (header, value) in response.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).to_lowercase();
        assert!(!value.contains("globex"), "{name} leaks in {header}: {value}");
    }
}

fn key_of(item: &Item) -> String {
    format!("{:?}/{:?}", item.get("pk"), item.get("sk"))
}

/// The keys of the items added, removed or changed.
fn changed_keys(before: &[Item], after: &[Item]) -> Vec<String> {
    let by_key =
        |items: &[Item]| -> BTreeMap<String, Item> { items.iter().map(|i| (key_of(i), i.clone())).collect() };
    let (before, after) = (by_key(before), by_key(after));
    let mut keys: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| before.get(k) != after.get(k));
    keys
}
