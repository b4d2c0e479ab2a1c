//! This API's error envelope, as the contract shows it, the one place errors
//! become HTTP:
//!
//! ```json
//! {"error": "email_exists", "message": "This email is already linked to another account."}
//! ```
//!
//! Codes: `invalid_request` (400; also 405 and 413), `unauthorized` (401,
//! and 403 for a token without permission on the account), `not_found`
//! (404), `email_exists` (409), `unsupported_media_type` (415),
//! `too_many_requests` (429, with `Retry-After` in seconds: the account's
//! email-verification budget is used up, see [`crate::budget`]),
//! `service_unavailable` (503, `Retry-After: 1`), `internal_error` (500).
//! The request id travels in `x-request-id`.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use shared::{auth::CredentialError, http::BodyError};

/// Every way a request to this API can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Another method than the route's (405).
    #[error("this method is not supported on this resource")]
    MethodNotAllowed,
    /// No usable bearer token (401).
    #[error("send a valid access token as `Authorization: Bearer <access_token>` ({0})")]
    Credentials(CredentialError),
    /// A token no credential matches (401).
    #[error("the access token is not valid")]
    UnknownToken,
    /// The token has no permission on the account it names (403).
    #[error("the provided token does not have permission to update this account")]
    Forbidden,
    /// The body is not a JSON object of the right shape (400; 413 when too large).
    #[error("{0}")]
    Body(#[from] BodyError),
    /// A field breaks a rule (400).
    #[error("{field}: {message}")]
    Invalid {
        /// The field (`email`, `settings.timezone`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The account does not exist (404).
    #[error("account not found")]
    NotFound,
    /// Another account uses the email (409).
    #[error("This email is already linked to another account.")]
    EmailExists,
    /// The account's email-verification budget is used up (429).
    #[error("{message}")]
    RateLimited {
        /// What is used up.
        message: &'static str,
        /// Seconds until the budget's window ends (`Retry-After`).
        retry_after: u64,
    },
    /// The write lost every race (503).
    #[error("the account is being updated concurrently; retry shortly")]
    Contention,
    /// DynamoDB throttled us after the SDK's retries (503).
    #[error("the service is busy; retry shortly")]
    Throttled,
    /// A bug or an outage (500); the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A 400 for `field`.
pub fn invalid(field: impl Into<String>, message: impl ToString) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        message: message.to_string(),
    }
}

shared::store_failure!(ApiError {
    throttled: Throttled,
    contention: Contention,
    internal: Internal
});

#[derive(Serialize)]
struct Envelope {
    error: &'static str,
    message: String,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "invalid_request"),
            Credentials(_) | UnknownToken => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Forbidden => (StatusCode::FORBIDDEN, "unauthorized"),
            Body(BodyError::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request"),
            Body(BodyError::UnsupportedMediaType) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Body(_) | Invalid { .. } => (StatusCode::BAD_REQUEST, "invalid_request"),
            NotFound => (StatusCode::NOT_FOUND, "not_found"),
            EmailExists => (StatusCode::CONFLICT, "email_exists"),
            RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Contention | Throttled => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets; a 401 also gets `WWW-Authenticate: Bearer`, a 429 the
    /// seconds until its window ends in `Retry-After`). `allow` is the
    /// route's method, for 405.
    pub fn into_response(self, request_id: &str, allow: &'static str) -> Response<Body> {
        let (status, code) = self.status_and_code();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let message = shared::http::public_message(status, code, &self, request_id);
        let mut response = shared::http::error(
            status,
            "application/json",
            &Envelope { error: code, message },
            request_id,
            allow,
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert("www-authenticate", "Bearer".parse().expect("static header"));
        }
        if let Some(seconds) = retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    }
}
