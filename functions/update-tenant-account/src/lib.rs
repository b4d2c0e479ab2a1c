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
//! - Tenant isolation is structural ([`keys`]): every key the handler uses,
//!   the account's and the prospects' partition, includes the caller's
//!   tenant. A request naming another tenant's account addresses a
//!   partition that does not exist: the conditional rename fails with no
//!   item (404) and the prospects Query reads nothing. No item of another
//!   tenant is ever read, and a foreign id costs the same calls as a missing
//!   one (GetItem for the key, UpdateItem, one Query page).
//! - So the rename (one UpdateItem returning the new item) and the prospects
//!   Query still run concurrently after authentication: two DynamoDB round
//!   trips of latency in all.
//! - `linkedProspects` lists at most [`limits::MAX_LINKED_PROSPECTS`] (100)
//!   prospects, the newest by `createdAt` first (ties: the greater
//!   `prospectId` first). `linkedProspectsTruncated` (always present) and the
//!   header [`TRUNCATED_HEADER`] (`true` / `false`) say whether the account
//!   has more. The Query stops after 101 items, so the cost is bounded too.
//!   A total count is not given: it would mean reading every prospect. The
//!   bound keeps the largest possible response under half of Lambda's 6 MB
//!   limit ([`limits`] has the arithmetic).
//! - Seeded timestamps ([`seed`]) are kept as the instant given, and stored
//!   and answered in one canonical form, UTC with milliseconds
//!   (`2025-01-12T09:30:00.000Z`), which both matches the contract's
//!   pattern and sorts as text in time order.

pub mod account;
pub mod error;
pub mod keys;
pub mod limits;
pub mod prospects;
pub mod seed;

use account::{Account, AccountId, AccountName};
use error::ApiError;
use lambda_http::{
    Body, Request, Response,
    http::{HeaderValue, Method, StatusCode},
};
use prospects::{LinkedProspects, Prospect};
use serde::{Deserialize, Serialize};
use shared::{auth, http, patch::Patch, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "TenantAccountsTable";

/// Response header of every 200: `true` when the account has more linked
/// prospects than `linkedProspects` lists, else `false`.
pub const TRUNCATED_HEADER: &str = "x-linked-prospects-truncated";

/// What the handler needs, built once per cold start.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding API keys, accounts and prospects.
    pub table: Table,
    /// Largest page of the prospects Query; `None` asks each page for what is
    /// still wanted (at most 101 items). Tests set it to force paging.
    pub prospect_page_size: Option<i32>,
}

impl State {
    /// State from the environment: the table named by `TABLE_NAME`.
    pub async fn from_env() -> Self {
        let client = shared::store::client_from_env().await;
        State {
            table: Table::from_env(client, "TABLE_NAME", TABLE_LOGICAL_ID),
            prospect_page_size: None,
        }
    }
}

/// The principal an API key stands for.
#[derive(Debug, Deserialize)]
struct Principal {
    tenant_id: String,
}

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    #[serde(default)]
    name: Patch<String>,
}

/// The 200 response: the account and its newest linked prospects.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountResponse {
    /// The account after the rename.
    #[serde(flatten)]
    pub account: Account,
    /// At most [`limits::MAX_LINKED_PROSPECTS`] linked prospects, newest
    /// `createdAt` first.
    pub linked_prospects: Vec<Prospect>,
    /// Whether the account has more linked prospects than are listed.
    pub linked_prospects_truncated: bool,
}

/// Handles one request; every error becomes a response in this endpoint's
/// envelope.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    match update(state, &req).await {
        Ok(body) => {
            let mut response = http::success(StatusCode::OK, &body, &request_id);
            let truncated = if body.linked_prospects_truncated {
                "true"
            } else {
                "false"
            };
            response
                .headers_mut()
                .insert(TRUNCATED_HEADER, HeaderValue::from_static(truncated));
            response
        }
        Err(e) => e.into_response(&request_id),
    }
}

async fn update(state: &State, req: &Request) -> Result<AccountResponse, ApiError> {
    if req.method() != Method::PATCH {
        return Err(ApiError::MethodNotAllowed);
    }
    let principal = authenticate(state, req).await?;
    let id = AccountId::parse(http::path_param(req, "account_id").unwrap_or_default())?;
    let name = parse_name(http::json_body(req)?)?;
    // Both calls are scoped to the caller's tenant by their keys, so they
    // can run concurrently: neither can touch another tenant's items.
    let (account, prospects) = tokio::join!(
        account::rename(&state.table, &principal.tenant_id, &id, &name),
        prospects::newest_linked_prospects(
            &state.table,
            &principal.tenant_id,
            id.as_str(),
            state.prospect_page_size
        ),
    );
    let account = account?;
    let LinkedProspects { prospects, truncated } = prospects?;
    Ok(AccountResponse {
        account,
        linked_prospects: prospects,
        linked_prospects_truncated: truncated,
    })
}

async fn authenticate(state: &State, req: &Request) -> Result<Principal, ApiError> {
    let key = auth::header_token(req, "x-api-key").map_err(ApiError::Credentials)?;
    auth::find_principal(&state.table, key)
        .await?
        .ok_or(ApiError::UnknownKey)
}

fn parse_name(body: &Body) -> Result<AccountName, ApiError> {
    let body: RenameBody = http::parse_json_object(body, http::MAX_BODY_BYTES)?;
    let invalid = |message: String| ApiError::InvalidField {
        field: "name",
        message,
    };
    match body.name {
        Patch::Absent => Err(invalid("is required".to_owned())),
        Patch::Null => Err(invalid("must be a string, not null".to_owned())),
        Patch::Value(name) => AccountName::parse(name).map_err(|e| invalid(e.to_string())),
    }
}
