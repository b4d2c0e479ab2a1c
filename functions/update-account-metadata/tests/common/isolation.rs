//! The isolation matrix of `PATCH /accounts/{accountId}/metadata`
//! (`testkit::suite::isolation`): its rows, another OU's data, and what the
//! right principal's write stores.
//!
//! No "insufficient role" row: contract 000 has no roles. A token is bound
//! to one OU and nothing else (`auth::Principal` holds only `ou_id`), so
//! every valid token of an OU may do everything in it; the only scoping is
//! the OU, covered by the "other OU" row.

use super::{Fixture, SALES, assert_no_content};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::store::Item;
use testkit::events;
use testkit::suite::isolation::{Isolated, Row, needles};

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

/// A row's account, and its whole `Authorization` header (none: absent).
pub struct Principal(&'static str, Option<String>);

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn refused(name: &'static str, principal: Principal) -> Row<Principal> {
    Row::new(name, principal, 401, Some("unauthorized"))
}

fn s(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        other => panic!("{name} is {other:?}"),
    }
}

impl Isolated for Fixture {
    type Principal = Principal;

    fn rows() -> Vec<Row<Principal>> {
        vec![
            refused("no credential", Principal(OWN, None)),
            // A valid token under the wrong scheme: accepted only if the
            // scheme were ignored.
            refused(
                "malformed credential",
                Principal(OWN, Some(format!("Token {SALES}"))),
            ),
            refused(
                "unknown credential",
                Principal(OWN, bearer("tok-nobody-0123456789")),
            ),
            refused("revoked credential", Principal(OWN, bearer(REVOKED))).revoked(REVOKED),
            // "insufficient role": not applicable, contract 000 has no roles.
            Row::new(
                "other OU's account",
                Principal(FOREIGN, bearer(SALES)),
                404,
                Some("account_not_found"),
            ),
            Row::new("right principal", Principal(OWN, bearer(SALES)), 204, None),
        ]
    }

    async fn seed_foreign(&self) {
        self.seed(json!({
            "tokens": [{"token": FOREIGN_TOKEN, "ou_id": FOREIGN_OU}, {"token": REVOKED, "ou_id": "ou_sales"}],
            "accounts": [{"id": FOREIGN, "ou_id": FOREIGN_OU, "name": FOREIGN_NAME,
                          "domain": FOREIGN_DOMAIN, "metadata": {"secret": FOREIGN_META}}],
            "leads": [{"id": FOREIGN_LEAD, "account_id": FOREIGN,
                       "email": FOREIGN_LEAD_EMAIL, "full_name": FOREIGN_LEAD_NAME}]
        }))
        .await;
    }

    fn foreign_needles() -> Vec<String> {
        needles(
            &[
                FOREIGN_NAME,
                FOREIGN,
                FOREIGN_OU,
                FOREIGN_DOMAIN,
                FOREIGN_META,
                FOREIGN_LEAD,
                FOREIGN_LEAD_EMAIL,
                FOREIGN_LEAD_NAME,
            ],
            &[FOREIGN_TOKEN],
        )
    }

    async fn send_as(&self, principal: &Principal) -> Response<Body> {
        let Principal(account, authorization) = principal;
        let body = json!({
            "name": "Acme Isolated",
            "domain": "acme-isolated.example",
            "metadata": {"isolation": "row-marker", "tier": null}
        })
        .to_string();
        let mut headers = vec![("content-type", "application/json")];
        headers.extend(authorization.as_deref().map(|a| ("authorization", a)));
        let path = format!("/accounts/{account}/metadata");
        self.answer(
            "PATCH",
            &path,
            &[("accountId", account)],
            &headers,
            Some(body.as_bytes()),
        )
        .await
    }

    async fn assert_success(&self, response: &Response<Body>, old: Item, new: Item) {
        assert_no_content(response);
        assert_eq!(s(&new, "name"), "Acme Isolated");
        assert_eq!(s(&new, "domain"), "acme-isolated.example");
        assert_eq!(
            Value::Object(self.metadata(OWN).await),
            json!({"industry": "Technology", "isolation": "row-marker"})
        );
        assert_eq!(new["version"], AttributeValue::N("1".into()));
        assert_eq!(new["ou_id"], old["ou_id"]);
        assert_eq!(new["created_at"], old["created_at"]);
        assert_ne!(new["updated_at"], old["updated_at"]);
    }

    /// A 401 also names the scheme to use.
    fn assert_refused(response: &Response<Body>, status: u16, code: &str) {
        super::assert_problem(response, status, code);
        if status == 401 {
            assert_eq!(events::header(response, "www-authenticate"), Some("Bearer"));
        }
    }
}
