//! The contract's error envelope, for every error, the one place errors
//! become HTTP:
//!
//! ```json
//! {"error": {"code": "INVALID_REQUEST", "message": "Invalid timezone format",
//!            "details": {"field": "settings.timezone", "value": "Invalid/Timezone"}}}
//! ```
//!
//! [`ApiError`] is every way a request can fail: the kinds every endpoint
//! shares ([`Common`]) and this endpoint's own. [`ApiError::envelope`] is
//! the one table from kind to status, code, message and details.
//!
//! `details` names the first offending field and carries its `value` exactly
//! as sent; `value` is left out only when nothing was sent for the field
//! (see [`crate::request::sent`]). Codes: `INVALID_REQUEST` (400),
//! `UNAUTHORIZED` (401), `FORBIDDEN` (403), `NOT_FOUND` (404),
//! `METHOD_NOT_ALLOWED` (405), `CONFLICT` (409: a taken email, or an account
//! that kept changing under us), `PAYLOAD_TOO_LARGE` (413),
//! `UNSUPPORTED_MEDIA_TYPE` (415), `RATE_LIMITED` (429, with `Retry-After`),
//! `INTERNAL_ERROR` (500).

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::Value;
use shared::{error::Common, http::BodyError, idempotency::Refusal};

/// Every way a request to this endpoint can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A failure every endpoint shares (405, 401, body 400/413/415, 404,
    /// 409 contention, 429 throttling, 500); mapped by [`ApiError::envelope`].
    #[error(transparent)]
    Common(Common),
    /// The token's role does not allow these fields (403).
    #[error("{message}")]
    Forbidden {
        /// What is not allowed.
        message: String,
        /// The field that needs a higher role, if one does.
        field: Option<&'static str>,
    },
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
    /// Another account uses the email (409); holds the email as sent.
    #[error("the email is already used by another account")]
    EmailTaken(String),
}

// `From<BodyError>` from this macro gives `Common::Body` with no value:
// errors from parsing a body go through `crate::request::sent::shape_error`
// explicitly, which finds the value sent.
shared::common_error!(ApiError);

/// A 400 for `field` with its offending `value`.
pub fn invalid(field: impl Into<String>, message: impl ToString, value: Option<&Value>) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        message: message.to_string(),
        value: value.cloned(),
    }
}

/// How one error looks on the wire, before [`shared::http::public_message`]
/// hides a 500's message.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<'a> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `error.code`.
    pub code: &'static str,
    /// The `error.message`.
    pub message: String,
    /// The `error.details`: the field and, when one was sent, its value.
    pub details: Option<(&'a str, Option<Value>)>,
}

#[derive(Serialize)]
struct Wire<'a> {
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
    value: Option<Value>,
}

impl ApiError {
    /// The one mapping table from kind to status, code, message and
    /// details. Where this contract's wording differs from [`Common`]'s, the
    /// message is written here; otherwise it is the error's own. This
    /// contract answers contention with 409 and throttling with 429.
    pub fn envelope(&self) -> Envelope<'_> {
        use StatusCode as S;
        let (status, code, message, details): (StatusCode, &'static str, Option<String>, _) = match self {
            Self::Common(Common::MethodNotAllowed { .. }) => {
                (S::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", None, None)
            }
            Self::Common(Common::Credentials(e)) => (
                S::UNAUTHORIZED,
                "UNAUTHORIZED",
                Some(format!(
                    "send a valid token in X-Auth-Token or as Authorization: Bearer ({e})"
                )),
                None,
            ),
            Self::Common(Common::UnknownCredential) => (
                S::UNAUTHORIZED,
                "UNAUTHORIZED",
                Some("invalid token".to_owned()),
                None,
            ),
            Self::Common(c @ Common::Body(BodyError::TooLarge { .. })) => {
                (c.status(), "PAYLOAD_TOO_LARGE", None, None)
            }
            Self::Common(c @ Common::Body(BodyError::UnsupportedMediaType)) => {
                (c.status(), "UNSUPPORTED_MEDIA_TYPE", None, None)
            }
            Self::Common(Common::Body(_)) => (S::BAD_REQUEST, "INVALID_REQUEST", None, None),
            Self::Common(c @ Common::Header(_)) => (c.status(), "INVALID_REQUEST", None, None),
            Self::Common(c @ Common::PreconditionFailed) => (c.status(), "PRECONDITION_FAILED", None, None),
            Self::Common(c @ Common::Idempotency(refusal)) => (
                c.status(),
                match refusal {
                    Refusal::KeyReused => "IDEMPOTENCY_KEY_REUSED",
                    Refusal::NotKept | Refusal::Replayed => "IDEMPOTENCY_RESPONSE_NOT_KEPT",
                },
                None,
                None,
            ),
            Self::Common(Common::NotFound) => (
                S::NOT_FOUND,
                "NOT_FOUND",
                Some("account not found".to_owned()),
                None,
            ),
            Self::Common(Common::Contention) => (
                S::CONFLICT,
                "CONFLICT",
                Some("the account was updated concurrently; retry the request".to_owned()),
                None,
            ),
            Self::Common(Common::Throttled) => (
                S::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                Some("too many requests; retry later".to_owned()),
                None,
            ),
            // Contract 004 lists 429, not 503, for "try again later".
            Self::Common(Common::Unavailable) => (
                S::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                Some("the service is temporarily unavailable; retry later".to_owned()),
                None,
            ),
            Self::Common(c @ Common::Internal(_)) => (c.status(), "INTERNAL_ERROR", None, None),
            Self::Forbidden { field, .. } => {
                (S::FORBIDDEN, "FORBIDDEN", None, field.map(|field| (field, None)))
            }
            Self::Invalid { field, value, .. } => (
                S::BAD_REQUEST,
                "INVALID_REQUEST",
                None,
                Some((field.as_str(), value.clone())),
            ),
            Self::EmailTaken(email) => (
                S::CONFLICT,
                "CONFLICT",
                None,
                Some(("email", Some(Value::String(email.clone())))),
            ),
        };
        Envelope {
            status,
            code,
            message: message.unwrap_or_else(|| self.to_string()),
            details,
        }
    }

    /// Renders the error in the contract's envelope (see
    /// [`shared::http::error`] for the headers each status gets: 429 has
    /// `Retry-After`, 405 `Allow`, 415 `Accept-Patch`). A 500's message is
    /// logged, never sent.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let Envelope {
            status,
            code,
            message,
            details,
        } = self.envelope();
        let wire = Wire {
            error: ErrorBody {
                code,
                message: shared::http::public_message(status, code, &message, request_id),
                details: details.map(|(field, value)| Details { field, value }),
            },
        };
        shared::http::error(status, "application/json", &wire, request_id, "PATCH")
    }
}
