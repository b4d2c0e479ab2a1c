//! Building responses. Every response carries `cache-control: no-store`:
//! these are writes, and their bodies may hold account data.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;

/// A response with no body (for 204).
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("cache-control", "no-store".parse().expect("static header"));
    response
}

/// A JSON response with the given content type (`application/json`,
/// `application/problem+json`).
pub fn json(status: StatusCode, content_type: &'static str, body: &impl Serialize) -> Response<Body> {
    // Serializing our own response types cannot fail: they hold no maps with
    // non-string keys and no types with fallible `Serialize`.
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    let mut response = empty(status);
    *response.body_mut() = Body::Text(text);
    response.headers_mut().insert(
        "content-type",
        lambda_http::http::HeaderValue::from_static(content_type),
    );
    response
}
