//! A real DynamoDB-compatible server for tests and the local run, with the
//! tables of `template.yaml` and the seed data of a seed file.
//!
//! - [`LocalDynamo`] (from the `local-dynamo` crate): dynoxide (DynamoDB on
//!   SQLite) served over HTTP on 127.0.0.1, in-process: in memory for tests,
//!   on a file for `cargo xtask dev`.
//! - [`template`], [`seed`] and [`local_client`] (from the `fixtures` crate): the
//!   `AWS::DynamoDB::Table` resources of `template.yaml`, created by code,
//!   so the template is the one table definition; a seed file's sections; a
//!   client for the local server.
//! - [`TestDb`]: what a test starts: a fresh server (or, when
//!   `DYNAMODB_ENDPOINT` is set, that server with uniquely prefixed tables),
//!   all tables created, a client for it.
//! - [`Harness`]: a fresh [`TestDb`] and an endpoint's state on it, what
//!   every endpoint crate's test fixture is built on.
//! - [`answers`]: assertions on answers several contracts share.
//! - [`events`]: API Gateway events from `events/`, and response helpers.
//! - [`isolation`]: leak, snapshot and revocation checks of the isolation matrices.
//! - [`fault_proxy`]: faults injected between the SDK and the local server,
//!   among them a write that commits and whose answer is lost.
//! - [`local_api`]: the HTTP API in process: the template's routes served on
//!   127.0.0.1, each calling its function's handler with an API Gateway event.
//! - [`runtime_api`]: a local Lambda Runtime API that runs a function's
//!   real binary over a list of events; [`secrets`]: the secrets in test
//!   inputs, to assert that no log line holds one.
//! - [`routes`]: the template's HTTP routes, checked for what API Gateway
//!   refuses at deploy time, and the local `cargo lambda watch` router.
//! - [`emf`]: CloudWatch Embedded Metric Format records, checked against the specification.
//! - [`suite`]: the generic suites every endpoint crate instantiates (events, logs,
//!   faults, storage, safe edits: ETag / If-Match and Idempotency-Key, isolation),
//!   driven by its [`suite::Tested`] fixture.
//! - [`SentRequests`]: the requests the SDK sends, recorded for tests that count calls.
//! - [`concurrent`]: many copies of a request at once, for race tests;
//!   [`refusals`]: refused requests that must write nothing.
//! - [`arbitrary`]: proptest generators and the merge model shared by the property tests;
//!   [`body_properties`]: the body properties every endpoint holds, as named proptests;
//!   [`merge_checks`]: what a merge property asserts of validation and of a planned write.

pub mod answers;
pub mod arbitrary;
pub mod body_properties;
pub mod claims;
pub mod concurrent;
pub mod cors;
pub mod emf;
pub mod events;
pub mod fault_proxy;
mod harness;
pub mod isolation;
pub mod local_api;
pub mod merge_checks;
pub mod refusals;
pub mod routes;
pub mod runtime_api;
pub mod secrets;
mod sent;
pub mod streams;
pub mod suite;
mod test_db;
mod throttled;

pub use fault_proxy::{
    AnswerLoss, EVERY_FAULT, Fault, FaultProxy, LostAnswer, LostWrite, TEST_BUDGET, check_faults,
    lose_write_answers, refused_endpoint,
};
pub use fixtures::client::{local_client, local_client_with};
pub use fixtures::{seed, template};
pub use harness::{Harness, SeedFormat};
pub use local_dynamo::LocalDynamo;
pub use sent::SentRequests;
pub use test_db::TestDb;
pub use throttled::ThrottlingEndpoint;

use std::path::PathBuf;

/// The workspace root (where `template.yaml` and `events/` are).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.join("../..").canonicalize().unwrap_or(here)
}
