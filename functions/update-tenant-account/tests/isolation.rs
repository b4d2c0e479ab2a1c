//! Isolation matrix: the same valid PATCH sent as every kind of
//! principal, one row each. Every row checks the status, the envelope's
//! `code`, that nothing of another tenant leaks into the body or any
//! header, and that the table is unchanged except for the right principal's
//! account.
//!
//! No "insufficient role" row: contract 001 has no roles. An API key is
//! owned by one tenant and nothing else (`auth::Principal` holds only
//! `tenant_id`), so every valid key of a tenant may rename every account of
//! it; the only scoping is the tenant, covered by the "other tenant" row.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{ACME, Fixture, KEY_A, assert_error};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::{auth::SecretHash, store::Item};
use testkit::events;
use testkit::isolation::{assert_no_leak, revoke, split};
use update_tenant_account::{TABLE_LOGICAL_ID, store::account_key};

/// The right principal's account (tenant `tenant_a`, key [`KEY_A`]).
const OWN: &str = ACME;
/// Another tenant's account, seeded with distinctive values below.
const FOREIGN: &str = "account_globexsecret00000000000000";
const FOREIGN_TENANT: &str = "tenant-globex-secret";
const FOREIGN_KEY: &str = "key-globex-SECRET-0123456789";
const FOREIGN_NAME: &str = "Globex-SECRET-NAME";
const FOREIGN_DOMAIN: &str = "globex-secret.example";
const FOREIGN_PROSPECT: &str = "prospect_globexsecret000000000000pp";
const FOREIGN_PROSPECT_NAME: &str = "Globex-SECRET-PROSPECT";
const FOREIGN_PROSPECT_EMAIL: &str = "ceo@globex-secret.example";
/// A key of `tenant_a` that works once, then is deleted from the table.
const REVOKED: &str = "key-tenant-a-revoked-0123456789";
/// The name every row sends.
const NEW_NAME: &str = "Acme Isolated";

/// How a row presents itself.
enum Credential {
    /// No `x-api-key` header at all.
    Absent,
    /// This exact `x-api-key` header value.
    Header(String),
    /// `x-api-key: <key>`.
    Key(&'static str),
    /// `x-api-key: <key>` for a key seeded in `tenant_a`, used once
    /// successfully, then deleted from the table.
    Revoked(&'static str),
}

struct Row {
    name: &'static str,
    credential: Credential,
    account: &'static str,
    status: u16,
    /// The envelope's `code`; `None` for the success row (200, the account).
    code: Option<&'static str>,
}

/// The one body every row sends.
fn body() -> Vec<u8> {
    json!({"name": NEW_NAME}).to_string().into_bytes()
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "no credential",
            credential: Credential::Absent,
            account: OWN,
            status: 401,
            code: Some("unauthorized"),
        },
        Row {
            // Not one visible-ASCII token (a space inside): refused before
            // any lookup.
            name: "malformed credential",
            credential: Credential::Header(format!("{KEY_A} {KEY_A}")),
            account: OWN,
            status: 401,
            code: Some("unauthorized"),
        },
        Row {
            name: "unknown credential",
            credential: Credential::Key("key-nobody-0123456789"),
            account: OWN,
            status: 401,
            code: Some("unauthorized"),
        },
        Row {
            name: "revoked credential",
            credential: Credential::Revoked(REVOKED),
            account: OWN,
            status: 401,
            code: Some("unauthorized"),
        },
        // "insufficient role": not applicable, contract 001 has no roles
        // (see the module docs).
        Row {
            name: "other tenant's account",
            credential: Credential::Key(KEY_A),
            account: FOREIGN,
            status: 404,
            code: Some("not_found"),
        },
        Row {
            name: "right principal",
            credential: Credential::Key(KEY_A),
            account: OWN,
            status: 200,
            code: None,
        },
    ]
}

/// Every string that would identify the other tenant's data, lowercase.
fn foreign_needles() -> Vec<String> {
    [
        FOREIGN,
        FOREIGN_TENANT,
        FOREIGN_KEY,
        FOREIGN_NAME,
        FOREIGN_DOMAIN,
        FOREIGN_PROSPECT,
        FOREIGN_PROSPECT_NAME,
        FOREIGN_PROSPECT_EMAIL,
        SecretHash::of(FOREIGN_KEY).as_hex(),
    ]
    .iter()
    .map(|s| s.to_lowercase())
    .collect()
}

async fn fixture() -> Fixture {
    let f = Fixture::new().await;
    f.seed(json!({
        "api_keys": [{"token": FOREIGN_KEY, "tenant_id": FOREIGN_TENANT}],
        "accounts": [{"id": FOREIGN, "tenant_id": FOREIGN_TENANT, "name": FOREIGN_NAME,
                      "domain": FOREIGN_DOMAIN, "created_at": "2024-01-01T00:00:00Z"}],
        "prospects": [{"id": FOREIGN_PROSPECT, "account_id": FOREIGN, "name": FOREIGN_PROSPECT_NAME,
                       "email": FOREIGN_PROSPECT_EMAIL, "domain": FOREIGN_DOMAIN,
                       "created_at": "2024-01-02T00:00:00Z"}]
    }))
    .await;
    f
}

async fn send(f: &Fixture, account: &str, api_key: Option<&str>) -> Response<Body> {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(value) = api_key {
        headers.push(("x-api-key", value));
    }
    f.patch_with_headers(account, &headers, &body()).await
}

fn s(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        other => panic!("{name} is {other:?}"),
    }
}

fn n(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().expect("a number"),
        other => panic!("{name} is {other:?}"),
    }
}

#[tokio::test]
async fn isolation_matrix() {
    for row in rows() {
        let f = fixture().await;
        let api_key = match &row.credential {
            Credential::Absent => None,
            Credential::Header(value) => Some(value.clone()),
            Credential::Key(key) => Some((*key).to_owned()),
            Credential::Revoked(key) => {
                f.seed(json!({"api_keys": [{"token": key, "tenant_id": "tenant_a"}]}))
                    .await;
                let response = send(&f, row.account, Some(key)).await;
                assert_eq!(response.status(), 200, "{}", events::body_json(&response));
                revoke(&f.db, TABLE_LOGICAL_ID, key).await;
                Some((*key).to_owned())
            }
        };

        let before = f.db.snapshot(TABLE_LOGICAL_ID).await;
        let foreign_name = AttributeValue::S(FOREIGN_NAME.into());
        assert!(
            before.iter().any(|i| i.get("name") == Some(&foreign_name)),
            "the other account is not seeded"
        );
        let response = send(&f, row.account, api_key.as_deref()).await;
        let after = f.db.snapshot(TABLE_LOGICAL_ID).await;

        let body = events::body_json(&response);
        assert_eq!(response.status(), row.status, "{}: body {body}", row.name);
        match row.code {
            Some(code) => {
                let envelope = assert_error(&response, row.status, code);
                assert_eq!(envelope["code"], code, "{}", row.name);
            }
            None => {
                assert_eq!(
                    events::header(&response, "content-type"),
                    Some("application/json")
                );
                assert_eq!(body["accountId"], OWN, "{body}");
                assert_eq!(body["tenantId"], "tenant_a", "{body}");
                assert_eq!(body["name"], NEW_NAME, "{body}");
            }
        }
        assert_no_leak_of_foreign(row.name, &response);

        if row.code.is_some() {
            assert_eq!(after, before, "{}: a refused request changed the table", row.name);
            continue;
        }
        // The right principal: only its account item changed, as the body says.
        let key = account_key("tenant_a", OWN);
        let (rest_before, old) = split(&before, &key);
        let (rest_after, new) = split(&after, &key);
        assert_eq!(rest_after, rest_before, "{}: another item changed", row.name);
        let (old, new) = (old.expect("account before"), new.expect("account after"));
        assert_eq!(s(&new, "name"), NEW_NAME);
        assert_eq!(s(&new, "updatedAt"), body["updatedAt"]);
        assert!(s(&new, "updatedAt") > s(&old, "updatedAt"));
        assert_eq!(n(&new, "version"), n(&old, "version") + 1);
        for kept in ["accountId", "tenantId", "domain", "createdAt", "latestActivityAt"] {
            assert_eq!(new.get(kept), old.get(kept), "{kept}");
        }
    }
}

/// No string of the other OU / tenant in the response.
fn assert_no_leak_of_foreign(row: &str, response: &Response<Body>) {
    assert_no_leak(row, response, &foreign_needles());
}
