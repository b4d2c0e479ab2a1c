//! `PATCH /v2/accounts/{accountId}`: a role-checked partial update of an
//! account, with a unique email and key-by-key merges of `address`,
//! `settings` and `metadata`.
//!
//! Contract: `seeds/004_6d0d25473bf35b37.txt`. Decisions where it is silent:
//!
//! - Auth ([`auth`]): `X-Auth-Token`, or `Authorization: Bearer` as the
//!   contract's code examples send it; tokens stored only as SHA-256, each
//!   with a role on a set of accounts. Missing or unknown: 401. An account
//!   outside the set: 404. `readonly`: 403 for any update; `manager`: 403
//!   when `status` is sent.
//! - Order of checks: 405 (method), 401, 400 (`accountId`), 404 (access),
//!   415 (media type), 400 (body shape, unknown or immutable fields), 403
//!   (role for the fields sent), 400 (values), then the write (404 if the
//!   account is gone, 409 if the email is taken or the account keeps
//!   changing under us).
//! - Body ([`change`]): `displayName` (1-100), `email` (unique: 409), `phone`
//!   (stored E.164; null clears), `address` (street, city, state,
//!   postalCode, country ISO 3166-1 alpha-2; merged key by key), `settings`
//!   (timezone, language, enableVoiceMail, enableRecording,
//!   recordingRetention 1-365, smsEnabled; merged), `status` (active,
//!   suspended, closed), `metadata` (merged, null removes; keys up to 64
//!   characters, values up to 1 KiB, at most 100 keys). `id`, `name`,
//!   `plan`, `createdAt`: 400 naming the field.
//! - 400 details ([`request::sent`]): every 400 that names a field carries
//!   `details.value`, the value exactly as sent (wrong types, unknown,
//!   immutable and duplicated fields, nested unknown keys, the `accountId`
//!   in the path; a field sent twice gives its last value; a body with
//!   nothing to change gives `"field": "body"` and the body). `value` is
//!   left out only when nothing was sent for the field. A body that is not
//!   JSON, empty, or not an object is a 400 without `details`.
//! - 415 (`UNSUPPORTED_MEDIA_TYPE`, with `Accept-Patch`) unless the body is
//!   declared `application/json` or `application/merge-patch+json` (see
//!   [`shared::http::json_body`]); checked after auth and access, before
//!   the body is read.
//! - 200 with the full account ([`response::AccountView`]), `metadata` included.
//! - Seed data ([`seed`]) takes every field of the 200 response; seeded
//!   `createdAt` and `updatedAt` are kept exactly as given (RFC 3339), and a
//!   PATCH changes only `updatedAt`.
//! - 429 (`RATE_LIMITED`, `Retry-After`) when DynamoDB throttles after the
//!   SDK's retries; API Gateway also throttles this route (template.yaml).
//!   409 (`CONFLICT`) when the account changed under 32 plans in a row.
//!
//! Modules, in the order a request meets them:
//!
//! - [`auth`]: the principal (a role on some accounts), how a token becomes one, and its checks.
//! - [`request`]: the method, the [`request::AccountId`] from the path, the wire body ([`request::sent`]: values as sent).
//! - [`change`]: the wire body validated into a [`change::Change`] of domain values; every contract limit.
//! - [`store`]: keys, attribute names, the change as attributes ([`store::StoredChange`]), and the one write (plans for the shared driver).
//! - [`response`]: the success view ([`response::AccountView`]) and its 200 rendering.
//! - [`error`]: [`error::ApiError`] and its one envelope mapping table.
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
use response::AccountView;
use shared::Ctx;

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "AccountsV2Table";

/// What the handler needs, built once per cold start: the table holding
/// tokens, accounts and email markers (`State::from_env(TABLE_LOGICAL_ID)`).
pub type State = shared::endpoint::State;

/// `PATCH /v2/accounts/{accountId}`: the account is written only when
/// every check before the write passed; errors in the contract's envelope.
#[derive(Debug)]
pub struct AccountV2;

impl shared::endpoint::Endpoint for AccountV2 {
    const METHOD: Method = request::METHOD;
    const TABLE: &'static str = TABLE_LOGICAL_ID;
    type State = State;
    type Output = AccountView;
    type Error = ApiError;

    async fn work(state: &State, ctx: &Ctx, req: &Request) -> Result<AccountView, ApiError> {
        let principal = auth::authenticate(ctx, &state.table, req).await?;
        let id = AccountId::from_path(req)?;
        principal.check_access(ctx, &id)?;
        let wire = WireBody::from_request(req)?;
        principal.check_role(&wire)?;
        let change = Change::validate(wire)?;
        let after = store::write(ctx, &state.table, &id, &change).await?;
        AccountView::from_item(&after)
    }

    fn check_request(req: &Request) -> Result<(), ApiError> {
        AccountId::from_path(req)?;
        Change::validate(WireBody::from_request(req)?).map(drop)
    }

    fn render(view: AccountView, _: &Request, request_id: &str) -> Response<Body> {
        view.render(request_id)
    }

    fn render_error(error: ApiError, _: &Request, request_id: &str) -> Response<Body> {
        error.into_response(request_id)
    }
}

/// Handles one request ([`shared::endpoint::handle`] of [`AccountV2`]).
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    shared::endpoint::handle::<AccountV2>(state, req).await
}
