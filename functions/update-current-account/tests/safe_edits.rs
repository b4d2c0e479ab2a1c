//! Conditional requests and safe retries on `PATCH /v1/account`: ETag / If-Match and Idempotency-Key,
//! through the shared checks (`testkit::safe_edits`). The confirm route
//! gets the same through `shared::endpoint::respond` and the driver.

mod common;

use common::{Fixture, T1};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Table;
use testkit::{
    events,
    safe_edits::{Endpoint, Target},
};
use update_current_account::{State, TABLE_LOGICAL_ID, handle, store::account_key};

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
    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("acct_1"),
            success: 200,
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
    async fn send_via(
        &self,
        table: Table,
        other: bool,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response<Body> {
        let auth = format!("Bearer {}", if other { T1_SECOND } else { T1 });
        let mut all = vec![
            ("content-type", "application/json"),
            ("authorization", auth.as_str()),
        ];
        all.extend_from_slice(headers);
        let req = events::api_request("PATCH", "/v1/account", &[], &all, Some(body.as_bytes()));
        handle(&State { table }, req).await
    }
}

testkit::safe_edit_tests!(
    Current::new().await,
    precondition = "precondition_failed",
    header = "invalid_request",
    reused = "idempotency_key_reused"
);
