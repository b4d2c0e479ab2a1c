//! The success view: the account after the rename and its newest linked
//! prospects, as the contract shows them, and its rendering (200, JSON, and
//! the [`TRUNCATED_HEADER`]). [`size`] bounds how large it can get.

pub mod size;

use crate::store::{Account, Written, prospects::Prospect};
use lambda_http::{
    Body, Response,
    http::{HeaderValue, StatusCode},
};
use serde::Serialize;
use shared::http;

/// Response header of every 200: `true` when the account has more linked
/// prospects than `linkedProspects` lists, else `false`.
pub const TRUNCATED_HEADER: &str = "x-linked-prospects-truncated";

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
    /// The view of what the write left.
    pub fn new(written: Written) -> Self {
        AccountResponse {
            account: written.account,
            linked_prospects: written.prospects.prospects,
            linked_prospects_truncated: written.prospects.truncated,
        }
    }

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
