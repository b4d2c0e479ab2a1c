//! Who is calling: the principal a bearer token stands for.
//!
//! Tokens arrive as `Authorization: Bearer <token>` and are stored only as
//! SHA-256 hashes ([`shared::auth`]), each item holding the OU the token is
//! active in.

use crate::error::ApiError;
use lambda_http::Request;
use serde::Deserialize;
use shared::{Ctx, error::Common, store::Table};

/// The principal a token stands for: the OU it is active in. Every write
/// is scoped to this OU.
#[derive(Debug, Clone, Deserialize)]
pub struct Principal {
    /// The Organizational Unit the token is active in.
    pub ou_id: String,
}

/// The principal of the request's bearer token.
///
/// Errors (all 401): no usable `Authorization: Bearer` header
/// ([`Common::Credentials`]), a well-formed token that no stored
/// credential matches ([`Common::UnknownCredential`]); a store failure is
/// the store's error (503 or 500).
pub async fn authenticate(ctx: &Ctx, table: &Table, req: &Request) -> Result<Principal, ApiError> {
    let token = shared::auth::bearer_token(req)?;
    let principal: Principal = shared::auth::find_principal(table, token)
        .await?
        .ok_or(Common::UnknownCredential)?;
    ctx.record_principal(vec![("ou_id", principal.ou_id.clone())]);
    Ok(principal)
}
