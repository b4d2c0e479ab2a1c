//! `PATCH /accounts/{accountId}/metadata`: change an account's name, domain and
//! metadata in the Organizational Unit of the caller's token.
//!
//! Contract: `seeds/000_96abd28cb0596f2c.txt`. 204 on success; errors are
//! `application/problem+json` ([`problem`]). What this endpoint decides on
//! its own, where the contract is silent:
//!
//! - Auth: `Authorization: Bearer <token>`; tokens are stored only as
//!   SHA-256 hashes, each bound to one OU. Missing, malformed or unknown
//!   token: 401. An account outside the token's OU: 404, as if missing.
//! - Body: a JSON object with at least one of `name`, `domain`, `metadata`,
//!   nothing else. `name`: 1-255 characters, not blank. `domain`: a DNS name
//!   (IDN allowed), stored lowercase. Neither can be `null`. `metadata`:
//!   merged key by key (`null` removes a key); keys 1-40 characters without
//!   control characters; values any JSON but null, at most 500 bytes as
//!   compact JSON and 16 levels deep.
//! - 415: a body whose `Content-Type` is not `application/json` or
//!   `application/merge-patch+json` (any case, optional `charset=utf-8`),
//!   or a body without `Content-Type` (see [`shared::http::json_body`]).
//! - 413: a body over 64 KiB, a value over 500 bytes, or more than 50
//!   metadata keys on the account after the merge, exactly, under any
//!   concurrency (see [`account`]).
//! - 503 with `Retry-After`: DynamoDB throttling after the SDK's retries,
//!   or an account whose exact near-limit write lost 32 races in a row.

pub mod account;
pub mod change;
pub mod leads;
pub mod problem;
pub mod seed;

use account::AccountId;
use change::Change;
use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use problem::ApiError;
use serde::Deserialize;
use shared::{auth, http, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "OrgAccountsTable";

/// What the handler needs, built once per cold start.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding credentials, accounts and leads.
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

/// The principal a token stands for: the OU it is active in.
#[derive(Debug, Deserialize)]
struct Principal {
    ou_id: String,
}

/// Handles one request. Never fails: every error becomes a response in
/// this endpoint's envelope.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    match update(state, &req).await {
        Ok(()) => http::with_request_id(http::empty(StatusCode::NO_CONTENT), &request_id),
        Err(e) => e.into_response(&request_id),
    }
}

async fn update(state: &State, req: &Request) -> Result<(), ApiError> {
    if req.method() != Method::PATCH {
        return Err(ApiError::MethodNotAllowed);
    }
    let principal = authenticate(state, req).await?;
    let id = http::path_param(req, "accountId").ok_or(ApiError::MissingAccountId)?;
    let id = AccountId::parse(id)?;
    let change = Change::parse(http::json_body(req)?)?;
    account::apply(&state.table, &principal.ou_id, &id, &change).await
}

async fn authenticate(state: &State, req: &Request) -> Result<Principal, ApiError> {
    let token = auth::bearer_token(req).map_err(ApiError::Credentials)?;
    auth::find_principal(&state.table, token)
        .await?
        .ok_or(ApiError::UnknownToken)
}
