//! The success response: the account as the contract shows it
//! ([`AccountView`], which the store builds from the item written), and the
//! rendering of a request's outcome, with the `/clients` alias's
//! deprecation headers.

use crate::{error::ApiError, request::AccountId};
use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{HeaderValue, StatusCode},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::http;

/// When the `/clients` alias was deprecated (RFC 9745 `Deprecation`, a
/// structured-field date: 2026-01-01T00:00:00Z).
pub const CLIENTS_DEPRECATED_AT: &str = "@1767225600";

/// The deprecated alias's path prefix.
pub const CLIENTS_PREFIX: &str = "/clients/";

/// Renders the outcome: 200 with the full account written, or the error in
/// this endpoint's envelope. Both routes get the same response; those on
/// `/clients/...` also carry `Deprecation` and, for a valid id, a `Link` to
/// the successor (never raw input).
pub fn render(req: &Request, outcome: Result<AccountView, ApiError>, request_id: &str) -> Response<Body> {
    let mut response = match outcome {
        Ok(account) => http::success(StatusCode::OK, &account, request_id),
        Err(e) => e.into_response(request_id),
    };
    if req.raw_http_path().starts_with(CLIENTS_PREFIX) {
        let headers = response.headers_mut();
        headers.insert("deprecation", HeaderValue::from_static(CLIENTS_DEPRECATED_AT));
        if let Ok(id) = AccountId::from_path(req)
            && let Ok(link) = HeaderValue::from_str(&format!("</accounts/{id}>; rel=\"successor-version\""))
        {
            headers.insert("link", link);
        }
    }
    response
}

/// A contact as the contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Email, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (E.164), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Role, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The 200 response: the full account, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Account id.
    pub id: i64,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Title.
    pub title: String,
    /// Description or null.
    pub description: Option<String>,
    /// Address lines.
    pub address: Vec<String>,
    /// Active flag.
    pub is_active: bool,
    /// Primary email or null.
    pub primary_email: Option<String>,
    /// Primary phone or null.
    pub primary_phone: Option<String>,
    /// Number.
    pub number: i64,
    /// Custom fields.
    pub custom: Map<String, Value>,
    /// Account type or null.
    pub account_type: Option<String>,
    /// Contacts.
    pub contacts: Vec<Contact>,
}
