//! `PATCH /v0/accounts/{account_id}`: rename an account of the API key's
//! tenant; answers 200 with the account and every prospect linked to it.
//!
//! Contract: `seeds/001_b515ead4819f8694.txt`. Decisions where it is silent:
//!
//! - Auth: `x-api-key`; keys are stored only as SHA-256 hashes, each owned
//!   by one tenant. Missing or unknown key: 401. Another tenant's account
//!   answers exactly like a missing one: 404.
//! - `account_id` must match `^account_[a-z0-9]{26}$`, else 400.
//! - Body: exactly `{"name": string}`, 1-255 characters, not blank; a
//!   missing or `null` name, another type, another field, or unparseable
//!   JSON: 400. Over 64 KiB: 413.
//! - Errors: `{"code", "message", "requestId"}` ([`error`]).
//! - `updatedAt` moves forward on every rename (strictly, by at least a
//!   millisecond); `createdAt` and `latestActivityAt` are not touched.
//! - The rename (one UpdateItem returning the new item) and the prospects
//!   Query run concurrently after authentication: two DynamoDB round trips
//!   of latency in all.

pub mod account;
pub mod error;
pub mod prospects;
pub mod seed;

use account::{Account, AccountId, AccountName};
use error::ApiError;
use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use prospects::Prospect;
use serde::{Deserialize, Serialize};
use shared::{auth, http, patch::Patch, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "TenantAccountsTable";

/// What the handler needs, built once per cold start.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding API keys, accounts and prospects.
    pub table: Table,
    /// Page size of the prospects Query; `None` lets DynamoDB fill 1 MB pages.
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

/// The 200 response: the account and its linked prospects.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountResponse {
    /// The account after the rename.
    #[serde(flatten)]
    pub account: Account,
    /// Every prospect linked to it.
    pub linked_prospects: Vec<Prospect>,
}

/// Handles one request; every error becomes a response in this endpoint's
/// envelope.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    match update(state, &req).await {
        Ok(body) => http::success(StatusCode::OK, &body, &request_id),
        Err(e) => e.into_response(&request_id),
    }
}

async fn update(state: &State, req: &Request) -> Result<AccountResponse, ApiError> {
    if req.method() != Method::PATCH {
        return Err(ApiError::MethodNotAllowed);
    }
    let principal = authenticate(state, req).await?;
    let id = AccountId::parse(http::path_param(req, "account_id").unwrap_or_default())?;
    let name = parse_name(req.body())?;
    let (account, prospects) = tokio::join!(
        account::rename(&state.table, &principal.tenant_id, &id, &name),
        prospects::linked_prospects(
            &state.table,
            id.as_str(),
            &principal.tenant_id,
            state.prospect_page_size
        ),
    );
    Ok(AccountResponse {
        account: account?,
        linked_prospects: prospects?,
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
