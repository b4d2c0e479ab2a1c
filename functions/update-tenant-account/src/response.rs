//! The success view: the account after the rename and its newest linked
//! prospects, as the contract shows them (the store reads them from the
//! items), and its rendering (200, JSON, and the [`TRUNCATED_HEADER`]).
//! [`size`] bounds how large it can get.

mod prospect;
pub mod size;

pub use prospect::Prospect;

use lambda_http::{
    Body, Response,
    http::{HeaderValue, StatusCode},
};
use serde::{Deserialize, Serialize};
use shared::http;

/// Response header of every 200: `true` when the account has more linked
/// prospects than `linkedProspects` lists, else `false`.
pub const TRUNCATED_HEADER: &str = "x-linked-prospects-truncated";

/// An account as the contract shows it (read from its item by the store,
/// under the store's attribute names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Account id.
    pub account_id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Domain.
    pub domain: String,
    /// Name (`null` for accounts never named).
    #[serde(default)]
    pub name: Option<String>,
    /// Creation time (RFC 3339, UTC, `Z`).
    pub created_at: String,
    /// Last update time (RFC 3339, UTC, `Z`).
    pub updated_at: String,
    /// Last activity time, or `null`.
    #[serde(default)]
    pub latest_activity_at: Option<String>,
}

/// The 200 response: the account and its newest linked prospects.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountResponse {
    /// The account after the rename.
    #[serde(flatten)]
    pub account: Account,
    /// At most [`size::MAX_LINKED_PROSPECTS`] linked prospects, newest
    /// `createdAt` first.
    pub linked_prospects: Vec<Prospect>,
    /// Whether the account has more linked prospects than are listed.
    pub linked_prospects_truncated: bool,
}

impl AccountResponse {
    /// `200 OK` with the view as JSON, `x-request-id`, and
    /// [`TRUNCATED_HEADER`] (`true` / `false`, always present).
    pub fn render(&self, request_id: &str) -> Response<Body> {
        let mut response = http::success(StatusCode::OK, self, request_id);
        let truncated = if self.linked_prospects_truncated {
            "true"
        } else {
            "false"
        };
        response
            .headers_mut()
            .insert(TRUNCATED_HEADER, HeaderValue::from_static(truncated));
        response
    }
}
