//! `PATCH /v0/accounts/{account_id}`: rename an account of the API key's
//! tenant; answers 200 with the account and its newest linked prospects.
//!
//! Contract: `seeds/001_b515ead4819f8694.txt`. Decisions where it is silent:
//!
//! - Auth: `x-api-key`; keys are stored only as SHA-256 hashes, each owned
//!   by one tenant. Missing or unknown key: 401. Another tenant's account
//!   answers exactly like a missing one: 404, same body, same DynamoDB calls.
//! - `account_id` must match `^account_[a-z0-9]{26}$`, else 400.
//! - Body: `Content-Type` must be `application/json` or
//!   `application/merge-patch+json` (optionally `; charset=utf-8`), else 415.
//!   Exactly `{"name": string}`, 1-255 characters, not blank; a missing or
//!   `null` name, another type, another field, or unparseable JSON: 400.
//!   Over 64 KiB: 413.
//! - Errors: `{"code", "message", "requestId"}` ([`error`]).
//! - `updatedAt` moves forward on every rename (strictly, by at least a
//!   millisecond); `createdAt` and `latestActivityAt` are not touched.
//! - Tenant isolation is structural ([`store`]): every key the handler uses,
//!   the account's and the prospects' partition, includes the caller's
//!   tenant. A request naming another tenant's account addresses a
//!   partition that does not exist: the conditional rename fails with no
//!   item (404) and the prospects Query reads nothing. No item of another
//!   tenant is ever read, and a foreign id costs the same calls as a missing
//!   one (GetItem for the key, UpdateItem, one Query page).
//! - So the rename (one UpdateItem returning the new item) and the prospects
//!   Query still run concurrently after authentication: two DynamoDB round
//!   trips of latency in all.
//! - `linkedProspects` lists at most [`response::size::MAX_LINKED_PROSPECTS`]
//!   (100) prospects, the newest by `createdAt` first (ties: the greater
//!   `prospectId` first). `linkedProspectsTruncated` (always present) and the
//!   header [`response::TRUNCATED_HEADER`] (`true` / `false`) say whether the
//!   account has more. The Query stops after 101 items, so the cost is
//!   bounded too. A total count is not given: it would mean reading every
//!   prospect. The bound keeps the largest possible response under half of
//!   Lambda's 6 MB limit ([`response::size`] has the arithmetic).
//! - Seeded timestamps ([`seed`]) are kept as the instant given, and stored
//!   and answered in one canonical form, UTC with milliseconds
//!   (`2025-01-12T09:30:00.000Z`), which both matches the contract's
//!   pattern and sorts as text in time order.
//!
//! Modules, in the order a request meets them:
//!
//! - [`auth`]: the principal (the API key's tenant) and how an `x-api-key` becomes one.
//! - [`request`]: the method, the account id from the path, and the wire body.
//! - [`change`]: the wire body validated into a [`change::Rename`]; the name's limits.
//! - [`store`]: keys, attributes, the account item, and the rename (a plan for
//!   the shared driver) run beside the bounded prospects query ([`store::prospects`]).
//! - [`response`]: the 200 view and its rendering; [`response::size`] bounds it.
//! - [`error`]: [`error::ApiError`] and its one mapping table.
//! - [`seed`]: this function's section of a seed file.

pub mod auth;
pub mod change;
pub mod error;
pub mod request;
pub mod response;
pub mod seed;
pub mod store;

use change::Rename;
use error::ApiError;
use lambda_http::{Body, Request, Response, http::Method};
use request::{AccountId, JsonObjectBody, WireBody};
use response::AccountResponse;
use shared::{Ctx, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "TenantAccountsTable";

/// What the handler needs, built once per cold start: the table holding API
/// keys, accounts and prospects, as [`shared::endpoint::State`] holds it, and
/// one knob of this endpoint's own.
///
/// Not (yet) `shared::endpoint::State`: tests force the prospects Query to
/// page with `prospect_page_size`, which the shared state has no room for.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding API keys, accounts and prospects.
    pub table: Table,
    /// Largest page of the prospects Query; `None` asks each page for what is
    /// still wanted (at most 101 items). Tests set it to force paging.
    pub prospect_page_size: Option<i32>,
}

impl State {
    /// State from the environment: the table named by `TABLE_NAME` (see
    /// [`shared::endpoint::State::from_env`]), pages as large as wanted.
    pub async fn from_env() -> Self {
        shared::endpoint::State::from_env(TABLE_LOGICAL_ID).await.into()
    }
}

impl AsRef<Table> for State {
    fn as_ref(&self) -> &Table {
        &self.table
    }
}

impl From<shared::endpoint::State> for State {
    /// The shared state, with pages as large as wanted.
    fn from(state: shared::endpoint::State) -> Self {
        State {
            table: state.table,
            prospect_page_size: None,
        }
    }
}

/// `PATCH /v0/accounts/{account_id}`: the rename is written only when
/// every step before it succeeded; the answer lists the newest linked
/// prospects.
#[derive(Debug)]
pub struct TenantAccount;

impl shared::endpoint::Endpoint for TenantAccount {
    const METHOD: Method = request::METHOD;
    const TABLE: &'static str = TABLE_LOGICAL_ID;
    type State = State;
    type Output = AccountResponse;
    type Error = ApiError;

    async fn work(state: &State, ctx: &Ctx, req: &Request) -> Result<AccountResponse, ApiError> {
        let principal = auth::authenticate(ctx, &state.table, req).await?;
        let id = AccountId::from_path(req)?;
        let rename = Rename::validate(WireBody::from_request(req)?)?;
        let written = store::write(ctx, state, &principal.tenant_id, &id, &rename).await?;
        Ok(AccountResponse::new(written))
    }

    fn check_request(req: &Request) -> Result<(), ApiError> {
        AccountId::from_path(req)?;
        Rename::validate(WireBody::from_request(req)?).map(drop)
    }

    fn render(view: AccountResponse, _: &Request, request_id: &str) -> Response<Body> {
        view.render(request_id)
    }

    fn render_error(error: ApiError, _: &Request, request_id: &str) -> Response<Body> {
        error.into_response(request_id)
    }
}

/// Handles one request ([`shared::endpoint::handle`] of [`TenantAccount`]).
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    shared::endpoint::handle::<TenantAccount>(state, req).await
}
