//! The ways a request fails that every endpoint shares, defined once.
//!
//! Each endpoint's error enum holds [`Common`] as one variant beside its
//! own kinds (a taken email, a forbidden role...), and its envelope maps
//! every kind to its wire shape in one table: the status comes from
//! [`Common::status`], the code string and envelope from the endpoint.
//! [`common_error!`](crate::common_error) writes the conversions an
//! endpoint's enum needs (`?` on store, body and write errors).

use crate::auth::CredentialError;
use crate::http::BodyError;
use crate::store::idempotency::Refusal;
use crate::store::{StoreError, write::Failure};
use lambda_http::http::StatusCode;

/// A failure every endpoint can meet, with the status it answers.
#[derive(Debug, thiserror::Error)]
pub enum Common {
    /// Another method than the route's (405).
    #[error("only {allowed} is supported on this resource")]
    MethodNotAllowed {
        /// The route's method (also sent in `Allow`).
        allowed: lambda_http::http::Method,
    },
    /// No usable credential header (401).
    #[error("send a valid credential ({0})")]
    Credentials(CredentialError),
    /// A well-formed credential that no stored credential matches (401).
    #[error("the credential is not valid")]
    UnknownCredential,
    /// The body is not a JSON object of the right shape (400; 413 when too
    /// large; 415 when not declared as JSON).
    #[error("{0}")]
    Body(BodyError),
    /// A header the shared mechanisms read is malformed (400): `If-Match`,
    /// `If-None-Match` or `Idempotency-Key`.
    #[error("{0}")]
    Header(String),
    /// The resource does not exist, or belongs to another tenant (404).
    #[error("not found")]
    NotFound,
    /// The stored version does not satisfy `If-Match` / `If-None-Match`
    /// (412); nothing was
    /// written.
    #[error("the account's current ETag does not satisfy If-Match / If-None-Match; read it again")]
    PreconditionFailed,
    /// The request's `Idempotency-Key` answers it: its first response was
    /// too large to keep (409), it was used for
    /// another request (422), or its first response is being replayed
    /// (never rendered: [`crate::endpoint::respond`] sends the stored
    /// response instead).
    #[error("{}", idempotency_message(*.0))]
    Idempotency(Refusal),
    /// The write lost every race (503).
    #[error("the resource is being updated concurrently; retry shortly")]
    Contention,
    /// DynamoDB throttled us after the SDK's retries (503; 429 where the
    /// contract says so).
    #[error("the service is busy; retry shortly")]
    Throttled,
    /// DynamoDB did not answer within the time budget, could not be
    /// reached, or failed on its side; or the request ran out of time
    /// (503; 429 where the contract says so).
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable,
    /// A bug or an outage (500): the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Common {
    /// The status HTTP gives this failure. Contracts that answer throttling
    /// with 429 map [`Common::Throttled`] themselves.
    pub fn status(&self) -> StatusCode {
        match self {
            Common::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Common::Credentials(_) | Common::UnknownCredential => StatusCode::UNAUTHORIZED,
            Common::Body(BodyError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            Common::Body(BodyError::UnsupportedMediaType) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Common::Body(_) => StatusCode::BAD_REQUEST,
            Common::Header(_) => StatusCode::BAD_REQUEST,
            Common::NotFound => StatusCode::NOT_FOUND,
            Common::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Common::Idempotency(Refusal::NotKept) => StatusCode::CONFLICT,
            Common::Idempotency(Refusal::KeyReused) => StatusCode::UNPROCESSABLE_ENTITY,
            Common::Idempotency(Refusal::Replayed) => StatusCode::OK,
            Common::Contention | Common::Throttled | Common::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Common::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The message of an idempotency refusal.
fn idempotency_message(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::NotKept => {
            "a request with this Idempotency-Key was executed; its response was too large to keep for replay"
        }
        Refusal::KeyReused => "this Idempotency-Key was used for a different request; use a new key",
        Refusal::Replayed => "the response to the first request with this Idempotency-Key",
    }
}

impl Refusal {
    /// The machine-readable code every envelope uses for this refusal.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotKept => "idempotency_response_not_kept",
            Refusal::KeyReused => "idempotency_key_reused",
            Refusal::Replayed => "replayed",
        }
    }
}

impl From<StoreError> for Common {
    /// Throttling stays throttling, an outage or timeout is unavailable
    /// (logged with its detail); anything else reaching an endpoint as a
    /// store error (a refused request, a misconfiguration) is internal.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Throttled(_) => {
                crate::store::scope::note_throttled();
                Common::Throttled
            }
            StoreError::Unavailable(detail) => {
                tracing::warn!(%detail, "DynamoDB unavailable");
                Common::Unavailable
            }
            other => Common::Internal(other.to_string()),
        }
    }
}

impl From<BodyError> for Common {
    fn from(e: BodyError) -> Self {
        Common::Body(e)
    }
}

impl From<CredentialError> for Common {
    fn from(e: CredentialError) -> Self {
        Common::Credentials(e)
    }
}

/// The endpoint error for a write that did not happen: the plan's own
/// refusal as it is, contention and store failures as [`Common`] kinds, and
/// a taken claim as `taken(claim number)` says.
pub fn from_write_failure<E: From<Common>>(failure: Failure<E>, taken: impl FnOnce(usize) -> E) -> E {
    match failure {
        Failure::Refused(e) => e,
        Failure::Taken(claim) => taken(claim),
        Failure::Contention => Common::Contention.into(),
        Failure::PreconditionFailed => Common::PreconditionFailed.into(),
        Failure::Idempotency(refusal) => Common::Idempotency(refusal).into(),
        Failure::Store(e) => Common::from(e).into(),
    }
}

/// Implements, for an endpoint's error enum that has a `Common(Common)`
/// variant: `From<Common>`, and through it `From<StoreError>`,
/// `From<BodyError>` and `From<CredentialError>`, so `?` works on every
/// shared call. Writes with claims convert with
/// [`from_write_failure`]; writes without (a claim can't be taken) with
/// `From<Failure<Self>>`, which this also implements.
///
/// ```text
/// shared::common_error!(ApiError);
/// ```
#[macro_export]
macro_rules! common_error {
    ($error:ident) => {
        impl From<$crate::error::Common> for $error {
            fn from(e: $crate::error::Common) -> Self {
                $error::Common(e)
            }
        }

        impl From<$crate::store::StoreError> for $error {
            fn from(e: $crate::store::StoreError) -> Self {
                $crate::error::Common::from(e).into()
            }
        }

        impl From<$crate::http::BodyError> for $error {
            fn from(e: $crate::http::BodyError) -> Self {
                $crate::error::Common::from(e).into()
            }
        }

        impl From<$crate::auth::CredentialError> for $error {
            fn from(e: $crate::auth::CredentialError) -> Self {
                $crate::error::Common::from(e).into()
            }
        }

        impl From<$crate::store::write::Failure<$error>> for $error {
            /// A write without claims: a `Taken` cannot happen, and would
            /// be a bug (500) if it did.
            fn from(f: $crate::store::write::Failure<$error>) -> Self {
                $crate::error::from_write_failure(f, |claim| {
                    $crate::error::Common::Internal(format!("claim {claim} taken in a write without claims"))
                        .into()
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Endpoint {
        Common(Common),
        Taken(usize),
    }
    crate::common_error!(Endpoint);

    #[test]
    fn statuses_are_the_ones_http_gives() {
        assert_eq!(Common::Body(BodyError::TooLarge { limit: 1 }).status(), 413);
        assert_eq!(Common::Body(BodyError::UnsupportedMediaType).status(), 415);
        assert_eq!(Common::Body(BodyError::Empty).status(), 400);
        assert_eq!(Common::UnknownCredential.status(), 401);
        assert_eq!(Common::Throttled.status(), 503);
        assert_eq!(Common::PreconditionFailed.status(), 412);
        assert_eq!(Common::Idempotency(Refusal::NotKept).status(), 409);
        assert_eq!(Common::Idempotency(Refusal::KeyReused).status(), 422);
        assert_eq!(Common::Header("x".into()).status(), 400);
    }

    #[test]
    fn write_failures_become_the_endpoints_errors() {
        let taken = from_write_failure(Failure::<Endpoint>::Taken(1), Endpoint::Taken);
        assert!(matches!(taken, Endpoint::Taken(1)));
        let busy: Endpoint = Failure::Store(StoreError::Throttled("x".into())).into();
        assert!(matches!(busy, Endpoint::Common(Common::Throttled)));
        let lost: Endpoint = Failure::Contention.into();
        assert!(matches!(lost, Endpoint::Common(Common::Contention)));
        let bug: Endpoint = Failure::Taken(0).into();
        assert!(matches!(bug, Endpoint::Common(Common::Internal(_))));
    }
}
