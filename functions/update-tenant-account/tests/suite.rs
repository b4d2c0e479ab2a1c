//! The generic suites (`testkit::suite`) run for
//! `PATCH /v0/accounts/{account_id}`: the shipped events, the real
//! binary's logs at TRACE, DynamoDB faults (503 `unavailable`), storage
//! failing for good (500) or throttled past the retries, and the isolation
//! matrix.

mod common;

testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, storage, safe_edits, isolation);
