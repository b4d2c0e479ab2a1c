//! Conditional requests and safe retries on `PATCH /accounts/{accountId}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{Fixture, KEY_A};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Table;
use testkit::{
    events,
    safe_edits::{Endpoint, Target},
};
use update_crm_account::{State, TABLE_LOGICAL_ID, handle, store::account_key};

/// A second API key of tenant `a`.
const KEY_A2: &str = "crm-key-a-second-0123456789";

struct Crm(Fixture);

impl Crm {
    async fn new() -> Self {
        let f = Fixture::new().await;
        f.seed(json!({"api_keys": [{"token": KEY_A2, "tenant_id": "a"}]}))
            .await;
        Crm(f)
    }
}

impl Endpoint for Crm {
    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("a", 1001),
            success: 200,
            unavailable: 503,
            weak: false,
            bodies: [
                r#"{"title": "Acme A"}"#,
                r#"{"title": "Acme B"}"#,
                r#"{"title": 5}"#,
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
        let key = if other { KEY_A2 } else { KEY_A };
        let mut all = vec![("content-type", "application/json"), ("x-api-key", key)];
        all.extend_from_slice(headers);
        let req = events::api_request(
            "PATCH",
            "/accounts/1001",
            &[("accountId", "1001")],
            &all,
            Some(body.as_bytes()),
        );
        handle(&State { table }, req).await
    }
}

testkit::safe_edit_tests!(
    Crm::new().await,
    precondition = "PreconditionFailedError",
    header = "BadRequestError",
    reused = "UnprocessableEntityError"
);
