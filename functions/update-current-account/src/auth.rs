//! Who is calling: the principal a bearer token stands for, and which
//! account a request by it may be about.
//!
//! Tokens are `Authorization: Bearer <access_token>`, stored only as their
//! SHA-256 ([`shared::auth`]); each is a user's, with role `owner` or
//! `admin` on one account.

use crate::{State, error::ApiError, request::AccountId};
use lambda_http::Request;
use serde::Deserialize;
use shared::{Ctx, auth, error::Common};

/// A token's role on its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The account's owner: may update that account.
    Owner,
    /// Elevated privileges: may also update another account named in `X-Account-Id`.
    Admin,
}

/// What a bearer token stands for.
#[derive(Debug, Clone, Deserialize)]
pub struct Principal {
    /// The account the token's user belongs to.
    pub account_id: AccountId,
    /// The user's role there.
    pub role: Role,
}

/// The principal of the request's bearer token: 401 when the token is
/// missing, malformed or unknown.
pub async fn authenticate(ctx: &Ctx, state: &State, req: &Request) -> Result<Principal, ApiError> {
    let token = auth::bearer_token(req)?;
    let principal: Principal = auth::find_principal(&state.table, token)
        .await?
        .ok_or(Common::UnknownCredential)?;
    ctx.record_principal(vec![("account_id", principal.account_id.as_str().to_owned())]);
    Ok(principal)
}

impl Principal {
    /// The account a request is about: the principal's own when `named`
    /// (from `X-Account-Id`, see [`crate::request::named_account`]) is
    /// absent or the same; the named one for an admin; else 403.
    pub fn target(self, ctx: &Ctx, named: Option<AccountId>) -> Result<AccountId, ApiError> {
        match named {
            None => Ok(self.account_id),
            Some(named) if named == self.account_id => Ok(self.account_id),
            Some(named) if self.role == Role::Admin => {
                ctx.record_acting(named.as_str(), "admin");
                Ok(named)
            }
            Some(_) => Err(ApiError::Forbidden),
        }
    }
}
