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
//!
//! [`ApiError`] is every way a request can fail: the kinds every endpoint
//! shares ([`Common`]) and this endpoint's own. [`ApiError::envelope`] is
//! the one mapping table from kind to status, name, message and field;
//! [`ApiError::into_response`] renders it.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use shared::{error::Common, http::BodyError, idempotency::Refusal};

/// Every way a request to this endpoint can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A failure every endpoint shares (405, 401, body 400/413/415, 404,
    /// 503, 500); its status is [`Common::status`], its wording here is
    /// [`ApiError::envelope`]'s.
    #[error(transparent)]
    Common(Common),
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
    /// Another account of the tenant has this number (409).
    #[error("number: {0} is already used by another account")]
    NumberTaken(i64),
}

shared::common_error!(ApiError);

/// A 400 for `field`.
pub fn invalid(field: impl Into<String>, message: impl ToString) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        message: message.to_string(),
    }
}

/// How one kind of error looks on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The HTTP status.
    pub status: StatusCode,
    /// The contract's error name (`BadRequestError`...).
    pub name: &'static str,
    /// The message (before [`shared::http::public_message`] hides a 500's).
    pub message: String,
    /// The offending field, when there is one.
    pub field: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    request_id: &'a str,
}

impl ApiError {
    /// The one mapping table from kind to status, name, message and field.
    /// Common kinds take their status from [`Common::status`]; where this
    /// contract's wording differs from [`Common`]'s, the message is written
    /// here, otherwise it is the error's own. A body field of the wrong type
    /// or unknown is reported like any invalid field (`field: message`).
    pub fn envelope(&self) -> Envelope {
        use StatusCode as S;
        const BAD_REQUEST: &str = "BadRequestError";
        const UNAUTHORIZED: &str = "UnauthorizedError";
        const UNAVAILABLE: &str = "ServiceUnavailableError";
        let (status, name, message, field): (StatusCode, &'static str, Option<String>, Option<String>) =
            match self {
                Self::Common(c @ Common::MethodNotAllowed { .. }) => {
                    (c.status(), "MethodNotAllowedError", None, None)
                }
                Self::Common(c @ Common::Credentials(e)) => (
                    c.status(),
                    UNAUTHORIZED,
                    Some(format!("send a valid API key in the x-api-key header ({e})")),
                    None,
                ),
                Self::Common(c @ Common::UnknownCredential) => (
                    c.status(),
                    UNAUTHORIZED,
                    Some("the API key is not valid".into()),
                    None,
                ),
                Self::Common(c @ Common::Body(BodyError::TooLarge { .. })) => {
                    (c.status(), "ContentTooLargeError", None, None)
                }
                Self::Common(c @ Common::Body(BodyError::UnsupportedMediaType)) => {
                    (c.status(), "UnsupportedMediaTypeError", None, None)
                }
                Self::Common(c @ Common::Body(BodyError::Field { field, message })) if !field.is_empty() => (
                    c.status(),
                    BAD_REQUEST,
                    Some(format!("{field}: {message}")),
                    Some(field.clone()),
                ),
                Self::Common(c @ Common::Body(_)) => (c.status(), BAD_REQUEST, None, None),
                Self::Common(c @ Common::Header(_)) => (c.status(), BAD_REQUEST, None, None),
                Self::Common(c @ Common::PreconditionFailed) => {
                    (c.status(), "PreconditionFailedError", None, None)
                }
                Self::Common(c @ Common::Idempotency(refusal)) => (
                    c.status(),
                    match refusal {
                        Refusal::KeyReused => "UnprocessableEntityError",
                        Refusal::NotKept | Refusal::Replayed => "ConflictError",
                    },
                    None,
                    None,
                ),
                Self::Common(c @ Common::NotFound) => (
                    c.status(),
                    "NotFoundError",
                    Some("account not found".into()),
                    None,
                ),
                Self::Common(c @ Common::Contention) => (
                    c.status(),
                    UNAVAILABLE,
                    Some("the account is being updated concurrently; retry shortly".into()),
                    None,
                ),
                Self::Common(c @ (Common::Throttled | Common::Unavailable)) => {
                    (c.status(), UNAVAILABLE, None, None)
                }
                Self::Common(c @ Common::Internal(_)) => (c.status(), "InternalServerError", None, None),
                Self::Invalid { field, .. } => (S::BAD_REQUEST, BAD_REQUEST, None, Some(field.clone())),
                Self::NothingToUpdate => (S::BAD_REQUEST, BAD_REQUEST, None, None),
                Self::NumberTaken(_) => (S::CONFLICT, "ConflictError", None, Some("number".to_owned())),
            };
        Envelope {
            status,
            name,
            message: message.unwrap_or_else(|| self.to_string()),
            field,
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets). A 500's message is never sent.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let Envelope {
            status,
            name,
            message,
            field,
        } = self.envelope();
        let wire = Wire {
            error: name,
            message: shared::http::public_message(status, name, &message, request_id),
            field,
            request_id,
        };
        shared::http::error(status, "application/json", &wire, request_id, "PATCH")
    }
}
