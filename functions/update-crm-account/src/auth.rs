//! Who is calling: the tenant an API key belongs to.
//!
//! Keys arrive in the `x-api-key` header and are stored only as SHA-256
//! hashes (see [`shared::auth`]), each owned by one tenant. A missing key
//! and an unknown key are both 401; records are keyed by tenant, so the
//! principal decides everything this request can address.

use crate::error::ApiError;
use lambda_http::Request;
use serde::Deserialize;
use shared::{Ctx, auth, error::Common, store::Table};

/// The header carrying the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The caller: the tenant whose key was sent. Only
/// [`authenticate`] makes one, from a stored credential.
#[derive(Debug, Clone, Deserialize)]
pub struct Principal {
    tenant_id: String,
}

impl Principal {
    /// The tenant every key of this request is built from.
    pub fn tenant(&self) -> &str {
        &self.tenant_id
    }
}

/// The principal of the request's API key: 401 ([`Common::Credentials`])
/// without a usable header, 401 ([`Common::UnknownCredential`]) for a key
/// no credential matches.
pub async fn authenticate(ctx: &Ctx, table: &Table, req: &Request) -> Result<Principal, ApiError> {
    let key = auth::header_token(req, API_KEY_HEADER)?;
    let principal: Principal = auth::find_principal(table, key)
        .await?
        .ok_or(Common::UnknownCredential)?;
    ctx.record_principal(vec![("tenant_id", principal.tenant_id.clone())]);
    Ok(principal)
}
