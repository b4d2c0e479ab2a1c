//! The isolation matrix: every kind of principal sends the same
//! PATCH; each row gets its status and error code, sees nothing of another
//! account's data (body or headers), and only the right principal changes
//! anything in the table.

mod common;

use common::{ACC, ADMIN, Fixture, assert_error, ok};
use serde_json::json;
use shared::auth::{SecretHash, credential_key};
use testkit::isolation::{assert_no_leak, changed_keys, key_of};
use update_account_v2::store::account_key;

/// Tokens on `acc_globex` only (the data no other principal may see); the
/// revoked row deletes the admin's after it worked.
const GLOBEX_ADMIN: &str = "v2-globex-admin-0123456789";
const GLOBEX_MANAGER: &str = "v2-globex-manager-0123456789";
const GLOBEX_READONLY: &str = "v2-globex-readonly-0123456789";
const GLOBEX: &str = "acc_globex";
const BODY: &str = r#"{"displayName": "Isolation Probe"}"#;
const BODY_WITH_STATUS: &str = r#"{"displayName": "Isolation Probe", "status": "suspended"}"#;

struct Row {
    principal: &'static str,
    account: &'static str,
    token: Option<&'static str>,
    body: &'static str,
    revoke: bool,
    status: u16,
    code: Option<&'static str>,
}

const fn row(
    principal: &'static str,
    account: &'static str,
    token: Option<&'static str>,
    status: u16,
    code: Option<&'static str>,
) -> Row {
    Row {
        principal,
        account,
        token,
        body: BODY,
        revoke: false,
        status,
        code,
    }
}

const UNAUTHORIZED: Option<&str> = Some("UNAUTHORIZED");
const FORBIDDEN: Option<&str> = Some("FORBIDDEN");

const MATRIX: &[Row] = &[
    row("no credential", GLOBEX, None, 401, UNAUTHORIZED),
    row(
        "malformed credential",
        GLOBEX,
        Some("bad token"),
        401,
        UNAUTHORIZED,
    ),
    row(
        "unknown credential",
        GLOBEX,
        Some("v2-unknown-0123456789"),
        401,
        UNAUTHORIZED,
    ),
    Row {
        revoke: true,
        ..row(
            "revoked credential",
            GLOBEX,
            Some(GLOBEX_ADMIN),
            401,
            UNAUTHORIZED,
        )
    },
    // An admin whose set (acc_1, acc_2) does not hold the account.
    row("other account", GLOBEX, Some(ADMIN), 404, Some("NOT_FOUND")),
    row("readonly", GLOBEX, Some(GLOBEX_READONLY), 403, FORBIDDEN),
    Row {
        body: BODY_WITH_STATUS,
        ..row(
            "manager sending status",
            GLOBEX,
            Some(GLOBEX_MANAGER),
            403,
            FORBIDDEN,
        )
    },
    row("right principal", ACC, Some(ADMIN), 200, None),
];

#[tokio::test]
async fn isolation_matrix() {
    for row in MATRIX {
        let name = row.principal;
        let f = Fixture::new().await;
        f.seed(json!({
            "tokens": [
                {"token": GLOBEX_ADMIN, "role": "admin", "account_ids": [GLOBEX]},
                {"token": GLOBEX_MANAGER, "role": "manager", "account_ids": [GLOBEX]},
                {"token": GLOBEX_READONLY, "role": "readonly", "account_ids": [GLOBEX]}
            ],
            "accounts": [{"id": GLOBEX, "name": "Globex-SECRET-NAME", "plan": "starter",
                          "displayName": "Globex-SECRET-NAME", "email": "secret@globex.example"}]
        }))
        .await;
        let headers: Vec<(&str, &str)> = row.token.map(|t| ("x-auth-token", t)).into_iter().collect();
        if row.revoke {
            let worked = f.patch_with(row.account, &headers, row.body.as_bytes()).await;
            assert_eq!(worked.status(), 200, "{name}: works before it is revoked");
            f.db.client()
                .delete_item()
                .table_name(f.state.table.name())
                .set_key(Some(
                    credential_key(&SecretHash::of(row.token.unwrap())).to_item(),
                ))
                .send()
                .await
                .expect("delete credential");
        }
        let before = f.snapshot().await;
        let response = f.patch_with(row.account, &headers, row.body.as_bytes()).await;
        assert_eq!(response.status(), row.status, "{name}");
        assert_no_leak(name, &response, &["globex"]);
        let changed = changed_keys(&before, &f.snapshot().await);
        match row.code {
            Some(code) => {
                assert_error(&response, row.status, code);
                assert!(changed.is_empty(), "{name} changed {changed:?}");
            }
            None => {
                let body = ok(&response);
                assert_eq!(body["id"], ACC);
                assert_eq!(body["displayName"], "Isolation Probe");
                assert_eq!(changed, [key_of(&account_key(ACC).to_item())], "{name}");
                let stored = f.account(ACC).await;
                assert_eq!(stored["displayName"].as_s().unwrap(), "Isolation Probe");
            }
        }
    }
}
