//! Tokens and what they may do.

use crate::{State, change::WireBody, error::ApiError};
use lambda_http::Request;
use serde::Deserialize;
use shared::{auth, auth::CredentialError};

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
    /// 404 unless the token has access to account `id` (an account it cannot
    /// see answers exactly like a missing one).
    pub fn check_access(&self, id: &str) -> Result<(), ApiError> {
        if self.account_ids.iter().any(|a| a == id) {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// 403 unless the role may send these fields.
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

/// The token from `X-Auth-Token`, else from `Authorization: Bearer` (as the
/// contract's code examples send it), and its principal. 401 when neither
/// header holds a known token.
pub async fn authenticate(state: &State, req: &Request) -> Result<Principal, ApiError> {
    let token = match auth::header_token(req, "x-auth-token") {
        Err(CredentialError::Missing) => auth::bearer_token(req),
        other => other,
    }
    .map_err(ApiError::Credentials)?;
    auth::find_principal(&state.table, token)
        .await?
        .ok_or(ApiError::UnknownToken)
}
