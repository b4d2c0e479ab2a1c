//! Conditional requests and safe retries on `PATCH /v2/accounts/{accountId}`:
//! what `testkit::suite::safe_edits` needs of it. The second credential is
//! the fixture's manager.

use super::{ACC, ADMIN, Fixture, MANAGER};
use shared::store::Key;
use testkit::suite::safe_edits::{Codes, Endpoint};
use update_account_v2::store::account_key;

impl Endpoint for Fixture {
    const ROUTE: (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ) = ("PATCH", "/v2/accounts/acc_1", &[("accountId", ACC)]);
    const SUCCESS: u16 = 200;
    const BODIES: [&'static str; 3] = [
        r#"{"displayName": "Acme A"}"#,
        r#"{"displayName": "Acme B"}"#,
        r#"{"displayName": 5}"#,
    ];
    const CODES: Codes = Codes {
        precondition: "PRECONDITION_FAILED",
        header: "INVALID_REQUEST",
        reused: "IDEMPOTENCY_KEY_REUSED",
    };

    fn subject() -> Key {
        account_key(ACC)
    }

    fn credential(other: bool) -> (&'static str, String) {
        ("x-auth-token", (if other { MANAGER } else { ADMIN }).to_owned())
    }

    async fn with_other_credential(self) -> Self {
        self
    }
}
