//! Conditional requests and safe retries on `PATCH /v2/accounts/{accountId}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{ACC, ADMIN, Fixture, MANAGER};
use lambda_http::{Body, Response};
use shared::store::Table;
use testkit::{
    events,
    safe_edits::{Endpoint, Target},
};
use update_account_v2::{State, TABLE_LOGICAL_ID, handle, store::account_key};

struct V2(Fixture);

impl Endpoint for V2 {
    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key(ACC),
            success: 200,
            unavailable: 429,
            weak: false,
            bodies: [
                r#"{"displayName": "Acme A"}"#,
                r#"{"displayName": "Acme B"}"#,
                r#"{"displayName": 5}"#,
            ],
            code: |body| body["error"]["code"].as_str().unwrap_or_default().to_owned(),
        }
    }
    async fn send_via(
        &self,
        table: Table,
        other: bool,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response<Body> {
        let token = if other { MANAGER } else { ADMIN };
        let mut all = vec![("content-type", "application/json"), ("x-auth-token", token)];
        all.extend_from_slice(headers);
        let path = format!("/v2/accounts/{ACC}");
        let req = events::api_request("PATCH", &path, &[("accountId", ACC)], &all, Some(body.as_bytes()));
        handle(&State { table }, req).await
    }
}

testkit::safe_edit_tests!(
    V2(Fixture::new().await),
    precondition = "PRECONDITION_FAILED",
    header = "INVALID_REQUEST",
    reused = "IDEMPOTENCY_KEY_REUSED"
);
