//! DynamoDB access: one generic table shape (`pk`, `sk`), expressions in
//! which every name and value is a placeholder, conditional writes, and
//! error classification.
//!
//! Every table of this project has the same key schema: a string partition
//! key `pk` and a string sort key `sk`. Endpoints choose the key values
//! (`ACCOUNT#<id>` / `ACCOUNT`, ...); this module never interprets them.
//!
//! The write driver ([`write`](mod@write)) applies what the request in flight asks
//! (its [`context::Ctx`], passed to it) and commits a keyed request's
//! record with its change ([`idempotency`]); every call is counted into the
//! request's ambient [`scope`] for its telemetry line. All three live here,
//! below the driver, so that nothing in the store imports a module that
//! imports the store. The crate root re-exports them as `shared::context`
//! (and `shared::Ctx`), `shared::scope` and `shared::idempotency`.

mod attempts;
pub mod attr;
pub mod claims;
mod client;
mod cond;
pub mod context;
mod credentials;
mod error;
mod expr;
pub mod idempotency;
mod key;
pub mod merge;
pub mod scope;
mod table;
mod transact;
mod update;
pub mod write;

pub use client::{
    TimeBudget, client_from_env, credentials_from_env, endpoint_from_env, https_client, region_from_env,
};
pub use cond::{Cond, Path};
pub use credentials::EnvCredentials;
pub use error::{CancelReason, StoreError};
pub use expr::{ExprParts, Placeholders};
pub use key::{Key, PK, SK};

/// The counter every write of an account bumps, from which ETags are
/// derived ([`crate::http::precondition`]).
pub const VERSION: &str = "version";
pub use table::Table;
pub use update::Update;

/// A DynamoDB item as the SDK represents it.
pub type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;
