//! Conditional requests and safe retries on `PATCH /v0/accounts/{account_id}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{ACME, Fixture, KEY_A};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::store::Table;
use testkit::{
    events,
    safe_edits::{Endpoint, Target},
};
use update_tenant_account::{State, TABLE_LOGICAL_ID, handle, store::account_key};

/// A second API key of tenant A.
const KEY_A2: &str = "key-tenant-a-second-0123456789";

struct Tenant(Fixture);

impl Tenant {
    async fn new() -> Self {
        let f = Fixture::new().await;
        f.seed(json!({"api_keys": [{"token": KEY_A2, "tenant_id": "tenant_a"}]}))
            .await;
        Tenant(f)
    }
}

impl Endpoint for Tenant {
    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("tenant_a", ACME),
            success: 200,
            unavailable: 503,
            weak: true,
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
        let key = if other { KEY_A2 } else { KEY_A };
        let mut all = vec![("content-type", "application/json"), ("x-api-key", key)];
        all.extend_from_slice(headers);
        let path = format!("/v0/accounts/{ACME}");
        let req = events::api_request(
            "PATCH",
            &path,
            &[("account_id", ACME)],
            &all,
            Some(body.as_bytes()),
        );
        let state = State {
            table,
            prospect_page_size: None,
        };
        handle(&state, req).await
    }
}

testkit::safe_edit_tests!(
    Tenant::new().await,
    precondition = "precondition_failed",
    header = "invalid_header",
    reused = "idempotency_key_reused"
);
