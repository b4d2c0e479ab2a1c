//! This endpoint's error envelope, the one place errors become HTTP:
//!
//! ```json
//! {"code": "invalid_account_id", "message": "...", "requestId": "..."}
//! ```

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
    /// The path id is not `account_` + 26 base32 characters (400).
    #[error("account_id must match ^account_[a-z0-9]{{26}}$, e.g. account_01h455vb4pex5vsknk084sn02q")]
    InvalidAccountId,
    /// The body is not a JSON object of the right shape (400; 413 when too large).
    #[error("{0}")]
    Body(#[from] BodyError),
    /// A field breaks a rule (400).
    #[error("{field}: {message}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No account with that id for this tenant (404), whether it is missing
    /// or another tenant's.
    #[error("account not found")]
    NotFound,
    /// The exact write lost every race (503).
    #[error("the account is being updated concurrently; retry shortly")]
    Contention,
    /// DynamoDB throttled us after the SDK's retries (503).
    #[error("the service is busy; retry shortly")]
    Throttled,
    /// A bug or an outage (500); the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

shared::store_failure!(ApiError {
    throttled: Throttled,
    contention: Contention,
    internal: Internal
});

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    code: &'static str,
    message: String,
    request_id: &'a str,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Credentials(_) | UnknownKey => (StatusCode::UNAUTHORIZED, "unauthorized"),
            InvalidAccountId => (StatusCode::BAD_REQUEST, "invalid_account_id"),
            Body(BodyError::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            Body(BodyError::UnsupportedMediaType) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Body(_) | InvalidField { .. } => (StatusCode::BAD_REQUEST, "invalid_request"),
            NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Contention | Throttled => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets).
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let (status, code) = self.status_and_code();
        let envelope = Envelope {
            code,
            message: shared::http::public_message(status, code, &self, request_id),
            request_id,
        };
        shared::http::error(status, "application/json", &envelope, request_id, "PATCH")
    }
}
