//! The isolation matrix of `PATCH /accounts/{accountId}`
//! (`testkit::suite::isolation`): its rows, another tenant's data, and what
//! the right principal's write stores.
//!
//! No "insufficient role" row: contract 002 has no roles; a key may do
//! anything to its own tenant's accounts.

use super::{Fixture, KEY_A};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Item;
use testkit::events;
use testkit::suite::isolation::{Isolated, Row, needles};

/// Tenant `globex`'s key, seeded with its account 3001 (the data no other
/// principal may see); the revoked row deletes it after it worked.
const KEY_GLOBEX: &str = "crm-key-globex-0123456789";
const GLOBEX: &str = "/accounts/3001";
const OWN: &str = "/accounts/1001";
const BODY: &str = r#"{"description": "isolation probe"}"#;

/// A row's path, and its `x-api-key` header (none: absent).
pub struct Principal(&'static str, Option<&'static str>);

impl Isolated for Fixture {
    type Principal = Principal;

    fn rows() -> Vec<Row<Principal>> {
        let unauthorized = Some("UnauthorizedError");
        vec![
            Row::new("no credential", Principal(GLOBEX, None), 401, unauthorized),
            Row::new(
                "malformed credential",
                Principal(GLOBEX, Some("bad key")),
                401,
                unauthorized,
            ),
            Row::new(
                "unknown credential",
                Principal(GLOBEX, Some("crm-key-unknown-0123456789")),
                401,
                unauthorized,
            ),
            Row::new(
                "revoked credential",
                Principal(GLOBEX, Some(KEY_GLOBEX)),
                401,
                unauthorized,
            )
            .revoked(KEY_GLOBEX),
            Row::new(
                "other tenant",
                Principal(GLOBEX, Some(KEY_A)),
                404,
                Some("NotFoundError"),
            ),
            // Insufficient role: none (see the module docs).
            Row::new("right principal", Principal(OWN, Some(KEY_A)), 200, None),
        ]
    }

    async fn seed_foreign(&self) {
        self.seed(json!({
            "api_keys": [{"token": KEY_GLOBEX, "tenant_id": "globex"}],
            "accounts": [{"tenant_id": "globex", "id": 3001, "number": 1, "title": "Globex-SECRET-NAME",
                          "primaryEmail": "secret@globex.example"}]
        }))
        .await;
    }

    fn foreign_needles() -> Vec<String> {
        needles(&["globex"], &[])
    }

    async fn send_as(&self, principal: &Principal) -> Response<Body> {
        let Principal(path, key) = principal;
        self.patch_raw(path, *key, BODY.as_bytes()).await
    }

    async fn assert_success(&self, response: &Response<Body>, _: Item, new: Item) {
        assert_eq!(events::body_json(response)["description"], "isolation probe");
        assert_eq!(new["description"].as_s().unwrap(), "isolation probe");
    }
}
