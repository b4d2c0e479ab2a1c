//! Conditional requests and safe retries on `PATCH /accounts/{accountId}/metadata` (204): ETag /
//! If-Match and Idempotency-Key, through the shared checks
//! (`testkit::safe_edits`).

mod common;

use common::{Fixture, SALES};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Table;
use testkit::{
    events,
    safe_edits::{Endpoint, Target},
};
use update_account_metadata::{State, TABLE_LOGICAL_ID, handle, store::account_key};

/// A second token of the same OU.
const SALES_2: &str = "tok-sales-second-0123456789";

struct Metadata(Fixture);

impl Metadata {
    async fn new() -> Self {
        let f = Fixture::new().await;
        f.seed(json!({"tokens": [{"token": SALES_2, "ou_id": "ou_sales"}]}))
            .await;
        Metadata(f)
    }
}

impl Endpoint for Metadata {
    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("acct_1"),
            success: 204,
            unavailable: 503,
            weak: false,
            bodies: [
                r#"{"name": "Acme A"}"#,
                r#"{"name": "Acme B"}"#,
                r#"{"name": ""}"#,
            ],
            code: |body| body["code"].as_str().unwrap_or_default().to_owned(),
        }
    }
    async fn send_via(
        &self,
        table: Table,
        other: bool,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response<Body> {
        let auth = format!("Bearer {}", if other { SALES_2 } else { SALES });
        let mut all = vec![
            ("content-type", "application/json"),
            ("authorization", auth.as_str()),
        ];
        all.extend_from_slice(headers);
        let req = events::api_request(
            "PATCH",
            "/accounts/acct_1/metadata",
            &[("accountId", "acct_1")],
            &all,
            Some(body.as_bytes()),
        );
        handle(&State { table }, req).await
    }
}

testkit::safe_edit_tests!(
    Metadata::new().await,
    precondition = "precondition_failed",
    header = "invalid_header",
    reused = "idempotency_key_reused"
);
