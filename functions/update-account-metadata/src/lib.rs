//! `PATCH /accounts/{accountId}/metadata`: change an account's name, domain and
//! metadata in the Organizational Unit of the caller's token.
//!
//! Contract: `seeds/000_96abd28cb0596f2c.txt`. 204 on success; errors are
//! `application/problem+json` ([`error`]). What this endpoint decides on
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
//!   compact JSON and 16 levels deep (limits: [`change`]).
//! - 415: a body whose `Content-Type` is not `application/json` or
//!   `application/merge-patch+json` (any case, optional `charset=utf-8`),
//!   or a body without `Content-Type` (see [`shared::http::json_body`]).
//! - 413: a body over 64 KiB, a value over 500 bytes, or more than 50
//!   metadata keys on the account after the merge, exactly, under any
//!   concurrency (see [`store`]).
//! - 503 with `Retry-After`: DynamoDB throttling after the SDK's retries,
//!   or an account whose exact near-limit write lost 32 races in a row.
//!
//! Modules, in the order a request meets them:
//!
//! - [`auth`]: the principal (the token's OU) and how a bearer token becomes one.
//! - [`request`]: the method, the account id from the path, and the wire body.
//! - [`change`]: the wire body validated into a [`change::Change`]; every limit.
//! - [`store`]: the account item, its key and attributes, and the one write
//!   (plans for the shared driver); [`store::leads`] reads leads for tests.
//! - [`response`]: the success rendering (204, no body).
//! - [`error`]: [`error::ApiError`] and its one problem+json mapping table.
//! - [`seed`]: this function's section of a seed file.

pub mod auth;
pub mod change;
pub mod error;
pub mod request;
pub mod response;
pub mod seed;
pub mod store;

use change::Change;
use error::ApiError;
use lambda_http::{Body, Request, Response, http::Method};
use request::{AccountId, JsonObjectBody, WireBody};
use shared::Ctx;

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "OrgAccountsTable";

/// What the handler needs, built once per cold start: the table holding
/// credentials, accounts and leads (`State::from_env(TABLE_LOGICAL_ID)`).
pub type State = shared::endpoint::State;

/// `PATCH /accounts/{accountId}/metadata`: the account is written only
/// when every step before the write succeeded; errors are problem+json.
#[derive(Debug)]
pub struct Metadata;

impl shared::endpoint::Endpoint for Metadata {
    const METHOD: Method = request::METHOD;
    const TABLE: &'static str = TABLE_LOGICAL_ID;
    type State = State;
    type Output = ();
    type Error = ApiError;

    async fn work(state: &State, ctx: &Ctx, req: &Request) -> Result<(), ApiError> {
        let principal = auth::authenticate(ctx, &state.table, req).await?;
        let id = AccountId::from_path(req)?;
        let change = Change::validate(WireBody::from_request(req)?)?;
        store::write(ctx, &state.table, &principal.ou_id, &id, &change).await
    }

    fn check_request(req: &Request) -> Result<(), ApiError> {
        AccountId::from_path(req)?;
        Change::validate(WireBody::from_request(req)?).map(drop)
    }

    fn render((): (), _: &Request, request_id: &str) -> Response<Body> {
        response::no_content(request_id)
    }

    fn render_error(error: ApiError, _: &Request, request_id: &str) -> Response<Body> {
        error.into_response(request_id)
    }
}

/// Handles one request ([`shared::endpoint::handle`] of [`Metadata`]).
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    shared::endpoint::handle::<Metadata>(state, req).await
}
