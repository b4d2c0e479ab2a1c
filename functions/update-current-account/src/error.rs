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
//! email-verification budget is used up, see [`crate::store::budget`]),
//! `service_unavailable` (503, `Retry-After: 1`), `internal_error` (500).
//! The request id travels in `x-request-id`.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use shared::{error::Common, http::BodyError};
use std::{borrow::Cow, fmt::Display};

/// Every way a request to this API can fail: the kinds all endpoints share
/// ([`Common`]) and this contract's own.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A kind every endpoint shares (its status from [`Common::status`];
    /// this contract words some messages its own way, see `ApiError::envelope`).
    #[error("{0}")]
    Common(Common),
    /// The token has no permission on the account it names (403).
    #[error("the provided token does not have permission to update this account")]
    Forbidden,
    /// A field breaks a rule (400).
    #[error("{field}: {message}")]
    Invalid {
        /// The field (`email`, `settings.timezone`).
        field: String,
        /// What is wrong.
        message: String,
    },
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
}

shared::common_error!(ApiError);

/// A 400 for `field`.
pub fn invalid(field: impl Into<String>, message: impl ToString) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        message: message.to_string(),
    }
}

#[derive(Serialize)]
struct Envelope {
    error: &'static str,
    message: String,
}

impl ApiError {
    /// The one mapping table: each kind's status, code string, and the
    /// message where this contract words it differently from the kind's
    /// own text (`None`: the kind's `Display`).
    fn envelope(&self) -> (StatusCode, &'static str, Option<Cow<'static, str>>) {
        use ApiError::*;
        use shared::error::Common as C;
        match self {
            Common(common) => {
                let status = common.status();
                match common {
                    C::MethodNotAllowed { .. } => (status, "invalid_request", None),
                    C::Credentials(e) => (
                        status,
                        "unauthorized",
                        Some(Cow::Owned(format!(
                            "send a valid access token as `Authorization: Bearer <access_token>` ({e})"
                        ))),
                    ),
                    C::UnknownCredential => (
                        status,
                        "unauthorized",
                        Some(Cow::Borrowed("the access token is not valid")),
                    ),
                    C::Body(BodyError::UnsupportedMediaType) => (status, "unsupported_media_type", None),
                    C::Body(_) => (status, "invalid_request", None),
                    C::Header(_) => (status, "invalid_request", None),
                    C::PreconditionFailed => (status, "precondition_failed", None),
                    C::Idempotency(refusal) => (status, refusal.code(), None),
                    C::NotFound => (status, "not_found", Some(Cow::Borrowed("account not found"))),
                    C::Contention => (
                        status,
                        "service_unavailable",
                        Some(Cow::Borrowed(
                            "the account is being updated concurrently; retry shortly",
                        )),
                    ),
                    C::Throttled | C::Unavailable => (status, "service_unavailable", None),
                    C::Internal(_) => (status, "internal_error", None),
                }
            }
            Forbidden => (StatusCode::FORBIDDEN, "unauthorized", None),
            Invalid { .. } => (StatusCode::BAD_REQUEST, "invalid_request", None),
            EmailExists => (StatusCode::CONFLICT, "email_exists", None),
            RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", None),
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets; a 401 also gets `WWW-Authenticate: Bearer`, a 429 the
    /// seconds until its window ends in `Retry-After`). `allow` is the
    /// route's method, for 405.
    pub fn into_response(self, request_id: &str, allow: &'static str) -> Response<Body> {
        let (status, code, wording) = self.envelope();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let text: &dyn Display = match &wording {
            Some(wording) => wording,
            None => &self,
        };
        let message = shared::http::public_message(status, code, text, request_id);
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
