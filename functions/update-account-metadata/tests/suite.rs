//! The generic suites (`testkit::suite`) run for
//! `PATCH /accounts/{accountId}/metadata`: the shipped events, the real
//! binary's logs at TRACE, DynamoDB faults (503 `unavailable`, or
//! `throttled`, in problem+json), storage failing for good (500) or
//! throttled past the retries, and the isolation matrix.

mod common;

testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, storage, safe_edits, isolation);
