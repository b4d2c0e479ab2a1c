//! Conditional requests and safe retries on
//! `PATCH /accounts/{accountId}/metadata` (204): what
//! `testkit::suite::safe_edits` needs of it beside its `Tested` facts.

use super::Fixture;
use testkit::suite::safe_edits::Endpoint;

impl Endpoint for Fixture {
    const FIELD: &'static str = "name";
    const INVALID: &'static str = r#""""#;
}
