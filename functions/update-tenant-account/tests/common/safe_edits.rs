//! Conditional requests and safe retries on `PATCH /v0/accounts/{account_id}`
//! (weak ETags: the body shows prospects the version does not cover): what
//! `testkit::suite::safe_edits` needs of it.

use super::{ACME, Fixture, KEY_A};
use serde_json::json;
use shared::store::Key;
use testkit::suite::safe_edits::{Codes, Endpoint};
use update_tenant_account::store::account_key;

/// A second API key of tenant A.
const KEY_A2: &str = "key-tenant-a-second-0123456789";

impl Endpoint for Fixture {
    const ROUTE: (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) = (
        "PATCH",
        "/v0/accounts/account_01jfrt4z00fay8vvr14d2pf2db",
        &[("account_id", ACME)],
    );
    const SUCCESS: u16 = 200;
    const WEAK: bool = true;
    const BODIES: [&'static str; 3] = [
        r#"{"name": "Acme A"}"#,
        r#"{"name": "Acme B"}"#,
        r#"{"name": ""}"#,
    ];
    const CODES: Codes = Codes {
        precondition: "precondition_failed",
        header: "invalid_header",
        reused: "idempotency_key_reused",
    };

    fn subject() -> Key {
        account_key("tenant_a", ACME)
    }

    fn credential(other: bool) -> (&'static str, String) {
        ("x-api-key", (if other { KEY_A2 } else { KEY_A }).to_owned())
    }

    async fn with_other_credential(self) -> Self {
        self.seed(json!({"api_keys": [{"token": KEY_A2, "tenant_id": "tenant_a"}]}))
            .await;
        self
    }
}
