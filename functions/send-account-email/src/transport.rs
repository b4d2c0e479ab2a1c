//! Where messages go: Amazon SES in a deployed stack ([`ses::Ses`]), a
//! directory of `.eml` files on a developer's machine
//! ([`mailbox::Mailbox`]). The handler sees only [`Transport`].

pub mod mailbox;
pub mod ses;

use crate::mail::Mail;
use std::future::Future;

/// Sends one message.
pub trait Transport: Send + Sync {
    /// Sends `mail` (already rendered by the caller into `raw`, its RFC
    /// 5322 bytes). Ok means the transport accepted it for delivery.
    fn send(&self, mail: &Mail, raw: Vec<u8>) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// Why a message was not sent. The text never holds an address or a code
/// (it is logged): only the transport's error code and kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The transport is throttling us, after its own retries.
    #[error("throttled: {0}")]
    Throttled(String),
    /// It did not answer in time, could not be reached, or failed on its
    /// side, after its own retries.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// It refused this message (an unverified sender or recipient, a
    /// suspended account, a malformed message): retrying the same message
    /// fails the same way until an operator acts.
    #[error("refused: {0}")]
    Refused(String),
}
