//! What can go wrong talking to DynamoDB, classified for the callers that
//! must answer differently: a failed condition (404 / 409 / 413 / retry),
//! a cancelled transaction (read its reasons), throttling (429 / 503), and
//! everything else (a bug or an outage: 500).

use super::Item;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Why a transaction item was cancelled, from `CancellationReasons`.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelReason {
    /// `None` (this item was fine), `ConditionalCheckFailed`,
    /// `TransactionConflict`, `ValidationError`, ...
    pub code: String,
    /// The item as it was, when the write asked for `ALL_OLD` on failure.
    pub item: Option<Item>,
}

impl CancelReason {
    /// True when this item's condition failed.
    pub fn condition_failed(&self) -> bool {
        self.code == "ConditionalCheckFailed"
    }
}

/// A DynamoDB call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write's condition was false. `item` is the item as it was (when
    /// the write asked for it and the item exists).
    #[error("the write's condition was not met")]
    ConditionFailed {
        /// The item when the condition was checked, if any.
        item: Option<Item>,
    },
    /// A transaction was cancelled; one reason per item, in request order.
    #[error("the transaction was cancelled: {}", reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", "))]
    TransactionCanceled {
        /// Per-item reasons, in the order of the transaction's items.
        reasons: Vec<CancelReason>,
    },
    /// Throttled, after the SDK's own retries.
    #[error("DynamoDB throttled the request: {0}")]
    Throttled(String),
    /// DynamoDB refused the request as invalid: a bug of ours (every limit
    /// must be checked before the call) or an unexpected schema.
    #[error("DynamoDB rejected the request: {0}")]
    Rejected(String),
    /// DynamoDB did not answer in time, could not be reached, or failed on
    /// its side (5xx), after the SDK's retries: nothing a caller did wrong,
    /// worth retrying later (503 / 429 with `Retry-After`).
    #[error("DynamoDB is unavailable: {0}")]
    Unavailable(String),
    /// Anything else (credentials, permissions, an unexpected answer): a
    /// bug or a misconfiguration (500).
    #[error("DynamoDB call failed: {0}")]
    Failed(String),
}

/// Service error codes of DynamoDB's own failures.
const SERVER_FAILURES: &[&str] = &["InternalServerError", "ServiceUnavailable", "InternalFailure"];

const THROTTLING: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "TransactionInProgressException",
];

impl StoreError {
    /// Classifies any SDK error by its service error code. Callers that can
    /// get `ConditionalCheckFailed` or `TransactionCanceled` use the typed
    /// helpers in `table.rs`, which keep the item and reasons.
    pub fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let text = describe(&err);
        match &err {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
                return StoreError::Unavailable(text);
            }
            _ => {}
        }
        match err.code() {
            Some("ConditionalCheckFailedException") => StoreError::ConditionFailed { item: None },
            Some(code) if THROTTLING.contains(&code) => StoreError::Throttled(text),
            Some(code) if SERVER_FAILURES.contains(&code) => StoreError::Unavailable(text),
            Some("ValidationException") => StoreError::Rejected(text),
            _ => StoreError::Failed(text),
        }
    }
}

/// What a failed call may say in a log line: for an answer from the
/// service, its error code, message and request id, never the raw response
/// (whose body can hold items: emails, code hashes); for a call that got no
/// answer (timeout, connection), the whole error chain.
fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            format!(
                "service error {}: {} (request id {})",
                e.code().unwrap_or("unknown"),
                loggable(e.message().unwrap_or("")),
                e.meta().extra("aws_request_id").unwrap_or("unknown")
            )
        }
        other => DisplayErrorContext(other).to_string(),
    }
}

/// The longest part of a service error message a log line keeps.
const MAX_LOGGED_MESSAGE_CHARS: usize = 200;

/// A service error message as a log line may hold it: at most
/// [`MAX_LOGGED_MESSAGE_CHARS`], with every word that holds an `@` (an
/// address echoed back by a server's validation message) replaced.
fn loggable(message: &str) -> String {
    let words: Vec<&str> = message
        .split(' ')
        .map(|word| if word.contains('@') { "<redacted>" } else { word })
        .collect();
    let text = words.join(" ");
    match text.char_indices().nth(MAX_LOGGED_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::{error::ErrorMetadata, operation::get_item::GetItemError};

    #[test]
    fn service_errors_never_carry_the_raw_response_into_logs() {
        let meta = ErrorMetadata::builder()
            .code("InternalServerError")
            .message("boom")
            .build();
        let raw = "{\"Item\": {\"email\": {\"S\": \"jane@example.com\"}}}".to_owned();
        let err = StoreError::from_sdk(SdkError::service_error(GetItemError::generic(meta), raw));
        let StoreError::Unavailable(text) = err else {
            panic!("{err:?}")
        };
        assert!(
            text.contains("InternalServerError") && text.contains("boom"),
            "{text}"
        );
        assert!(!text.contains("jane@example.com"), "{text}");
    }

    #[test]
    fn echoed_addresses_and_long_messages_are_cut_from_logged_messages() {
        let message = format!("invalid value \"a@b.example\" in {}", "x".repeat(500));
        let meta = ErrorMetadata::builder()
            .code("ValidationException")
            .message(message)
            .build();
        let err = StoreError::from_sdk(SdkError::service_error(GetItemError::generic(meta), ()));
        let StoreError::Rejected(text) = err else {
            panic!("{err:?}")
        };
        assert!(
            !text.contains("a@b.example") && text.contains("<redacted>"),
            "{text}"
        );
        assert!(text.chars().count() < 300, "{text}");
    }
}
