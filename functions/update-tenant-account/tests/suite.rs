//! The generic suites (`testkit::suite`) run for `PATCH /v0/accounts/{account_id}`: the shipped
//! events, the real binary's logs at TRACE, DynamoDB faults (503
//! `unavailable`) and the isolation matrix.

mod common;

testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, isolation);
