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
//!   [`write::MAX_FIELDS_WITH_NEW_OPTIONS`] fields (DynamoDB's 100 actions per
//!   transaction, less the account write's own 3), else 400 naming `custom`
//!   before anything is written.
//! - Field definitions are tenant data and may be malformed: one without
//!   `options` has none yet, one without `version` is appended to under
//!   `attribute_not_exists(version)`, one without a known `type` refuses
//!   values (400) but allows removing them ([`custom::definition`]). Never a
//!   500 or a retry loop.
//! - Atomic: one UpdateItem, or one TransactWriteItems ([`write`](mod@write)).
//! - 200 with the full account ([`account::AccountView`]). Responses on
//!   `/clients/...` also carry `Deprecation` and a `Link` to the successor.

pub mod account;
pub mod change;
pub mod custom;
pub mod error;
pub mod seed;
pub mod write;

use account::AccountView;
use change::{AccountId, Change};
use error::ApiError;
use lambda_http::{Body, Request, RequestExt, Response, http::HeaderValue, http::Method, http::StatusCode};
use serde::Deserialize;
use shared::{auth, http, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "CrmAccountsTable";

/// When the `/clients` alias was deprecated (RFC 9745 `Deprecation`, a
/// structured-field date: 2026-01-01T00:00:00Z).
pub const CLIENTS_DEPRECATED_AT: &str = "@1767225600";

/// What the handler needs, built once per cold start.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding keys, accounts, number claims and field definitions.
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

#[derive(Debug, Deserialize)]
struct Principal {
    tenant_id: String,
}

/// Handles one request; every error becomes a response in this endpoint's
/// envelope. Both routes get the same behaviour.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    let mut response = match update(state, &req).await {
        Ok(account) => http::success(StatusCode::OK, &account, &request_id),
        Err(e) => e.into_response(&request_id),
    };
    if req.raw_http_path().starts_with("/clients/") {
        let headers = response.headers_mut();
        headers.insert("deprecation", HeaderValue::from_static(CLIENTS_DEPRECATED_AT));
        // The successor link only for a valid id: never reflect raw input.
        if let Ok(id) = AccountId::parse(http::path_param(&req, "accountId"))
            && let Ok(link) =
                HeaderValue::from_str(&format!("</accounts/{}>; rel=\"successor-version\"", id.0))
        {
            headers.insert("link", link);
        }
    }
    response
}

async fn update(state: &State, req: &Request) -> Result<AccountView, ApiError> {
    if req.method() != Method::PATCH {
        return Err(ApiError::MethodNotAllowed);
    }
    let principal = authenticate(state, req).await?;
    let id = AccountId::parse(http::path_param(req, "accountId"))?;
    let allow_new_options = change::allow_new_options(http::query_param(req, "allow_new_options"))?;
    let change = Change::parse(http::json_body(req)?, id)?;
    write::apply(&state.table, &principal.tenant_id, id, &change, allow_new_options).await
}

async fn authenticate(state: &State, req: &Request) -> Result<Principal, ApiError> {
    let key = auth::header_token(req, "x-api-key").map_err(ApiError::Credentials)?;
    auth::find_principal(&state.table, key)
        .await?
        .ok_or(ApiError::UnknownKey)
}
