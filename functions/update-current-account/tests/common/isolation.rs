//! The isolation matrix of `PATCH /v1/account`
//! (`testkit::suite::isolation`): its rows, another account's data, and
//! what the right principal's write stores.

use super::{Fixture, T1};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Item;
use testkit::events;
use testkit::suite::isolation::{Isolated, Row, needles};

/// The owner token of `acct_globex` (the data no other principal may see);
/// the revoked row deletes it after it worked.
const TOKEN_GLOBEX: &str = "v1-token-owner-globex-0123456789";
const BODY: &str = r#"{"settings": {"language": "fr"}}"#;
const GLOBEX: Option<&str> = Some("acct_globex");

/// A row's whole `Authorization` header and its `X-Account-Id`, if any.
pub struct Principal(Option<String>, Option<&'static str>);

impl Isolated for Fixture {
    type Principal = Principal;

    fn rows() -> Vec<Row<Principal>> {
        let unauthorized = Some("unauthorized");
        let bearer = |t: &str| Some(format!("Bearer {t}"));
        vec![
            Row::new("no credential", Principal(None, GLOBEX), 401, unauthorized),
            Row::new(
                "malformed credential",
                Principal(Some("Token abc".into()), GLOBEX),
                401,
                unauthorized,
            ),
            Row::new(
                "unknown credential",
                Principal(bearer("v1-unknown-0123456789"), GLOBEX),
                401,
                unauthorized,
            ),
            Row::new(
                "revoked credential",
                Principal(bearer(TOKEN_GLOBEX), GLOBEX),
                401,
                unauthorized,
            )
            .revoked(TOKEN_GLOBEX),
            // The contract scopes by account: an owner naming another account.
            Row::new("other account", Principal(bearer(T1), GLOBEX), 403, unauthorized),
            // Not admin: 403 whether or not the named account exists (no oracle).
            Row::new(
                "insufficient role",
                Principal(bearer(T1), Some("acct_nope")),
                403,
                unauthorized,
            ),
            Row::new("right principal", Principal(bearer(T1), None), 200, None),
        ]
    }

    async fn seed_foreign(&self) {
        self.seed(json!({
            "tokens": [{"token": TOKEN_GLOBEX, "account_id": "acct_globex", "role": "owner"}],
            "accounts": [{"id": "acct_globex", "email": "secret@globex.example", "name": "Globex-SECRET-NAME",
                          "type": "business"}]
        }))
        .await;
    }

    fn foreign_needles() -> Vec<String> {
        needles(&["globex"], &[])
    }

    async fn send_as(&self, principal: &Principal) -> Response<Body> {
        let Principal(authorization, account) = principal;
        let mut headers = vec![("content-type", "application/json")];
        headers.extend(authorization.as_deref().map(|a| ("authorization", a)));
        headers.extend(account.map(|a| ("x-account-id", a)));
        self.patch_with_headers(&headers, BODY.as_bytes()).await
    }

    async fn assert_success(&self, response: &Response<Body>, _: Item, new: Item) {
        let body = events::body_json(response);
        assert_eq!(body["id"], "acct_1");
        assert_eq!(body["settings"]["language"], "fr");
        assert_eq!(new["settings"].as_m().unwrap()["language"].as_s().unwrap(), "fr");
    }
}
