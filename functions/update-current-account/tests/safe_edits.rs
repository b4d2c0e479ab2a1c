//! Conditional requests and safe retries on `PATCH /v1/account`: ETag / If-Match and Idempotency-Key,
//! through the shared checks (`testkit::safe_edits`). The confirm route
//! gets the same through `shared::endpoint::respond` and the driver.

mod common;

use common::{Fixture, T1};
use serde_json::json;
use testkit::safe_edits::{Endpoint, Target};
use update_current_account::{CurrentAccount as Api, TABLE_LOGICAL_ID, store::account_key};

/// A second token of `acct_1`'s owner.
const T1_SECOND: &str = "v1-token-owner-1-second-0123456789";

struct Current(Fixture);

impl Current {
    async fn new() -> Self {
        let f = Fixture::new().await;
        f.seed(json!({"tokens": [{"token": T1_SECOND, "account_id": "acct_1", "role": "owner"}]}))
            .await;
        Current(f)
    }
}

impl Endpoint for Current {
    type Api = Api;

    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("acct_1"),
            success: 200,
            route: ("PATCH", "/v1/account", &[]),
            unavailable: 503,
            weak: false,
            bodies: [
                r#"{"name": "Acme A"}"#,
                r#"{"name": "Acme B"}"#,
                r#"{"name": null}"#,
            ],
            code: |body| body["error"].as_str().unwrap_or_default().to_owned(),
        }
    }
    fn credential(&self, other: bool) -> (&'static str, String) {
        (
            "authorization",
            format!("Bearer {}", if other { T1_SECOND } else { T1 }),
        )
    }
}

testkit::safe_edit_tests!(
    Current::new().await,
    precondition = "precondition_failed",
    header = "invalid_request",
    reused = "idempotency_key_reused"
);
