//! Building responses. Every response carries `cache-control: no-store`
//! (these are writes, and their bodies may hold account data) and
//! `x-request-id` (the id a client quotes to support).

use lambda_http::{
    Body, Response,
    http::{HeaderValue, StatusCode},
};
use serde::Serialize;
use std::fmt::Display;

/// A response with no body (for 204).
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-store"));
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
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    response
}

/// A success: `body` as `application/json`, with `x-request-id`.
pub fn success(status: StatusCode, body: &impl Serialize, request_id: &str) -> Response<Body> {
    with_request_id(json(status, "application/json", body), request_id)
}

/// Adds `x-request-id` (when the id is a valid header value).
pub fn with_request_id(mut response: Response<Body>, request_id: &str) -> Response<Body> {
    if let Ok(id) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

/// The message an error response may show, and the log line for it: a 5xx
/// is logged at error level with its full detail, and a 500 shows only a
/// generic message quoting the request id (never internals); a 4xx is logged
/// at info level and shows `error` as it is.
pub fn public_message(status: StatusCode, code: &str, error: &dyn Display, request_id: &str) -> String {
    if status.is_server_error() {
        tracing::error!(request_id, code, status = status.as_u16(), error = %error, "request failed");
    } else {
        tracing::info!(request_id, code, status = status.as_u16(), "request refused");
    }
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        format!("an internal error occurred; quote request id {request_id} to support")
    } else {
        error.to_string()
    }
}

/// An error response in an endpoint's envelope: `body` with `content_type`,
/// plus the headers HTTP expects for the status: `retry-after` on 429 and
/// 503, `allow` on 405 (`allow` lists the route's method), `accept-patch`
/// (or `accept-post` for a POST route) on 415, and `x-request-id`.
pub fn error(
    status: StatusCode,
    content_type: &'static str,
    body: &impl Serialize,
    request_id: &str,
    allow: &'static str,
) -> Response<Body> {
    let mut response = with_request_id(json(status, content_type, body), request_id);
    let headers = response.headers_mut();
    match status {
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            headers.insert("retry-after", HeaderValue::from_static("1"));
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            headers.insert("allow", HeaderValue::from_static(allow));
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            // RFC 5789 (PATCH) and its POST counterpart: what the body may be.
            let name = if allow == "POST" {
                "accept-post"
            } else {
                "accept-patch"
            };
            headers.insert(
                name,
                HeaderValue::from_static("application/json, application/merge-patch+json"),
            );
        }
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_responses_carry_the_headers_their_status_needs() {
        let r = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "application/json",
            &"x",
            "req-1",
            "PATCH",
        );
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(r.headers()["x-request-id"], "req-1");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let r = error(
            StatusCode::METHOD_NOT_ALLOWED,
            "application/json",
            &"x",
            "req-1",
            "POST",
        );
        assert_eq!(r.headers()["allow"], "POST");
        let r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "application/json",
            &"x",
            "bad\nid",
            "PATCH",
        );
        assert!(r.headers().get("x-request-id").is_none());
    }

    #[test]
    fn internal_errors_never_show_their_detail() {
        let m = public_message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            &"secret table name",
            "req-9",
        );
        assert!(!m.contains("secret") && m.contains("req-9"));
        assert_eq!(
            public_message(StatusCode::BAD_REQUEST, "invalid", &"name: too long", "r"),
            "name: too long"
        );
    }
}
