//! Conditional requests and safe retries on `PATCH /v1/account`: what
//! `testkit::suite::safe_edits` needs of it beside its `Tested` facts. The
//! confirm route gets the same through `shared::endpoint::respond` and the
//! driver.

use super::Fixture;
use testkit::suite::safe_edits::Endpoint;

impl Endpoint for Fixture {
    const FIELD: &'static str = "name";
    const INVALID: &'static str = "null";
}
