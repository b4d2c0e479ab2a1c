//! The contract's error envelope, for every error, the one place errors
//! become HTTP:
//!
//! ```json
//! {"error": {"code": "INVALID_REQUEST", "message": "Invalid timezone format",
//!            "details": {"field": "settings.timezone", "value": "Invalid/Timezone"}}}
//! ```
//!
//! `details` names the first offending field and carries its `value` exactly
//! as sent; `value` is left out only when nothing was sent for the field
//! (see [`crate::sent`]). Codes: `INVALID_REQUEST` (400), `UNAUTHORIZED`
//! (401), `FORBIDDEN` (403), `NOT_FOUND` (404), `METHOD_NOT_ALLOWED` (405),
//! `CONFLICT` (409), `PAYLOAD_TOO_LARGE` (413), `UNSUPPORTED_MEDIA_TYPE`
//! (415), `RATE_LIMITED` (429, with `Retry-After`), `INTERNAL_ERROR` (500).

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::Value;
use shared::{auth::CredentialError, http::BodyError};

/// Every way a request to this endpoint can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Only PATCH is served (405).
    #[error("only PATCH is supported on this resource")]
    MethodNotAllowed,
    /// No usable token (401).
    #[error("send a valid token in X-Auth-Token or as Authorization: Bearer ({0})")]
    Credentials(CredentialError),
    /// A token no credential matches (401).
    #[error("invalid token")]
    UnknownToken,
    /// The token's role does not allow these fields (403).
    #[error("{message}")]
    Forbidden {
        /// What is not allowed.
        message: String,
        /// The field that needs a higher role, if one does.
        field: Option<&'static str>,
    },
    /// The body is not a JSON object of the right shape (400; 413 when too large).
    #[error("{0}")]
    Body(BodyError),
    /// A field breaks a rule (400).
    #[error("{message}")]
    Invalid {
        /// The field (`settings.timezone`).
        field: String,
        /// What is wrong.
        message: String,
        /// The offending value exactly as sent; `None` only when nothing
        /// was sent for the field.
        value: Option<Value>,
    },
    /// No account with that id that this token may access (404).
    #[error("account not found")]
    NotFound,
    /// Another account uses the email (409).
    #[error("the email is already used by another account")]
    EmailTaken(String),
    /// The account changed concurrently more times than we retry (409).
    #[error("the account was updated concurrently; retry the request")]
    Contention,
    /// DynamoDB throttled us after the SDK's retries (429).
    #[error("too many requests; retry later")]
    Throttled,
    /// A bug or an outage (500); the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A 400 for `field` with its offending `value`.
pub fn invalid(field: impl Into<String>, message: impl ToString, value: Option<&Value>) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        message: message.to_string(),
        value: value.cloned(),
    }
}

/// A body error without the body at hand (the 415 of
/// [`shared::http::json_body`]). Errors from parsing a body go through
/// [`crate::sent::shape_error`] instead, which also finds the value sent.
impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Field { field, message } if !field.is_empty() => ApiError::Invalid {
                field,
                message,
                value: None,
            },
            other => ApiError::Body(other),
        }
    }
}

shared::store_failure!(ApiError {
    throttled: Throttled,
    contention: Contention,
    internal: Internal
});

#[derive(Serialize)]
struct Envelope<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details<'a>>,
}

#[derive(Serialize)]
struct Details<'a> {
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a Value>,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"),
            Credentials(_) | UnknownToken => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            Forbidden { .. } => (StatusCode::FORBIDDEN, "FORBIDDEN"),
            Body(BodyError::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"),
            Body(BodyError::UnsupportedMediaType) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE")
            }
            Body(_) | Invalid { .. } => (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
            NotFound => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            EmailTaken(_) | Contention => (StatusCode::CONFLICT, "CONFLICT"),
            Throttled => (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets).
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let (status, code) = self.status_and_code();
        let message = shared::http::public_message(status, code, &self, request_id);
        let email_value = match &self {
            ApiError::EmailTaken(email) => Some(Value::String(email.clone())),
            _ => None,
        };
        let details = match &self {
            ApiError::Invalid { field, value, .. } => Some(Details {
                field,
                value: value.as_ref(),
            }),
            ApiError::Forbidden {
                field: Some(field), ..
            } => Some(Details { field, value: None }),
            ApiError::EmailTaken(_) => Some(Details {
                field: "email",
                value: email_value.as_ref(),
            }),
            _ => None,
        };
        let envelope = Envelope {
            error: ErrorBody {
                code,
                message,
                details,
            },
        };
        shared::http::error(status, "application/json", &envelope, request_id, "PATCH")
    }
}
