//! Credentials: how a secret arrives (a header), how it is stored (only as
//! its SHA-256), and how the principal it belongs to is found.
//!
//! Every API of this project stores its credentials the same way: one item
//! per secret, keyed `CREDENTIAL#<sha256 hex>` / `CREDENTIAL`, holding the
//! principal's attributes (OU, tenant, roles...). Endpoints define what a
//! principal is; this module finds it, through a per-container cache
//! ([`cache`]: off unless `CREDENTIAL_CACHE_TTL_SECONDS` is set; 60 s as
//! deployed, the revocation delay it trades for a round trip). Secrets are never logged: only
//! [`SecretHash`] values are, and they print shortened.

pub mod cache;
mod header;
mod principal;
mod secret;

pub use cache::{CREDENTIAL_CACHE_TTL_VAR, CredentialCache};
pub use header::{CredentialError, bearer_token, header_token};
pub use principal::{
    CREDENTIAL_PK_PREFIX, CREDENTIAL_READ_IS_CONSISTENT, SeedSecret, credential_item, credential_key,
    find_principal, find_principal_in, warm_up,
};
pub use secret::{GENERATED_SECRET_LEN, SecretHash, generate_secret};
