//! Isolation matrix: the same valid PATCH sent as every kind of
//! principal, one row each. Every row checks the status, the envelope's
//! `code`, that nothing of another OU leaks into the body or any header,
//! and that the table is unchanged except for the right principal's account.
//!
//! No "insufficient role" row: contract 000 has no roles. A token is bound
//! to one OU and nothing else (`auth::Principal` holds only `ou_id`), so
//! every valid token of an OU may do everything in it; the only scoping is
//! the OU, covered by the "other OU" row.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{Fixture, SALES, assert_no_content, assert_problem};
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::{auth::SecretHash, store::Item};
use testkit::events;
use testkit::isolation::{assert_no_leak, revoke, split};
use update_account_metadata::{TABLE_LOGICAL_ID, handle, store::account_key};

/// The right principal's account (OU `ou_sales`, token [`SALES`]).
const OWN: &str = "acct_1";
/// Another OU's account, seeded with distinctive values below.
const FOREIGN: &str = "acct_globex_secret_7f3a9c";
const FOREIGN_OU: &str = "ou-globex-secret-ou";
const FOREIGN_TOKEN: &str = "tok-globex-SECRET-0123456789";
const FOREIGN_NAME: &str = "Globex-SECRET-NAME";
const FOREIGN_DOMAIN: &str = "globex-secret.example";
const FOREIGN_META: &str = "GLOBEX-SECRET-META-VALUE";
const FOREIGN_LEAD: &str = "lead_globex_secret_01";
const FOREIGN_LEAD_EMAIL: &str = "ceo@globex-secret.example";
const FOREIGN_LEAD_NAME: &str = "Globex-SECRET-LEAD";
/// A token of `ou_sales` that works once, then is deleted from the table.
const REVOKED: &str = "tok-sales-revoked-0123456789";

/// How a row presents itself.
enum Credential {
    /// No `Authorization` header at all.
    Absent,
    /// This exact `Authorization` header value.
    Header(String),
    /// `Authorization: Bearer <token>`.
    Token(&'static str),
    /// `Authorization: Bearer <token>` for a token seeded in `ou_sales`,
    /// used once successfully, then deleted from the table.
    Revoked(&'static str),
}

struct Row {
    name: &'static str,
    credential: Credential,
    account: &'static str,
    status: u16,
    /// The envelope's `code`; `None` for the success row (204, no body).
    code: Option<&'static str>,
}

/// The one body every row sends.
fn body() -> Vec<u8> {
    json!({
        "name": "Acme Isolated",
        "domain": "acme-isolated.example",
        "metadata": {"isolation": "row-marker", "tier": null}
    })
    .to_string()
    .into_bytes()
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
            // A valid token under the wrong scheme: accepted only if the
            // scheme were ignored.
            name: "malformed credential",
            credential: Credential::Header(format!("Token {SALES}")),
            account: OWN,
            status: 401,
            code: Some("unauthorized"),
        },
        Row {
            name: "unknown credential",
            credential: Credential::Token("tok-nobody-0123456789"),
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
        // "insufficient role": not applicable, contract 000 has no roles
        // (see the module docs).
        Row {
            name: "other OU's account",
            credential: Credential::Token(SALES),
            account: FOREIGN,
            status: 404,
            code: Some("account_not_found"),
        },
        Row {
            name: "right principal",
            credential: Credential::Token(SALES),
            account: OWN,
            status: 204,
            code: None,
        },
    ]
}

/// Every string that would identify the other OU's data, lowercase.
fn foreign_needles() -> Vec<String> {
    [
        FOREIGN,
        FOREIGN_OU,
        FOREIGN_TOKEN,
        FOREIGN_NAME,
        FOREIGN_DOMAIN,
        FOREIGN_META,
        FOREIGN_LEAD,
        FOREIGN_LEAD_EMAIL,
        FOREIGN_LEAD_NAME,
        SecretHash::of(FOREIGN_TOKEN).as_hex(),
    ]
    .iter()
    .map(|s| s.to_lowercase())
    .collect()
}

async fn fixture() -> Fixture {
    let f = Fixture::new().await;
    f.seed(json!({
        "tokens": [{"token": FOREIGN_TOKEN, "ou_id": FOREIGN_OU}],
        "accounts": [{"id": FOREIGN, "ou_id": FOREIGN_OU, "name": FOREIGN_NAME,
                      "domain": FOREIGN_DOMAIN, "metadata": {"secret": FOREIGN_META}}],
        "leads": [{"id": FOREIGN_LEAD, "account_id": FOREIGN,
                   "email": FOREIGN_LEAD_EMAIL, "full_name": FOREIGN_LEAD_NAME}]
    }))
    .await;
    f
}

async fn send(f: &Fixture, account: &str, authorization: Option<&str>) -> Response<Body> {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(value) = authorization {
        headers.push(("authorization", value));
    }
    let path = format!("/accounts/{account}/metadata");
    let body = body();
    let req = events::api_request("PATCH", &path, &[("accountId", account)], &headers, Some(&body));
    handle(&f.state, req).await
}

fn s(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        other => panic!("{name} is {other:?}"),
    }
}

#[tokio::test]
async fn isolation_matrix() {
    for row in rows() {
        let f = fixture().await;
        let authorization = match &row.credential {
            Credential::Absent => None,
            Credential::Header(value) => Some(value.clone()),
            Credential::Token(token) => Some(format!("Bearer {token}")),
            Credential::Revoked(token) => {
                f.seed(json!({"tokens": [{"token": token, "ou_id": "ou_sales"}]}))
                    .await;
                let header = format!("Bearer {token}");
                assert_no_content(&send(&f, row.account, Some(&header)).await);
                revoke(&f.db, TABLE_LOGICAL_ID, token).await;
                Some(header)
            }
        };

        let before = f.db.snapshot(TABLE_LOGICAL_ID).await;
        let foreign_name = AttributeValue::S(FOREIGN_NAME.into());
        assert!(
            before.iter().any(|i| i.get("name") == Some(&foreign_name)),
            "the other account is not seeded"
        );
        let response = send(&f, row.account, authorization.as_deref()).await;
        let after = f.db.snapshot(TABLE_LOGICAL_ID).await;

        assert_eq!(
            response.status(),
            row.status,
            "{}: body {}",
            row.name,
            events::body_json(&response)
        );
        match row.code {
            Some(code) => {
                let envelope = assert_problem(&response, row.status, code);
                assert_eq!(envelope["code"], code, "{}", row.name);
                if row.status == 401 {
                    assert_eq!(
                        events::header(&response, "www-authenticate"),
                        Some("Bearer"),
                        "{}",
                        row.name
                    );
                }
            }
            None => assert_no_content(&response),
        }
        assert_no_leak_of_foreign(row.name, &response);

        if row.code.is_some() {
            assert_eq!(after, before, "{}: a refused request changed the table", row.name);
            continue;
        }
        // The right principal: only its account item changed, as the body says.
        let key = account_key(OWN);
        let (rest_before, old) = split(&before, &key);
        let (rest_after, new) = split(&after, &key);
        assert_eq!(rest_after, rest_before, "{}: another item changed", row.name);
        let (old, new) = (old.expect("account before"), new.expect("account after"));
        assert_eq!(s(&new, "name"), "Acme Isolated");
        assert_eq!(s(&new, "domain"), "acme-isolated.example");
        assert_eq!(
            Value::Object(f.metadata(OWN).await),
            json!({"industry": "Technology", "isolation": "row-marker"})
        );
        assert_eq!(new["version"], AttributeValue::N("1".into()));
        assert_eq!(new["ou_id"], old["ou_id"]);
        assert_eq!(new["created_at"], old["created_at"]);
        assert_ne!(new["updated_at"], old["updated_at"]);
    }
}

/// No string of the other OU / tenant in the response.
fn assert_no_leak_of_foreign(row: &str, response: &Response<Body>) {
    assert_no_leak(row, response, &foreign_needles());
}
