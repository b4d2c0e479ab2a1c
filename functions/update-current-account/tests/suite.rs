//! The generic suites (`testkit::suite`) run for both routes of contract
//! 003: `PATCH /v1/account` (the shipped events, the real binary's logs at
//! TRACE, DynamoDB faults: 503 `service_unavailable`, a transaction
//! conflict on the email claim included; the isolation matrix) and
//! `POST /v1/account/email/confirm` (events, logs, faults).

mod common;

mod update {
    testkit::endpoint_suite!(crate::common::Fixture; events, logs, faults, isolation);
}

mod confirm {
    testkit::endpoint_suite!(crate::common::Confirm; events, logs, faults);
}
