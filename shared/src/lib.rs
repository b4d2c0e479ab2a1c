//! What every account endpoint shares, and nothing that differs between
//! contracts: the frame that answers every request ([`endpoint`]: method,
//! deadline, preconditions, idempotency, telemetry), the request in flight
//! as the shared mechanisms see it ([`scope`]), safe retries
//! ([`idempotency`]), the PATCH body model ([`patch`]), body parsing,
//! conditional requests and responses ([`http`]), validation rules
//! ([`validate`]), credentials ([`auth`]), DynamoDB access and the one write
//! driver ([`store`]), per-container caches ([`cache`]), timestamps
//! ([`clock`]), logging ([`telemetry`]), the per-request metrics line
//! ([`metrics`]) and the binaries' allocator ([`allocator`]).
//!
//! A handler built on this crate reads top to bottom as: authenticate
//! ([`auth`]) -> parse ([`http::parse_json_object`]) -> validate
//! ([`validate`]) -> plan one conditional write ([`store::write`]) ->
//! render (the endpoint's own envelope, with [`http::json`] /
//! [`http::empty`]), all inside [`endpoint::respond`].

pub mod allocator;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod metrics;
pub mod patch;
pub mod store;
pub mod telemetry;
pub mod typeid;
pub mod validate;

/// The request scope and the idempotency records are parts of the store:
/// the write driver reads the one and commits the other with the change.
/// Their paths stay `shared::scope` and `shared::idempotency`.
pub use store::{idempotency, scope};

pub use lambda_http;
