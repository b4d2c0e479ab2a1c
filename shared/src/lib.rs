//! What every account endpoint shares, and nothing that differs between
//! contracts: the PATCH body model ([`patch`]), body parsing and responses
//! ([`http`]), validation rules ([`validate`]), credentials ([`auth`]),
//! DynamoDB access ([`store`]), per-container caches ([`cache`]), timestamps
//! ([`clock`]) and logging ([`telemetry`]).
//!
//! A handler built on this crate reads top to bottom as: authenticate
//! ([`auth`]) -> parse ([`http::parse_json_object`]) -> validate
//! ([`validate`]) -> plan one conditional write ([`store::Update`]) ->
//! render (the endpoint's own envelope, with [`http::json`] / [`http::empty`]).

pub mod auth;
pub mod cache;
pub mod clock;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod metrics;
pub mod patch;
pub mod scope;
pub mod store;
pub mod telemetry;
pub mod typeid;
pub mod validate;

pub use lambda_http;
