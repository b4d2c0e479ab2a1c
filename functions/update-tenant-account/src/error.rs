//! This endpoint's error envelope, the one place errors become HTTP:
//!
//! ```json
//! {"code": "invalid_account_id", "message": "...", "requestId": "..."}
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
    /// The path id is not `account_` + 26 base32 characters (400).
    #[error("account_id must match ^account_[a-z0-9]{{26}}$, e.g. account_01h455vb4pex5vsknk084sn02q")]
    InvalidAccountId,
    /// A field breaks a rule (400).
    #[error("{field}: {message}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

shared::common_error!(ApiError);

/// How one kind of error looks on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The HTTP status.
    pub status: StatusCode,
    /// The machine-readable `code`.
    pub code: &'static str,
    /// The `message` (before [`shared::http::public_message`] hides a 500's).
    pub message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    code: &'static str,
    message: String,
    request_id: &'a str,
}

impl ApiError {
    /// The one mapping table from kind to status, code and message. Common
    /// kinds take their status from [`Common::status`]; where this
    /// contract's wording differs from [`Common`]'s, the message is written
    /// here, otherwise it is the error's own.
    pub fn envelope(&self) -> Envelope {
        use StatusCode as S;
        let (status, code, message): (StatusCode, &'static str, Option<String>) = match self {
            Self::Common(c @ Common::MethodNotAllowed { .. }) => (c.status(), "method_not_allowed", None),
            Self::Common(c @ Common::Credentials(e)) => (
                c.status(),
                "unauthorized",
                Some(format!("send a valid API key in the x-api-key header ({e})")),
            ),
            Self::Common(c @ Common::UnknownCredential) => (
                c.status(),
                "unauthorized",
                Some("the API key is not valid".into()),
            ),
            Self::Common(c @ Common::Body(BodyError::TooLarge { .. })) => {
                (c.status(), "body_too_large", None)
            }
            Self::Common(c @ Common::Body(BodyError::UnsupportedMediaType)) => {
                (c.status(), "unsupported_media_type", None)
            }
            Self::Common(c @ Common::Body(_)) => (c.status(), "invalid_request", None),
            Self::Common(c @ Common::Header(_)) => (c.status(), "invalid_header", None),
            Self::Common(c @ Common::PreconditionFailed) => (c.status(), "precondition_failed", None),
            Self::Common(c @ Common::Idempotency(refusal)) => (c.status(), refusal.code(), None),
            Self::Common(c @ Common::NotFound) => (c.status(), "not_found", Some("account not found".into())),
            Self::Common(c @ Common::Contention) => (
                c.status(),
                "unavailable",
                Some("the account is being updated concurrently; retry shortly".into()),
            ),
            Self::Common(c @ (Common::Throttled | Common::Unavailable)) => (c.status(), "unavailable", None),
            Self::Common(c @ Common::Internal(_)) => (c.status(), "internal_error", None),
            Self::InvalidAccountId => (S::BAD_REQUEST, "invalid_account_id", None),
            Self::InvalidField { .. } => (S::BAD_REQUEST, "invalid_request", None),
        };
        Envelope {
            status,
            code,
            message: message.unwrap_or_else(|| self.to_string()),
        }
    }

    /// Renders the error (see [`shared::http::error`] for the headers each
    /// status gets). A 500's message is never sent.
    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let Envelope {
            status,
            code,
            message,
        } = self.envelope();
        let wire = Wire {
            code,
            message: shared::http::public_message(status, code, &message, request_id),
            request_id,
        };
        shared::http::error(status, "application/json", &wire, request_id, "PATCH")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::auth::CredentialError;

    /// Pins every message the envelope sends, byte for byte.
    #[test]
    fn messages_are_this_contracts_wording() {
        let message = |e: ApiError| e.envelope().message;
        assert_eq!(
            message(
                Common::MethodNotAllowed {
                    allowed: lambda_http::http::Method::PATCH,
                }
                .into()
            ),
            "only PATCH is supported on this resource"
        );
        assert_eq!(
            message(CredentialError::Missing.into()),
            "send a valid API key in the x-api-key header (missing credentials)"
        );
        assert_eq!(
            message(Common::UnknownCredential.into()),
            "the API key is not valid"
        );
        assert_eq!(message(Common::NotFound.into()), "account not found");
        assert_eq!(
            message(Common::Contention.into()),
            "the account is being updated concurrently; retry shortly"
        );
        assert_eq!(
            message(Common::Throttled.into()),
            "the service is busy; retry shortly"
        );
        assert_eq!(message(Common::Internal("x".into()).into()), "internal error: x");
        assert_eq!(
            message(ApiError::InvalidAccountId),
            "account_id must match ^account_[a-z0-9]{26}$, e.g. account_01h455vb4pex5vsknk084sn02q"
        );
    }
}
