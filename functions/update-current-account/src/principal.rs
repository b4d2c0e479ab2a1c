//! Who is calling, and which account the request is about.

use crate::{State, error::ApiError};
use lambda_http::Request;
use serde::Deserialize;
use shared::auth;

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

/// The header an admin names another account with.
pub const ACCOUNT_HEADER: &str = "x-account-id";

/// The account a request is about: the token's own, or, for an admin
/// token, the one named by `X-Account-Id`.
///
/// Errors: 401 for a missing, malformed or unknown token; then 400 for an
/// `X-Account-Id` that is present but not one account id (see
/// [`named_account`]), never a fall back to the token's own account; 403
/// for a non-admin token naming another account.
pub async fn target_account(state: &State, req: &Request) -> Result<String, ApiError> {
    let token = auth::bearer_token(req).map_err(ApiError::Credentials)?;
    let principal: Principal = auth::find_principal(&state.table, token)
        .await?
        .ok_or(ApiError::UnknownToken)?;
    match named_account(req)? {
        None => Ok(principal.account_id),
        Some(named) if named == principal.account_id => Ok(principal.account_id),
        Some(named) if principal.role == Role::Admin => Ok(named.to_owned()),
        Some(_) => Err(ApiError::Forbidden),
    }
}

/// The account `X-Account-Id` names: `None` when the header is absent;
/// 400 when it is present but empty, repeated, not visible ASCII, or not an
/// account id ([`is_account_id`]: 1-128 letters, digits, `_` or `-`).
pub fn named_account(req: &Request) -> Result<Option<&str>, ApiError> {
    let mut values = req.headers().get_all(ACCOUNT_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let refuse = || {
        crate::error::invalid(
            "X-Account-Id",
            "must be one account id (1-128 letters, digits, '_' or '-')",
        )
    };
    if values.next().is_some() {
        return Err(refuse());
    }
    match value.to_str() {
        Ok(id) if is_account_id(id) => Ok(Some(id)),
        _ => Err(refuse()),
    }
}

pub use shared::validate::is_record_id as is_account_id;
