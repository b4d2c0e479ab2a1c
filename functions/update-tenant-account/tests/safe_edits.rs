//! Conditional requests and safe retries on `PATCH /v0/accounts/{account_id}`: ETag / If-Match and
//! Idempotency-Key, through the shared checks (`testkit::safe_edits`).

mod common;

use common::{ACME, Fixture, KEY_A};
use serde_json::json;
use testkit::safe_edits::{Endpoint, Target};
use update_tenant_account::{TABLE_LOGICAL_ID, TenantAccount as Api, store::account_key};

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
    type Api = Api;

    fn target(&self) -> Target<'_> {
        Target {
            db: &self.0.db,
            table: TABLE_LOGICAL_ID,
            subject: account_key("tenant_a", ACME),
            success: 200,
            route: (
                "PATCH",
                "/v0/accounts/account_01jfrt4z00fay8vvr14d2pf2db",
                &[("account_id", ACME)],
            ),
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
    fn credential(&self, other: bool) -> (&'static str, String) {
        ("x-api-key", (if other { KEY_A2 } else { KEY_A }).to_owned())
    }
}

testkit::safe_edit_tests!(
    Tenant::new().await,
    precondition = "precondition_failed",
    header = "invalid_header",
    reused = "idempotency_key_reused"
);
