//! Who is calling: the principal a token stands for (a [`Role`] on a set of
//! accounts), how a token becomes one, and what that principal may do.
//!
//! Tokens arrive in `X-Auth-Token`, or as `Authorization: Bearer` (as the
//! contract's code examples send them), and are stored only as SHA-256
//! hashes ([`shared::auth`]).

use crate::{
    error::ApiError,
    request::{AccountId, WireBody},
};
use lambda_http::Request;
use serde::Deserialize;
use shared::{
    Ctx,
    auth::{self, CredentialError},
    error::Common,
    store::Table,
};

/// The header a token is sent in first.
pub const TOKEN_HEADER: &str = "x-auth-token";

/// A token's role on its accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every field.
    Admin,
    /// Every field but `status`.
    Manager,
    /// No updates.
    Readonly,
}

/// What a token stands for: a role on a set of accounts.
#[derive(Debug, Clone, Deserialize)]
pub struct Principal {
    /// The role.
    pub role: Role,
    /// The accounts the token may see.
    pub account_ids: Vec<String>,
}

impl Principal {
    /// 404 ([`Common::NotFound`]) unless the token has access to account
    /// `id`: an account it cannot see answers exactly like a missing one.
    /// Records the account and the role for the request's audit trail.
    pub fn check_access(&self, ctx: &Ctx, id: &AccountId) -> Result<(), ApiError> {
        if self.account_ids.iter().any(|a| a == id.as_str()) {
            let role = match self.role {
                Role::Admin => "admin",
                Role::Manager => "manager",
                Role::Readonly => "readonly",
            };
            ctx.record_acting(id.as_str(), role);
            Ok(())
        } else {
            Err(Common::NotFound.into())
        }
    }

    /// 403 ([`ApiError::Forbidden`]) unless the role may send these fields:
    /// `readonly` may send none, `manager` anything but `status`.
    pub fn check_role(&self, body: &WireBody) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Manager if body.status.is_absent() => Ok(()),
            Role::Manager => Err(ApiError::Forbidden {
                message: "a manager token cannot change status; an admin token is required".to_owned(),
                field: Some("status"),
            }),
            Role::Readonly => Err(ApiError::Forbidden {
                message: "a readonly token cannot update accounts".to_owned(),
                field: None,
            }),
        }
    }
}

/// The token from [`TOKEN_HEADER`], else from `Authorization: Bearer`, and
/// its principal. 401 when neither header holds a token
/// ([`Common::Credentials`]) or no stored credential matches it
/// ([`Common::UnknownCredential`]); a store failure is the store's error.
pub async fn authenticate(ctx: &Ctx, table: &Table, req: &Request) -> Result<Principal, ApiError> {
    let token = match auth::header_token(req, TOKEN_HEADER) {
        Err(CredentialError::Missing) => auth::bearer_token(req),
        other => other,
    }?;
    let principal: Principal = auth::find_principal(table, token)
        .await?
        .ok_or(Common::UnknownCredential)?;
    ctx.record_principal(vec![("account_id", principal.account_ids.join(","))]);
    Ok(principal)
}
