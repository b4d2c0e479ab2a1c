//! The success rendering: the contract answers a successful update with
//! `204 No Content` and no body.

use lambda_http::{Body, Response, http::StatusCode};
use shared::http;

/// `204 No Content` with an empty body and the `x-request-id` header.
pub fn no_content(request_id: &str) -> Response<Body> {
    http::with_request_id(http::empty(StatusCode::NO_CONTENT), request_id)
}
