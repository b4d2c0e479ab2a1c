//! This endpoint's error envelope, the one place errors become HTTP. Error
//! names follow the contract's (`BadRequestError`, `UnauthorizedError`,
//! `NotFoundError`), plus `ConflictError` for a taken number and
//! `UnsupportedMediaTypeError` (415) for a body not declared as JSON:
//!
//! ```json
//! {"error": "BadRequestError", "message": "primaryEmail: must be an email address such as name@example.com",
//!  "field": "primaryEmail", "requestId": "..."}
//! ```
//!
//! `field` names the offending field when there is one.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use shared::{auth::CredentialError, http::BodyError};

/// Every way a request to this endpoint can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Only PATCH is served (405).
    #[error("only PATCH is supported on this resource")]
    MethodNotAllowed,
    /// No usable `x-api-key` header (401).
    #[error("send a valid API key in the x-api-key header ({0})")]
    Credentials(CredentialError),
    /// A key no credential matches (401).
    #[error("the API key is not valid")]
    UnknownKey,
    /// The body is not a JSON object of the right shape (400; 413 when too large).
    #[error("{0}")]
    Body(BodyError),
    /// A field, path parameter or query parameter breaks a rule (400).
    #[error("{field}: {message}")]
    Invalid {
        /// The field (`primaryEmail`, `custom.region`, `accountId`, `allow_new_options`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The body changes nothing (400).
    #[error("the body must include at least one updatable field")]
    NothingToUpdate,
    /// No account with that id for this tenant (404).
    #[error("account not found")]
    NotFound,
    /// Another account of the tenant has this number (409).
    #[error("number: {0} is already used by another account")]
    NumberTaken(i64),
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

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Field { field, message } if !field.is_empty() => ApiError::Invalid { field, message },
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
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    request_id: &'a str,
}

impl ApiError {
    fn status_and_name(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowedError"),
            Credentials(_) | UnknownKey => (StatusCode::UNAUTHORIZED, "UnauthorizedError"),
            Body(BodyError::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "ContentTooLargeError"),
            Body(BodyError::UnsupportedMediaType) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeError")
            }
            Body(_) | Invalid { .. } | NothingToUpdate => (StatusCode::BAD_REQUEST, "BadRequestError"),
            NotFound => (StatusCode::NOT_FOUND, "NotFoundError"),
            NumberTaken(_) => (StatusCode::CONFLICT, "ConflictError"),
            Contention | Throttled => (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailableError"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError"),
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets).
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let (status, name) = self.status_and_name();
        let field = match &self {
            ApiError::Invalid { field, .. } => Some(field.clone()),
            ApiError::NumberTaken(_) => Some("number".to_owned()),
            _ => None,
        };
        let envelope = Envelope {
            error: name,
            message: shared::http::public_message(status, name, &self, request_id),
            field,
            request_id,
        };
        shared::http::error(status, "application/json", &envelope, request_id, "PATCH")
    }
}
