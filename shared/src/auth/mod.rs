//! Credentials: how a secret arrives (a header), how it is stored (only as
//! its SHA-256), and how the principal it belongs to is found.
//!
//! Every API of this project stores its credentials the same way: one item
//! per secret, keyed `CREDENTIAL#<sha256 hex>` / `CREDENTIAL`, holding the
//! principal's attributes (OU, tenant, roles...). Endpoints define what a
//! principal is; this module finds it. Secrets are never logged: only
//! [`SecretHash`] values are, and they print shortened.

mod header;
mod principal;
mod secret;

pub use header::{CredentialError, bearer_token, header_token};
pub use principal::{
    CREDENTIAL_PK_PREFIX, CREDENTIAL_READ_IS_CONSISTENT, SeedSecret, credential_item, credential_key,
    find_principal,
};
pub use secret::SecretHash;
