//! This endpoint's error envelope: RFC 9457 `application/problem+json`,
//! extended with a machine-readable `code` and the `request_id`.
//!
//! ```json
//! {"type": "about:blank", "title": "Bad Request", "status": 400,
//!  "code": "invalid_field", "detail": "name: must not be blank",
//!  "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}
//! ```
//!
//! [`ApiError`] is every way a request can fail; [`ApiError::into_response`]
//! is the one place that maps them to HTTP.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use shared::{auth::CredentialError, http::BodyError};

/// Every way a request to this endpoint can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Only PATCH is served (405).
    #[error("only PATCH is supported on this resource")]
    MethodNotAllowed,
    /// No usable `Authorization: Bearer` header (401).
    #[error("send a valid token as `Authorization: Bearer <token>` ({0})")]
    Credentials(CredentialError),
    /// A well-formed token that no credential matches (401).
    #[error("the token is not valid")]
    UnknownToken,
    /// The path has no account id (400).
    #[error("the account id is missing from the path /accounts/{{accountId}}/metadata")]
    MissingAccountId,
    /// The account id cannot name an account (400).
    #[error("the account id must be 1-128 letters, digits, '_' or '-'")]
    InvalidAccountId,
    /// The body is not a JSON object of the right shape (400, or 413 when too large).
    #[error("{0}")]
    Body(#[from] BodyError),
    /// A field breaks a rule (400).
    #[error("{field}: {message}")]
    InvalidField {
        /// The field path (`name`, `metadata.industry`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// None of `name`, `domain`, `metadata` was sent (400).
    #[error("the body must include at least one of name, domain or metadata")]
    NothingToUpdate,
    /// The merge would leave more metadata keys than allowed (413).
    #[error("the account would have {would_have} metadata keys; at most {max} are allowed")]
    TooManyMetadataKeys {
        /// The limit.
        max: usize,
        /// How many keys the merge would leave (a lower bound when > max).
        would_have: usize,
    },
    /// One metadata value is too large (413).
    #[error("metadata.{key}: the value is {size} bytes as compact JSON; at most {max} are allowed")]
    MetadataValueTooLarge {
        /// The key whose value is too large.
        key: String,
        /// Its size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// No account with that id in the token's OU (404). Deliberately the
    /// same whether the account is missing or belongs to another OU.
    #[error("account not found")]
    NotFound,
    /// Too many concurrent writers on one account near its key limit (503).
    #[error("the account is being updated concurrently; retry shortly")]
    Contention,
    /// DynamoDB throttled us after the SDK's retries (503).
    #[error("the service is busy; retry shortly")]
    Throttled,
    /// A bug or an outage (500). The detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

shared::store_failure!(ApiError {
    throttled: Throttled,
    contention: Contention,
    internal: Internal
});

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    code: &'static str,
    detail: String,
    request_id: &'a str,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Credentials(_) | UnknownToken => (StatusCode::UNAUTHORIZED, "unauthorized"),
            MissingAccountId => (StatusCode::BAD_REQUEST, "missing_account_id"),
            InvalidAccountId => (StatusCode::BAD_REQUEST, "invalid_account_id"),
            Body(BodyError::TooLarge { .. }) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            Body(BodyError::UnsupportedMediaType) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Body(BodyError::Field { .. }) => (StatusCode::BAD_REQUEST, "invalid_field"),
            Body(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
            InvalidField { .. } => (StatusCode::BAD_REQUEST, "invalid_field"),
            NothingToUpdate => (StatusCode::BAD_REQUEST, "nothing_to_update"),
            TooManyMetadataKeys { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_many_metadata_keys"),
            MetadataValueTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "metadata_value_too_large"),
            NotFound => (StatusCode::NOT_FOUND, "account_not_found"),
            Contention => (StatusCode::SERVICE_UNAVAILABLE, "contention"),
            Throttled => (StatusCode::SERVICE_UNAVAILABLE, "throttled"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// Renders the error as `application/problem+json` (see
    /// [`shared::http::error`] for the headers each status gets; a 401 also
    /// gets `WWW-Authenticate: Bearer`).
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let (status, code) = self.status_and_code();
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code,
            detail: shared::http::public_message(status, code, &self, request_id),
            request_id,
        };
        let mut response =
            shared::http::error(status, "application/problem+json", &problem, request_id, "PATCH");
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert("www-authenticate", "Bearer".parse().expect("static header"));
        }
        response
    }
}
