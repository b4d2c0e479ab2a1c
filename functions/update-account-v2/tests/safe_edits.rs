//! Conditional requests and safe retries on `PATCH /v2/accounts/{accountId}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{ACC, ADMIN, Fixture, MANAGER};
use testkit::safe_edits::{Endpoint, Target};
use update_account_v2::{AccountV2 as Api, TABLE_LOGICAL_ID, store::account_key};

struct V2(Fixture);

impl Endpoint for V2 {
    type Api = Api;

    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key(ACC),
            success: 200,
            route: ("PATCH", "/v2/accounts/acc_1", &[("accountId", ACC)]),
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
    fn credential(&self, other: bool) -> (&'static str, String) {
        ("x-auth-token", (if other { MANAGER } else { ADMIN }).to_owned())
    }
}

testkit::safe_edit_tests!(
    V2(Fixture::new().await),
    precondition = "PRECONDITION_FAILED",
    header = "INVALID_REQUEST",
    reused = "IDEMPOTENCY_KEY_REUSED"
);
