//! The generic suites (`testkit::suite`) run for
//! `PATCH /v2/accounts/{accountId}`: the shipped events, the real binary's
//! logs at TRACE, DynamoDB faults (429 `RATE_LIMITED`, the status contract
//! 004 lists for "retry later", a transaction conflict on the email claim
//! included), storage failing for good (500) or throttled past the
//! retries, and the isolation matrix.

mod common;

testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, storage, safe_edits, isolation);
