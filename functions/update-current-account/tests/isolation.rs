//! The isolation matrix: every kind of principal sends the same
//! PATCH; each row gets its status and error code, sees nothing of another
//! account's data (body or headers), and only the right principal changes
//! anything in the table.

mod common;

use common::{Fixture, T1, assert_error};
use serde_json::json;
use shared::auth::{SecretHash, credential_key};
use testkit::events;
use testkit::isolation::{assert_no_leak, changed_keys, key_of};
use update_current_account::store::account_key;

/// The owner token of `acct_globex` (the data no other principal may see);
/// the revoked row deletes it after it worked.
const TOKEN_GLOBEX: &str = "v1-token-owner-globex-0123456789";
const BODY: &str = r#"{"settings": {"language": "fr"}}"#;

struct Row {
    principal: &'static str,
    /// The whole `Authorization` header, if any.
    authorization: Option<&'static str>,
    /// `X-Account-Id`, if any.
    account: Option<&'static str>,
    /// The token to delete after one request that worked.
    revoke: Option<&'static str>,
    status: u16,
    code: Option<&'static str>,
}

const fn row(
    principal: &'static str,
    authorization: Option<&'static str>,
    account: Option<&'static str>,
    status: u16,
    code: Option<&'static str>,
) -> Row {
    Row {
        principal,
        authorization,
        account,
        revoke: None,
        status,
        code,
    }
}

const GLOBEX: Option<&str> = Some("acct_globex");
const UNAUTHORIZED: Option<&str> = Some("unauthorized");
const OWNER_1: Option<&str> = Some("Bearer v1-token-owner-1-0123456789");

const MATRIX: &[Row] = &[
    row("no credential", None, GLOBEX, 401, UNAUTHORIZED),
    row(
        "malformed credential",
        Some("Token abc"),
        GLOBEX,
        401,
        UNAUTHORIZED,
    ),
    row(
        "unknown credential",
        Some("Bearer v1-unknown-0123456789"),
        GLOBEX,
        401,
        UNAUTHORIZED,
    ),
    Row {
        revoke: Some(TOKEN_GLOBEX),
        ..row(
            "revoked credential",
            Some("Bearer v1-token-owner-globex-0123456789"),
            GLOBEX,
            401,
            UNAUTHORIZED,
        )
    },
    // The contract scopes by account: an owner naming another account.
    row("other account", OWNER_1, GLOBEX, 403, UNAUTHORIZED),
    // Not admin: 403 whether or not the named account exists (no oracle).
    row("insufficient role", OWNER_1, Some("acct_nope"), 403, UNAUTHORIZED),
    row("right principal", OWNER_1, None, 200, None),
];

#[tokio::test]
async fn isolation_matrix() {
    assert_eq!(OWNER_1, Some(format!("Bearer {T1}").as_str()));
    for row in MATRIX {
        let name = row.principal;
        let f = Fixture::new().await;
        f.seed(json!({
            "tokens": [{"token": TOKEN_GLOBEX, "account_id": "acct_globex", "role": "owner"}],
            "accounts": [{"id": "acct_globex", "email": "secret@globex.example", "name": "Globex-SECRET-NAME",
                          "type": "business"}]
        }))
        .await;
        let mut headers = vec![("content-type", "application/json")];
        headers.extend(row.authorization.map(|a| ("authorization", a)));
        headers.extend(row.account.map(|a| ("x-account-id", a)));
        if let Some(token) = row.revoke {
            let worked = f.patch_with_headers(&headers, BODY.as_bytes()).await;
            assert_eq!(worked.status(), 200, "{name}: works before it is revoked");
            f.db.client()
                .delete_item()
                .table_name(f.state.table.name())
                .set_key(Some(credential_key(&SecretHash::of(token)).to_item()))
                .send()
                .await
                .expect("delete credential");
        }
        let before = f.snapshot().await;
        let response = f.patch_with_headers(&headers, BODY.as_bytes()).await;
        assert_eq!(response.status(), row.status, "{name}");
        assert_no_leak(name, &response, &["globex"]);
        let changed = changed_keys(&before, &f.snapshot().await);
        match row.code {
            Some(code) => {
                assert_error(&response, row.status, code);
                assert!(changed.is_empty(), "{name} changed {changed:?}");
            }
            None => {
                let body = events::body_json(&response);
                assert_eq!(body["id"], "acct_1");
                assert_eq!(body["settings"]["language"], "fr");
                assert_eq!(changed, [key_of(&account_key("acct_1").to_item())], "{name}");
                let stored = f.account("acct_1").await;
                assert_eq!(
                    stored["settings"].as_m().unwrap()["language"].as_s().unwrap(),
                    "fr"
                );
            }
        }
    }
}
