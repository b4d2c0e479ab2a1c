//! Conditional requests and safe retries on `PATCH /accounts/{accountId}`:
//! what `testkit::suite::safe_edits` needs of it.

use super::{Fixture, KEY_A};
use serde_json::json;
use shared::store::Key;
use testkit::suite::safe_edits::{Codes, Endpoint};
use update_crm_account::store::account_key;

/// A second API key of tenant `a`.
const KEY_A2: &str = "crm-key-a-second-0123456789";

impl Endpoint for Fixture {
    const ROUTE: (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) = ("PATCH", "/accounts/1001", &[("accountId", "1001")]);
    const SUCCESS: u16 = 200;
    const BODIES: [&'static str; 3] = [
        r#"{"title": "Acme A"}"#,
        r#"{"title": "Acme B"}"#,
        r#"{"title": 5}"#,
    ];
    const CODES: Codes = Codes {
        precondition: "PreconditionFailedError",
        header: "BadRequestError",
        reused: "UnprocessableEntityError",
    };

    fn subject() -> Key {
        account_key("a", 1001)
    }

    fn credential(other: bool) -> (&'static str, String) {
        ("x-api-key", (if other { KEY_A2 } else { KEY_A }).to_owned())
    }

    async fn with_other_credential(self) -> Self {
        self.seed(json!({"api_keys": [{"token": KEY_A2, "tenant_id": "a"}]}))
            .await;
        self
    }
}
