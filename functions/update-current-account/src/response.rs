//! The success view: the account as the contract's 200 body (which the
//! store builds from the item written), and its rendering.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use shared::http;

/// The 200 response, in the contract's shape; `pending_email` appears only
/// while a change awaits confirmation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountView {
    /// Account id.
    pub id: String,
    /// Current email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `individual` or `business`.
    #[serde(rename = "type")]
    pub account_type: String,
    /// Status.
    pub status: String,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Preferences.
    pub settings: Map<String, Value>,
    /// The address awaiting confirmation, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
}

/// The 200 response for the account written.
pub fn render(account: &AccountView, request_id: &str) -> Response<Body> {
    http::success(StatusCode::OK, account, request_id)
}
