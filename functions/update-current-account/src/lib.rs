//! `PATCH /v1/account`: update the caller's account (name, email, settings),
//! and `POST /v1/account/email/confirm` ([`confirm`]) for accounts whose
//! policy requires email verification.
//!
//! Contract: `seeds/003_9a92d948eac63b90.txt`. Decisions where it is silent:
//!
//! - Auth ([`principal`]): `Authorization: Bearer <access_token>`, stored
//!   only as SHA-256, each token a user's with role `owner` or `admin` on
//!   one account. The request is about the token's account; an admin token
//!   may name another with `X-Account-Id`; a non-admin token naming another:
//!   403. Missing, malformed or unknown token: 401. An `X-Account-Id` that
//!   is present but empty, repeated, not visible ASCII or not an account id
//!   (1-128 letters, digits, `_`, `-`) is 400 `invalid_request`, never read
//!   as "the caller's own account".
//! - Body ([`change`]): `Content-Type` `application/json` or
//!   `application/merge-patch+json` (any case, optional `charset=utf-8`),
//!   else 415 `unsupported_media_type`. `name` (1-255), `email` (valid, at
//!   most 254, unique across accounts case-insensitively: 409
//!   `email_exists`), `settings` (merged key by key: `currency`,
//!   `timezone`, `language`; null removes one; other keys 400). Empty body,
//!   unknown fields, nulls, wrong types: 400.
//! - 200 with the account as in the contract; while an email change awaits
//!   confirmation, also `pending_email`.
//! - Email verification ([`mod@write`], [`confirm`], [`budget`], [`code`]): an
//!   account with `email_verification: required` keeps its address until a
//!   code sent to the new one comes back. The pending address reserves
//!   nothing (so nobody can squat an address by requesting it): the request
//!   is 409 only if another account already holds the address, and the
//!   address is claimed atomically with the confirmation, which answers 409
//!   `email_exists` and drops the pending change if another account took it
//!   meanwhile. Codes are 10 digits; each pending change allows 5 tries and
//!   each account 3 codes and 5 tries per 24-hour window, whatever the
//!   re-requests (429 `too_many_requests` with `Retry-After` past that).
//!   Guessing a code then takes 10^10 tries on average, 2 * 10^9
//!   account-days at 5 a day (see [`code`] for the arithmetic, and why not
//!   6 digits).
//! - Errors: `{"error": "<code>", "message": "..."}` ([`error`]).
//! - Seeds ([`seed`]) take every field of the contract's response,
//!   `created_at` and `updated_at` included, stored exactly as given once
//!   checked as RFC 3339.

pub mod account;
pub mod budget;
pub mod change;
pub mod code;
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
    let change = Change::parse(http::json_body(req)?)?;
    write::apply(&state.table, &id, &change).await
}
