//! `PATCH /v2/accounts/{accountId}`: a role-checked partial update of an
//! account, with a unique email and key-by-key merges of `address`,
//! `settings` and `metadata`.
//!
//! Contract: `seeds/004_6d0d25473bf35b37.txt`. Decisions where it is silent:
//!
//! - Auth: `X-Auth-Token`, or `Authorization: Bearer` as the contract's code
//!   examples send it; tokens stored only as SHA-256, each with a role on a
//!   set of accounts. Missing or unknown: 401. An account outside the set:
//!   404. `readonly`: 403 for any update; `manager`: 403 when `status` is sent.
//! - Order of checks: 401, 404 (access), 415 (media type), 400 (body
//!   shape, unknown or immutable fields), 403 (role for the fields sent),
//!   400 (values), then the write (404 if the account is gone, 409 if the
//!   email is taken or the account keeps changing under us).
//! - Body ([`change`]): `displayName` (1-100), `email` (unique: 409), `phone`
//!   (stored E.164; null clears), `address` (street, city, state,
//!   postalCode, country ISO 3166-1 alpha-2; merged key by key), `settings`
//!   (timezone, language, enableVoiceMail, enableRecording,
//!   recordingRetention 1-365, smsEnabled; merged), `status` (active,
//!   suspended, closed), `metadata` (merged, null removes; keys up to 64
//!   characters, values up to 1 KiB, at most 100 keys). `id`, `name`,
//!   `plan`, `createdAt`: 400 naming the field.
//! - 400 details ([`sent`]): every 400 that names a field carries
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
//! - 200 with the full account ([`account::AccountView`]), `metadata` included.
//! - Seed data ([`seed`]) takes every field of the 200 response; seeded
//!   `createdAt` and `updatedAt` are kept exactly as given (RFC 3339), and a
//!   PATCH changes only `updatedAt`.
//! - 429 (`RATE_LIMITED`, `Retry-After`) when DynamoDB throttles after the
//!   SDK's retries; API Gateway also throttles this route (template.yaml).

pub mod account;
pub mod change;
pub mod error;
pub mod principal;
pub mod seed;
pub mod sent;
pub mod write;

use account::AccountView;
use change::{Change, WireBody};
use error::{ApiError, invalid};
use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use serde_json::Value;
use shared::{http, store::Table};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = "AccountsV2Table";

/// What the handler needs, built once per cold start.
#[derive(Debug, Clone)]
pub struct State {
    /// The table holding tokens, accounts and email markers.
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

/// Handles one request; every error becomes the contract's envelope.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    match update(state, &req).await {
        Ok(account) => http::success(StatusCode::OK, &account, &request_id),
        Err(e) => e.into_response(&request_id),
    }
}

async fn update(state: &State, req: &Request) -> Result<AccountView, ApiError> {
    if req.method() != Method::PATCH {
        return Err(ApiError::MethodNotAllowed);
    }
    let principal = principal::authenticate(state, req).await?;
    let sent_id = http::path_param(req, "accountId");
    let id = sent_id.unwrap_or_default();
    if !shared::validate::is_record_id(id) {
        return Err(invalid(
            "accountId",
            "accountId must be 1-128 letters, digits, '_' or '-'",
            sent_id.map(|id| Value::String(id.to_owned())).as_ref(),
        ));
    }
    principal.check_access(id)?;
    let body = WireBody::parse(http::json_body(req)?)?;
    principal.check_role(&body)?;
    let change = Change::validate(body)?;
    write::apply(&state.table, id, &change).await
}
