//! The isolation matrix of `PATCH /v0/accounts/{account_id}`
//! (`testkit::suite::isolation`): its rows, another tenant's data, and what
//! the right principal's rename stores.
//!
//! No "insufficient role" row: contract 001 has no roles. An API key is
//! owned by one tenant and nothing else (`auth::Principal` holds only
//! `tenant_id`), so every valid key of a tenant may rename every account of
//! it; the only scoping is the tenant, covered by the "other tenant" row.

use super::{ACME, Fixture, KEY_A};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Item;
use testkit::events;
use testkit::suite::isolation::{Isolated, Row, needles};

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

/// A row's account, and its `x-api-key` header (none: absent).
pub struct Principal(&'static str, Option<String>);

fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        other => panic!("{name} is {other:?}"),
    }
}

fn number(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().expect("a number"),
        other => panic!("{name} is {other:?}"),
    }
}

impl Isolated for Fixture {
    type Principal = Principal;

    fn rows() -> Vec<Row<Principal>> {
        let unauthorized = Some("unauthorized");
        let key = |k: &str| Some(k.to_owned());
        vec![
            Row::new("no credential", Principal(OWN, None), 401, unauthorized),
            // Not one visible-ASCII token (a space inside): refused before
            // any lookup.
            Row::new(
                "malformed credential",
                Principal(OWN, Some(format!("{KEY_A} {KEY_A}"))),
                401,
                unauthorized,
            ),
            Row::new(
                "unknown credential",
                Principal(OWN, key("key-nobody-0123456789")),
                401,
                unauthorized,
            ),
            Row::new(
                "revoked credential",
                Principal(OWN, key(REVOKED)),
                401,
                unauthorized,
            )
            .revoked(REVOKED),
            // "insufficient role": not applicable, contract 001 has no roles.
            Row::new(
                "other tenant's account",
                Principal(FOREIGN, key(KEY_A)),
                404,
                Some("not_found"),
            ),
            Row::new("right principal", Principal(OWN, key(KEY_A)), 200, None),
        ]
    }

    async fn seed_foreign(&self) {
        self.seed(json!({
            "api_keys": [{"token": FOREIGN_KEY, "tenant_id": FOREIGN_TENANT}, {"token": REVOKED, "tenant_id": "tenant_a"}],
            "accounts": [{"id": FOREIGN, "tenant_id": FOREIGN_TENANT, "name": FOREIGN_NAME,
                          "domain": FOREIGN_DOMAIN, "created_at": "2024-01-01T00:00:00Z"}],
            "prospects": [{"id": FOREIGN_PROSPECT, "account_id": FOREIGN, "name": FOREIGN_PROSPECT_NAME,
                           "email": FOREIGN_PROSPECT_EMAIL, "domain": FOREIGN_DOMAIN,
                           "created_at": "2024-01-02T00:00:00Z"}]
        }))
        .await;
    }

    fn foreign_needles() -> Vec<String> {
        needles(
            &[
                FOREIGN_NAME,
                FOREIGN,
                FOREIGN_TENANT,
                FOREIGN_DOMAIN,
                FOREIGN_PROSPECT,
                FOREIGN_PROSPECT_NAME,
                FOREIGN_PROSPECT_EMAIL,
            ],
            &[FOREIGN_KEY],
        )
    }

    async fn send_as(&self, principal: &Principal) -> Response<Body> {
        let Principal(account, api_key) = principal;
        let mut headers = vec![("content-type", "application/json")];
        headers.extend(api_key.as_deref().map(|k| ("x-api-key", k)));
        let body = json!({"name": NEW_NAME}).to_string();
        self.patch_with_headers(account, &headers, body.as_bytes()).await
    }

    async fn assert_success(&self, response: &Response<Body>, old: Item, new: Item) {
        let body = events::body_json(response);
        assert_eq!(events::header(response, "content-type"), Some("application/json"));
        assert_eq!(body["accountId"], OWN, "{body}");
        assert_eq!(body["tenantId"], "tenant_a", "{body}");
        assert_eq!(body["name"], NEW_NAME, "{body}");
        assert_eq!(text(&new, "name"), NEW_NAME);
        assert_eq!(text(&new, "updatedAt"), body["updatedAt"]);
        assert!(text(&new, "updatedAt") > text(&old, "updatedAt"));
        assert_eq!(number(&new, "version"), number(&old, "version") + 1);
        for kept in ["accountId", "tenantId", "domain", "createdAt", "latestActivityAt"] {
            assert_eq!(new.get(kept), old.get(kept), "{kept}");
        }
    }
}
