//! `PATCH /v1/account`: update the caller's account (name, email, settings),
//! and `POST /v1/account/email/confirm` ([`confirm`]) for accounts whose
//! policy requires email verification.
//!
//! Contract: `seeds/003_9a92d948eac63b90.txt`. Decisions where it is silent:
//!
//! - Auth: `Authorization: Bearer <access_token>`, stored only as SHA-256,
//!   each token a user's with role `owner` or `admin` on one account. The
//!   request is about the token's account; an admin token may name another
//!   with `X-Account-Id`; a non-admin token naming another: 403. Missing,
//!   malformed or unknown token: 401.
//! - Body ([`change`]): `name` (1-255), `email` (valid, at most 254,
//!   unique across accounts case-insensitively: 409 `email_exists`),
//!   `settings` (merged key by key: `currency`, `timezone`, `language`; null
//!   removes one; other keys 400). Empty body, unknown fields, nulls, wrong
//!   types: 400.
//! - 200 with the account as in the contract; while an email change awaits
//!   confirmation, also `pending_email`.
//! - Errors: `{"error": "<code>", "message": "..."}` ([`error`]).

pub mod account;
pub mod change;
pub mod confirm;
pub mod error;
pub mod principal;
pub mod seed;
pub mod write;

use account::AccountView;
use change::Change;
use error::ApiError;
use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use shared::{http, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "UserAccountsTable";

/// What the handlers need, built once per cold start.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding tokens, accounts, email markers and the outbox.
    pub table: Table,
}

impl State {
    /// State from the environment: the table named by `TABLE_NAME`.
    pub async fn from_env() -> Self {
        let client = shared::store::client_from_env().await;
        State {
            table: Table::from_env(client, "TABLE_NAME", TABLE_LOGICAL_ID),
        }
    }
}

/// Handles one PATCH /v1/account request.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    match update(state, &req).await {
        Ok(account) => http::success(StatusCode::OK, &account, &request_id),
        Err(e) => e.into_response(&request_id, "PATCH"),
    }
}

async fn update(state: &State, req: &Request) -> Result<AccountView, ApiError> {
    if req.method() != Method::PATCH {
        return Err(ApiError::MethodNotAllowed);
    }
    let id = principal::target_account(state, req).await?;
    let change = Change::parse(req.body())?;
    write::apply(&state.table, &id, &change).await
}
