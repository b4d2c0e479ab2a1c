//! Conditional requests and safe retries on
//! `PATCH /accounts/{accountId}/metadata` (204): what
//! `testkit::suite::safe_edits` needs of it.

use super::{Fixture, SALES};
use serde_json::json;
use shared::store::Key;
use testkit::suite::safe_edits::{Codes, Endpoint};
use update_account_metadata::store::account_key;

/// A second token of the same OU.
const SALES_2: &str = "tok-sales-second-0123456789";

impl Endpoint for Fixture {
    const ROUTE: (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) = ("PATCH", "/accounts/acct_1/metadata", &[("accountId", "acct_1")]);
    const SUCCESS: u16 = 204;
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
        account_key("acct_1")
    }

    fn credential(other: bool) -> (&'static str, String) {
        let token = if other { SALES_2 } else { SALES };
        ("authorization", format!("Bearer {token}"))
    }

    async fn with_other_credential(self) -> Self {
        self.seed(json!({"tokens": [{"token": SALES_2, "ou_id": "ou_sales"}]}))
            .await;
        self
    }
}
