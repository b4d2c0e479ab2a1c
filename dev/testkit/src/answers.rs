//! Assertions on an endpoint's answers that several contracts share.

use crate::events::{body_json, header};
use lambda_http::{Body, Response};
use serde_json::Value;

/// Asserts a 200 with a JSON body (`Content-Type: application/json`);
/// returns the body.
pub fn ok(response: &Response<Body>) -> Value {
    let body = body_json(response);
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(header(response, "content-type"), Some("application/json"));
    body
}
