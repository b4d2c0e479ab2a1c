//! The isolation matrix of `PATCH /v2/accounts/{accountId}`
//! (`testkit::suite::isolation`): its rows, another account's data, and
//! what the right principal's write stores.

use super::{ACC, ADMIN, Fixture, ok};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Item;
use testkit::suite::isolation::{Isolated, Row, needles};

/// Tokens on `acc_globex` only (the data no other principal may see); the
/// revoked row deletes the admin's after it worked.
const GLOBEX_ADMIN: &str = "v2-globex-admin-0123456789";
const GLOBEX_MANAGER: &str = "v2-globex-manager-0123456789";
const GLOBEX_READONLY: &str = "v2-globex-readonly-0123456789";
const GLOBEX: &str = "acc_globex";
const BODY: &str = r#"{"displayName": "Isolation Probe"}"#;
const BODY_WITH_STATUS: &str = r#"{"displayName": "Isolation Probe", "status": "suspended"}"#;

/// A row's account, its `X-Auth-Token` (none: absent) and body.
pub struct Principal(&'static str, Option<&'static str>, &'static str);

fn row(
    name: &'static str,
    account: &'static str,
    token: Option<&'static str>,
    status: u16,
    code: Option<&'static str>,
) -> Row<Principal> {
    Row::new(name, Principal(account, token, BODY), status, code)
}

impl Isolated for Fixture {
    type Principal = Principal;

    fn rows() -> Vec<Row<Principal>> {
        let (unauthorized, forbidden) = (Some("UNAUTHORIZED"), Some("FORBIDDEN"));
        vec![
            row("no credential", GLOBEX, None, 401, unauthorized),
            row(
                "malformed credential",
                GLOBEX,
                Some("bad token"),
                401,
                unauthorized,
            ),
            row(
                "unknown credential",
                GLOBEX,
                Some("v2-unknown-0123456789"),
                401,
                unauthorized,
            ),
            row(
                "revoked credential",
                GLOBEX,
                Some(GLOBEX_ADMIN),
                401,
                unauthorized,
            )
            .revoked(GLOBEX_ADMIN),
            // An admin whose set (acc_1, acc_2) does not hold the account.
            row("other account", GLOBEX, Some(ADMIN), 404, Some("NOT_FOUND")),
            row("readonly", GLOBEX, Some(GLOBEX_READONLY), 403, forbidden),
            Row {
                principal: Principal(GLOBEX, Some(GLOBEX_MANAGER), BODY_WITH_STATUS),
                ..row("manager sending status", GLOBEX, None, 403, forbidden)
            },
            row("right principal", ACC, Some(ADMIN), 200, None),
        ]
    }

    async fn seed_foreign(&self) {
        self.seed(json!({
            "tokens": [
                {"token": GLOBEX_ADMIN, "role": "admin", "account_ids": [GLOBEX]},
                {"token": GLOBEX_MANAGER, "role": "manager", "account_ids": [GLOBEX]},
                {"token": GLOBEX_READONLY, "role": "readonly", "account_ids": [GLOBEX]}
            ],
            "accounts": [{"id": GLOBEX, "name": "Globex-SECRET-NAME", "plan": "starter",
                          "displayName": "Globex-SECRET-NAME", "email": "secret@globex.example"}]
        }))
        .await;
    }

    fn foreign_needles() -> Vec<String> {
        needles(&["globex"], &[])
    }

    async fn send_as(&self, principal: &Principal) -> Response<Body> {
        let Principal(account, token, body) = principal;
        let headers: Vec<(&str, &str)> = token.map(|t| ("x-auth-token", t)).into_iter().collect();
        self.patch_with(account, &headers, body.as_bytes()).await
    }

    async fn assert_success(&self, response: &Response<Body>, _: Item, new: Item) {
        let body = ok(response);
        assert_eq!(body["id"], ACC);
        assert_eq!(body["displayName"], "Isolation Probe");
        assert_eq!(new["displayName"].as_s().unwrap(), "Isolation Probe");
    }
}
