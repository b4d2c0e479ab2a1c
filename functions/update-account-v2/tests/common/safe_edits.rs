//! Conditional requests and safe retries on `PATCH /v2/accounts/{accountId}`:
//! what `testkit::suite::safe_edits` needs of it beside its `Tested` facts.

use super::Fixture;
use testkit::suite::safe_edits::Endpoint;

impl Endpoint for Fixture {
    const FIELD: &'static str = "displayName";
    const INVALID: &'static str = "5";
}
