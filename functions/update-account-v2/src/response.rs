//! The success view: the full account ([`AccountView`], `metadata`
//! included), which the store reads from the item after the write,
//! rendered as `200 OK`.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use shared::http;

/// The 200 response: the full account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Id.
    pub id: String,
    /// Original name (immutable).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Email.
    pub email: String,
    /// Phone (E.164) or null.
    pub phone: Option<String>,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    /// Plan (immutable here).
    pub plan: String,
    /// Billing address.
    pub address: Map<String, Value>,
    /// Settings.
    pub settings: Map<String, Value>,
    /// Custom metadata.
    pub metadata: Map<String, Value>,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

impl AccountView {
    /// `200 OK` with the view as `application/json` and `x-request-id`.
    pub fn render(&self, request_id: &str) -> Response<Body> {
        http::success(StatusCode::OK, self, request_id)
    }
}
