//! Conditional requests and safe retries on `PATCH /accounts/{accountId}`:
//! what `testkit::suite::safe_edits` needs of it beside its `Tested` facts.

use super::Fixture;
use testkit::suite::safe_edits::Endpoint;

impl Endpoint for Fixture {
    const FIELD: &'static str = "title";
    const INVALID: &'static str = "5";
}
