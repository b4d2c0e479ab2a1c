//! `PATCH /v1/account`: update the caller's account (name, email, settings),
//! and `POST /v1/account/email/confirm` ([`handle_confirm`]) for accounts whose
//! policy requires email verification.
//!
//! Contract: `seeds/003_9a92d948eac63b90.txt`. Decisions where it is silent:
//!
//! - Auth ([`auth`], [`request`]): `Authorization: Bearer <access_token>`, stored
//!   only as SHA-256, each token a user's with role `owner` or `admin` on
//!   one account. The request is about the token's account; an admin token
//!   may name another with `X-Account-Id`; a non-admin token naming another:
//!   403. Missing, malformed or unknown token: 401. An `X-Account-Id` that
//!   is present but empty, repeated, not visible ASCII or not an account id
//!   (1-128 letters, digits, `_`, `-`) is 400 `invalid_request`, never read
//!   as "the caller's own account".
//! - Body ([`request`], [`change`]): `Content-Type` `application/json` or
//!   `application/merge-patch+json` (any case, optional `charset=utf-8`),
//!   else 415 `unsupported_media_type`. `name` (1-255), `email` (valid, at
//!   most 254, unique across accounts case-insensitively: 409
//!   `email_exists`), `settings` (merged key by key: `currency`,
//!   `timezone`, `language`; null removes one; other keys 400). Empty body,
//!   unknown fields, nulls, wrong types: 400.
//! - 200 with the account as in the contract ([`response`]); while an email change awaits
//!   confirmation, also `pending_email`.
//! - Email verification ([`store::email`], [`store::confirm`],
//!   [`store::budget`], [`change::code`]): an
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
//!   account-days at 5 a day (see [`change::code`] for the arithmetic, and why not
//!   6 digits).
//! - Errors: `{"error": "<code>", "message": "..."}` ([`error`]).
//! - Seeds ([`seed`]) take every field of the contract's response,
//!   `created_at` and `updated_at` included, stored exactly as given once
//!   checked as RFC 3339.

//!
//! Modules, the same in every endpoint crate:
//!
//! - [`auth`]: the principal a bearer token stands for, and the account it may act on;
//! - [`request`]: `X-Account-Id` as an [`request::AccountId`], and the wire bodies;
//! - [`change`]: the body rules, a PATCH body into a [`change::Change`], and the codes ([`change::code`]);
//! - [`store`]: keys, attributes, items and the plans given to the shared write driver
//!   ([`store::budget`], [`store::email`], [`store::confirm`]);
//! - [`response`]: the account item as the 200 body;
//! - [`error`]: the error kinds and the contract's envelope;
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
use response::AccountView;
use shared::Ctx;

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "UserAccountsTable";

/// What the handlers need, built once per cold start: the table holding
/// tokens, accounts, email markers and the outbox
/// (`State::from_env(TABLE_LOGICAL_ID)`).
pub type State = shared::endpoint::State;

/// `PATCH /v1/account`: method, token, `X-Account-Id`, body rules, the
/// write, the 200 body; any failure in the contract's envelope ([`error`]).
#[derive(Debug)]
pub struct CurrentAccount;

impl shared::endpoint::Endpoint for CurrentAccount {
    const METHOD: Method = Method::PATCH;
    const TABLE: &'static str = TABLE_LOGICAL_ID;
    type State = State;
    type Output = AccountView;
    type Error = ApiError;

    async fn work(state: &State, ctx: &Ctx, req: &Request) -> Result<AccountView, ApiError> {
        let principal = auth::authenticate(ctx, state, req).await?;
        let account = principal.target(ctx, request::named_account(req)?)?;
        let change = Change::validate(request::body(req)?)?;
        let item = store::apply(ctx, &state.table, &account, &change).await?;
        AccountView::from_item(&item)
    }

    fn check_request(req: &Request) -> Result<(), ApiError> {
        request::named_account(req)?;
        Change::validate(request::body(req)?).map(drop)
    }

    fn render(account: AccountView, _: &Request, request_id: &str) -> Response<Body> {
        response::render(&account, request_id)
    }

    fn render_error(error: ApiError, _: &Request, request_id: &str) -> Response<Body> {
        error.into_response(request_id, "PATCH")
    }
}

/// `POST /v1/account/email/confirm`: method, token, `X-Account-Id`, the
/// code, the confirmation's write ([`store::confirm`]), the 200 body; any
/// failure in the contract's envelope.
#[derive(Debug)]
pub struct ConfirmEmail;

impl shared::endpoint::Endpoint for ConfirmEmail {
    const METHOD: Method = Method::POST;
    const TABLE: &'static str = TABLE_LOGICAL_ID;
    type State = State;
    type Output = AccountView;
    type Error = ApiError;

    async fn work(state: &State, ctx: &Ctx, req: &Request) -> Result<AccountView, ApiError> {
        let principal = auth::authenticate(ctx, state, req).await?;
        let account = principal.target(ctx, request::named_account(req)?)?;
        let code = change::confirmation_code(request::body(req)?)?;
        let item = store::confirm::confirm(ctx, &state.table, &account, &code).await?;
        AccountView::from_item(&item)
    }

    fn check_request(req: &Request) -> Result<(), ApiError> {
        request::named_account(req)?;
        change::confirmation_code(request::body(req)?).map(drop)
    }

    fn render(account: AccountView, _: &Request, request_id: &str) -> Response<Body> {
        response::render(&account, request_id)
    }

    fn render_error(error: ApiError, _: &Request, request_id: &str) -> Response<Body> {
        error.into_response(request_id, "POST")
    }
}

/// Handles one PATCH /v1/account request ([`CurrentAccount`]).
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    shared::endpoint::handle::<CurrentAccount>(state, req).await
}

/// Handles one POST /v1/account/email/confirm request ([`ConfirmEmail`]).
pub async fn handle_confirm(state: &State, req: Request) -> Response<Body> {
    shared::endpoint::handle::<ConfirmEmail>(state, req).await
}
