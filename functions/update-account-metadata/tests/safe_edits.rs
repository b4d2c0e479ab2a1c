//! Conditional requests and safe retries on `PATCH /accounts/{accountId}/metadata` (204): ETag /
//! If-Match and Idempotency-Key, through the shared checks
//! (`testkit::safe_edits`).

mod common;

use common::{Fixture, SALES};
use serde_json::json;
use testkit::safe_edits::{Endpoint, Target};
use update_account_metadata::{Metadata as Api, TABLE_LOGICAL_ID, store::account_key};

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
    type Api = Api;

    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("acct_1"),
            success: 204,
            route: ("PATCH", "/accounts/acct_1/metadata", &[("accountId", "acct_1")]),
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
    fn credential(&self, other: bool) -> (&'static str, String) {
        (
            "authorization",
            format!("Bearer {}", if other { SALES_2 } else { SALES }),
        )
    }
}

testkit::safe_edit_tests!(
    Metadata::new().await,
    precondition = "precondition_failed",
    header = "invalid_header",
    reused = "idempotency_key_reused"
);
