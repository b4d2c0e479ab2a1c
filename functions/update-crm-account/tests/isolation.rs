//! The isolation matrix: every kind of principal sends the same
//! PATCH; each row gets its status and error name, sees nothing of another
//! tenant's data (body or headers), and only the right principal changes
//! anything in the table.

mod common;

use common::{Fixture, KEY_A, assert_error};
use serde_json::json;
use shared::auth::{SecretHash, credential_key};
use testkit::events;
use testkit::isolation::{assert_no_leak, changed_keys, key_of};
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
        assert_no_leak(name, &response, &["globex"]);
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
