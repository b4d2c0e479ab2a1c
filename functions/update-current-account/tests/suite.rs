//! The generic suites (`testkit::suite`) run for both routes of contract
//! 003. `PATCH /v1/account`: the shipped events, the real binary's logs
//! at TRACE, DynamoDB faults (503 `service_unavailable`, a transaction
//! conflict on the email claim included), storage failing for good (500)
//! or throttled past the retries, and the isolation matrix.
//! `POST /v1/account/email/confirm`: the same but the matrix.

mod common;

mod update {
    testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, storage, safe_edits, isolation);
}

mod confirm {
    testkit::endpoint_suite!(crate::common::Confirm; events, logs, faults, storage);
}
