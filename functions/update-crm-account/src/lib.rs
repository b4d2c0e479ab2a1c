//! `PATCH /accounts/{accountId}` and its alias `PATCH /clients/{accountId}`:
//! an atomic partial update of a CRM account of the API key's tenant.
//!
//! Contract: `seeds/002_d74a6bbf1b7dca12.txt`. Decisions where it is silent:
//!
//! - Auth: `x-api-key`, stored only as SHA-256 hashes, each owned by one
//!   tenant; missing or unknown: 401. Records are keyed by tenant, so another
//!   tenant's account is simply not found: 404.
//! - `accountId`: a positive integer that fits an i64 (no sign, no leading
//!   zero); `allow_new_options`: `true` or `false` (default). Else 400.
//! - Body: any non-empty subset of the contract's fields (see [`change`]);
//!   `id`, if sent, must equal the path id; `createdAt` / `updatedAt` are
//!   server-managed and ignored. Unknown fields, wrong types, nulls where a
//!   value is required: 400. Over 64 KiB: 413. A body not declared as
//!   `application/json` or `application/merge-patch+json` (optionally with
//!   `charset=utf-8`), or with no `Content-Type`: 415.
//! - `number` is unique within the tenant (409 when another account has it);
//!   `custom` merges key by key against the tenant's field definitions.
//! - `allow_new_options=true` adds the new options in the same transaction
//!   as the account update; one request may add options to at most
//!   [`MAX_FIELDS_WITH_NEW_OPTIONS`](change::custom::MAX_FIELDS_WITH_NEW_OPTIONS)
//!   fields (DynamoDB's 100 actions per transaction, less the account
//!   write's own 3), else 400 naming `custom` before anything is written.
//! - Field definitions are tenant data and may be malformed: one without
//!   `options` has none yet, one without `version` is appended to under
//!   `attribute_not_exists(version)`, one without a known `type` refuses
//!   values (400) but allows removing them ([`store::definition`]). Never a
//!   500 or a retry loop.
//! - Atomic: one UpdateItem, or one TransactWriteItems ([`store`]).
//! - 200 with the full account ([`response::AccountView`]). Responses on
//!   `/clients/...` also carry `Deprecation` and a `Link` to the successor.
//!
//! Modules, in the order a request meets them:
//!
//! - [`auth`]: the principal (the key's tenant) and how an `x-api-key` becomes one.
//! - [`request`]: the method, [`request::AccountId`], the `allow_new_options` flag, the wire body.
//! - [`change`]: the wire body validated into a [`change::Change`], every limit; [`change::custom`] checks custom values.
//! - [`store`]: keys, attribute names, the one write (plans for the shared driver); [`store::definition`] holds field definitions, [`store::definitions_cache`] this container's recent copy of them.
//! - [`response`]: the 200 view of the account, its rendering, and the `/clients` deprecation headers.
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
use lambda_http::{Body, Request, Response, http::Method};
use request::{AccountId, Flags, JsonObjectBody, WireBody};
use response::AccountView;
use shared::Ctx;

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "CrmAccountsTable";

/// What the handler needs, built once per cold start: the table holding
/// keys, accounts, number claims and field definitions
/// (`State::from_env(TABLE_LOGICAL_ID)`).
pub type State = shared::endpoint::State;

/// `PATCH /accounts/{accountId}` (and the deprecated `/clients/...`): the
/// account is written only when every step before the write succeeded;
/// both routes get the same behaviour.
#[derive(Debug)]
pub struct CrmAccount;

impl shared::endpoint::Endpoint for CrmAccount {
    const METHOD: Method = request::METHOD;
    const TABLE: &'static str = TABLE_LOGICAL_ID;
    type State = State;
    type Output = AccountView;
    type Error = error::ApiError;

    async fn work(state: &State, ctx: &Ctx, req: &Request) -> Result<AccountView, error::ApiError> {
        let principal = auth::authenticate(ctx, &state.table, req).await?;
        let id = AccountId::from_path(req)?;
        let flags = Flags::from_query(req)?;
        let change = Change::validate(WireBody::from_request(req)?, id)?;
        let tenant = principal.tenant();
        let item = store::write(ctx, &state.table, tenant, id, &change, flags.allow_new_options).await?;
        AccountView::from_item(&item)
    }

    /// The path, the query and the body's own rules; the custom fields'
    /// values are checked against the tenant's stored definitions in
    /// `work` (the write's plan).
    fn check_request(req: &Request) -> Result<(), error::ApiError> {
        let id = AccountId::from_path(req)?;
        Flags::from_query(req)?;
        Change::validate(WireBody::from_request(req)?, id).map(drop)
    }

    fn render(account: AccountView, req: &Request, request_id: &str) -> Response<Body> {
        response::render(req, Ok(account), request_id)
    }

    fn render_error(error: error::ApiError, req: &Request, request_id: &str) -> Response<Body> {
        response::render(req, Err(error), request_id)
    }
}

/// Handles one request ([`shared::endpoint::handle`] of [`CrmAccount`]).
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    shared::endpoint::handle::<CrmAccount>(state, req).await
}
