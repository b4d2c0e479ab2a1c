//! Conditional requests and safe retries on `PATCH /v0/accounts/{account_id}`
//! (weak ETags: the body shows prospects the version does not cover): what
//! `testkit::suite::safe_edits` needs of it beside its `Tested` facts.

use super::Fixture;
use testkit::suite::safe_edits::Endpoint;

impl Endpoint for Fixture {
    const WEAK: bool = true;
    const FIELD: &'static str = "name";
    const INVALID: &'static str = r#""""#;
}
