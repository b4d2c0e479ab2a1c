//! The generic suites (`testkit::suite`) run for `PATCH /accounts/{accountId}/metadata`: the
//! shipped events, the real binary's logs at TRACE, DynamoDB faults (503,
//! `throttled` or `unavailable`, in problem+json) and the isolation matrix.

mod common;

testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, isolation);
