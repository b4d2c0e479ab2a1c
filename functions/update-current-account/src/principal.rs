//! Who is calling, and which account the request is about.

use crate::{State, error::ApiError};
use lambda_http::Request;
use serde::Deserialize;
use shared::{auth, http};

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
    pub account_id: String,
    /// The user's role there.
    pub role: Role,
}

/// The account a request is about: the token's own, or, for an admin
/// token, the one named by `X-Account-Id`.
///
/// Errors: 401 for a missing, malformed or unknown token; 403 for a
/// non-admin token naming another account; 400 for a malformed header.
pub async fn target_account(state: &State, req: &Request) -> Result<String, ApiError> {
    let token = auth::bearer_token(req).map_err(ApiError::Credentials)?;
    let principal: Principal = auth::find_principal(&state.table, token)
        .await?
        .ok_or(ApiError::UnknownToken)?;
    match http::header(req, "x-account-id") {
        None => Ok(principal.account_id),
        Some(named) if named == principal.account_id => Ok(principal.account_id),
        Some(named) if !is_account_id(named) => Err(crate::error::invalid(
            "X-Account-Id",
            "must be an account id (1-128 letters, digits, '_' or '-')",
        )),
        Some(named) if principal.role == Role::Admin => Ok(named.to_owned()),
        Some(_) => Err(ApiError::Forbidden),
    }
}

pub use shared::validate::is_record_id as is_account_id;
