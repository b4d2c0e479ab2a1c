//! Conditional requests and safe retries on `PATCH /accounts/{accountId}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{Fixture, KEY_A};
use serde_json::json;
use testkit::safe_edits::{Endpoint, Target};
use update_crm_account::{CrmAccount as Api, TABLE_LOGICAL_ID, store::account_key};

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
    type Api = Api;

    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("a", 1001),
            success: 200,
            route: ("PATCH", "/accounts/1001", &[("accountId", "1001")]),
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
    fn credential(&self, other: bool) -> (&'static str, String) {
        ("x-api-key", (if other { KEY_A2 } else { KEY_A }).to_owned())
    }
}

testkit::safe_edit_tests!(
    Crm::new().await,
    precondition = "PreconditionFailedError",
    header = "BadRequestError",
    reused = "UnprocessableEntityError"
);
