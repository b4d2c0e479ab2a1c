//! What every account endpoint shares, and nothing that differs between
//! contracts: the frame that answers every request ([`endpoint`]: method,
//! deadline, preconditions, idempotency, telemetry), the request in flight
//! ([`Ctx`], built by the frame and passed to what decides something for
//! the request), its DynamoDB calls counted for telemetry ([`scope`]), safe retries
//! ([`idempotency`]), the PATCH body model ([`patch`]), body parsing,
//! conditional requests and responses ([`http`]), validation rules
//! ([`validate`]), credentials ([`auth`]), DynamoDB access and the one write
//! driver ([`store`]), per-container caches ([`cache`]), timestamps
//! ([`clock`]), logging ([`telemetry`]), the per-request metrics line
//! ([`metrics`]), each function's seed section and what the seed formats
//! share ([`seed`]) and the binaries' allocator ([`allocator`]).
//!
//! A handler built on this crate reads top to bottom as: authenticate
//! ([`auth`]) -> parse ([`http::parse_json_object`]) -> validate
//! ([`validate`]) -> plan one conditional write ([`store::write`]) ->
//! render (the endpoint's own envelope, with [`http::json`] /
//! [`http::empty`]), all inside [`endpoint::respond`], which hands the
//! work the request's [`Ctx`]: authentication records the principal in it,
//! and the write driver reads the preconditions and idempotency claim from
//! it and records there the version it committed. What an endpoint
//! refuses before reading a credential or its table is its
//! `check_request` ([`endpoint::Endpoint`]), which the fuzz targets run.

pub mod allocator;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod metrics;
pub mod patch;
pub mod seed;
pub mod store;
pub mod telemetry;
pub mod typeid;
pub mod validate;

/// The request context, the request's ambient counts and the idempotency
/// records are parts of the store: the write driver reads the context,
/// counts into the scope and commits the record with the change. Their
/// paths stay `shared::context`, `shared::scope` and `shared::idempotency`.
pub use store::{context, idempotency, scope};

/// The request in flight, passed explicitly ([`context`]).
pub use store::context::Ctx;

pub use lambda_http;
