//! Who is calling: the principal an API key stands for.
//!
//! Keys arrive in the `x-api-key` header and are stored only as SHA-256
//! hashes ([`shared::auth`]), each item holding the tenant that owns the key.

use crate::error::ApiError;
use lambda_http::Request;
use serde::Deserialize;
use shared::{Ctx, error::Common, store::Table};

/// The header carrying the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The principal an API key stands for: the tenant that owns it. Every key
/// the handler builds is scoped to this tenant.
#[derive(Debug, Clone, Deserialize)]
pub struct Principal {
    /// The tenant owning the key.
    pub tenant_id: String,
}

/// The principal of the request's API key.
///
/// Errors (all 401): no usable [`API_KEY_HEADER`] ([`Common::Credentials`]),
/// a well-formed key that no stored credential matches
/// ([`Common::UnknownCredential`]); a store failure is the store's error
/// (503 or 500).
pub async fn authenticate(ctx: &Ctx, table: &Table, req: &Request) -> Result<Principal, ApiError> {
    let key = shared::auth::header_token(req, API_KEY_HEADER)?;
    let principal: Principal = shared::auth::find_principal(table, key)
        .await?
        .ok_or(Common::UnknownCredential)?;
    ctx.record_principal(vec![("tenant_id", principal.tenant_id.clone())]);
    Ok(principal)
}
