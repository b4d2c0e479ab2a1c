//! This endpoint's error envelope: RFC 9457 `application/problem+json`,
//! extended with a machine-readable `code` and the `request_id`.
//!
//! ```json
//! {"type": "about:blank", "title": "Bad Request", "status": 400,
//!  "code": "invalid_field", "detail": "name: must not be blank",
//!  "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}
//! ```
//!
//! [`ApiError`] is every way a request can fail: the kinds every endpoint
//! shares ([`Common`]) and this endpoint's own. [`ApiError::into_response`]
//! renders them through one table, [`ApiError::envelope`].

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use shared::{error::Common, http::BodyError};

/// Every way a request to this endpoint can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A failure every endpoint shares (405, 401, body 400/413/415, 404,
    /// 503, 500); its status is [`Common::status`].
    #[error(transparent)]
    Common(Common),
    /// The path has no account id (400).
    #[error("the account id is missing from the path /accounts/{{accountId}}/metadata")]
    MissingAccountId,
    /// The account id cannot name an account (400).
    #[error("the account id must be 1-128 letters, digits, '_' or '-'")]
    InvalidAccountId,
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
}

shared::common_error!(ApiError);

/// A field error on `field` (400, `invalid_field`).
pub fn invalid(field: &str, message: impl ToString) -> ApiError {
    ApiError::InvalidField {
        field: field.to_owned(),
        message: message.to_string(),
    }
}

/// How one kind of error looks on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The HTTP status.
    pub status: StatusCode,
    /// The machine-readable `code`.
    pub code: &'static str,
    /// The `detail` (before [`shared::http::public_message`] hides a 500's).
    pub detail: String,
}

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
    /// The one mapping table from kind to status, code and detail. Common
    /// kinds take their status from [`Common::status`]; where this
    /// contract's wording differs from [`Common`]'s, the detail is written
    /// here, otherwise it is the error's own message.
    pub fn envelope(&self) -> Envelope {
        use StatusCode as S;
        let (status, code, detail): (StatusCode, &'static str, Option<String>) = match self {
            Self::Common(c @ Common::MethodNotAllowed { .. }) => (c.status(), "method_not_allowed", None),
            Self::Common(c @ Common::Credentials(e)) => (
                c.status(),
                "unauthorized",
                Some(format!(
                    "send a valid token as `Authorization: Bearer <token>` ({e})"
                )),
            ),
            Self::Common(c @ Common::UnknownCredential) => {
                (c.status(), "unauthorized", Some("the token is not valid".into()))
            }
            Self::Common(c @ Common::Body(BodyError::TooLarge { .. })) => {
                (c.status(), "body_too_large", None)
            }
            Self::Common(c @ Common::Body(BodyError::UnsupportedMediaType)) => {
                (c.status(), "unsupported_media_type", None)
            }
            Self::Common(c @ Common::Body(BodyError::Field { .. })) => (c.status(), "invalid_field", None),
            Self::Common(c @ Common::Body(_)) => (c.status(), "invalid_body", None),
            Self::Common(c @ Common::Header(_)) => (c.status(), "invalid_header", None),
            Self::Common(c @ Common::PreconditionFailed) => (c.status(), "precondition_failed", None),
            Self::Common(c @ Common::Idempotency(refusal)) => (c.status(), refusal.code(), None),
            Self::Common(c @ Common::NotFound) => {
                (c.status(), "account_not_found", Some("account not found".into()))
            }
            Self::Common(c @ Common::Contention) => (
                c.status(),
                "contention",
                Some("the account is being updated concurrently; retry shortly".into()),
            ),
            Self::Common(c @ Common::Throttled) => (c.status(), "throttled", None),
            Self::Common(c @ Common::Unavailable) => (c.status(), "unavailable", None),
            Self::Common(c @ Common::Internal(_)) => (c.status(), "internal_error", None),
            Self::MissingAccountId => (S::BAD_REQUEST, "missing_account_id", None),
            Self::InvalidAccountId => (S::BAD_REQUEST, "invalid_account_id", None),
            Self::InvalidField { .. } => (S::BAD_REQUEST, "invalid_field", None),
            Self::NothingToUpdate => (S::BAD_REQUEST, "nothing_to_update", None),
            Self::TooManyMetadataKeys { .. } => (S::PAYLOAD_TOO_LARGE, "too_many_metadata_keys", None),
            Self::MetadataValueTooLarge { .. } => (S::PAYLOAD_TOO_LARGE, "metadata_value_too_large", None),
        };
        Envelope {
            status,
            code,
            detail: detail.unwrap_or_else(|| self.to_string()),
        }
    }

    /// Renders the error as `application/problem+json` (see
    /// [`shared::http::error`] for the headers each status gets; a 401 also
    /// gets `WWW-Authenticate: Bearer`). A 500's detail is never sent.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let Envelope { status, code, detail } = self.envelope();
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code,
            detail: shared::http::public_message(status, code, &detail, request_id),
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
