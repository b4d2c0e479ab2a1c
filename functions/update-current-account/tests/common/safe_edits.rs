//! Conditional requests and safe retries on `PATCH /v1/account`: what
//! `testkit::suite::safe_edits` needs of it. The confirm route gets the
//! same through `shared::endpoint::respond` and the driver.

use super::{Fixture, T1};
use serde_json::json;
use shared::store::Key;
use testkit::suite::safe_edits::{Codes, Endpoint};
use update_current_account::store::account_key;

/// A second token of `acct_1`'s owner.
const T1_SECOND: &str = "v1-token-owner-1-second-0123456789";

impl Endpoint for Fixture {
    const ROUTE: (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) = ("PATCH", "/v1/account", &[]);
    const SUCCESS: u16 = 200;
    const BODIES: [&'static str; 3] = [
        r#"{"name": "Acme A"}"#,
        r#"{"name": "Acme B"}"#,
        r#"{"name": null}"#,
    ];
    const CODES: Codes = Codes {
        precondition: "precondition_failed",
        header: "invalid_request",
        reused: "idempotency_key_reused",
    };

    fn subject() -> Key {
        account_key("acct_1")
    }

    fn credential(other: bool) -> (&'static str, String) {
        let token = if other { T1_SECOND } else { T1 };
        ("authorization", format!("Bearer {token}"))
    }

    async fn with_other_credential(self) -> Self {
        self.seed(json!({"tokens": [{"token": T1_SECOND, "account_id": "acct_1", "role": "owner"}]}))
            .await;
        self
    }
}
