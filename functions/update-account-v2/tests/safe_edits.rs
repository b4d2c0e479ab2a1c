//! Issue 10 on `PATCH /v2/accounts/{accountId}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{ACC, ADMIN, Fixture, MANAGER};
use lambda_http::{Body, Response};
use testkit::safe_edits::{Endpoint, Target};
use update_account_v2::{TABLE_LOGICAL_ID, store::account_key};

struct V2(Fixture);

impl Endpoint for V2 {
    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key(ACC),
            success: 200,
            bodies: [
                r#"{"displayName": "Acme A"}"#,
                r#"{"displayName": "Acme B"}"#,
                r#"{"displayName": 5}"#,
            ],
            code: |body| body["error"]["code"].as_str().unwrap_or_default().to_owned(),
        }
    }
    async fn send(&self, other: bool, headers: &[(&str, &str)], body: &str) -> Response<Body> {
        let token = if other { MANAGER } else { ADMIN };
        let mut all = vec![("x-auth-token", token)];
        all.extend_from_slice(headers);
        self.0.patch_with(ACC, &all, body.as_bytes()).await
    }
}

testkit::safe_edit_tests!(
    V2(Fixture::new().await),
    precondition = "PRECONDITION_FAILED",
    header = "INVALID_REQUEST",
    in_use = "IDEMPOTENCY_KEY_IN_USE",
    reused = "IDEMPOTENCY_KEY_REUSED"
);
