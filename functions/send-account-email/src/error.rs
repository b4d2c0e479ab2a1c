//! Why a record's messages were not all sent: the record is reported as a
//! batch item failure, and Lambda delivers it again (after its retries, to
//! the on-failure queue).

use crate::transport::SendError;
use shared::store::StoreError;

/// Why a record failed. Its text never holds an address or a code.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Reading or marking the outbox item failed.
    #[error("outbox: {0}")]
    Store(#[from] StoreError),
    /// The transport did not take a message.
    #[error("send: {0}")]
    Send(#[from] SendError),
    /// Too little of the invocation's time was left to try it.
    #[error("not tried: too little time left in the invocation")]
    NoTime,
    /// An earlier record of the same account failed (records of one
    /// account are handled in order).
    #[error("not tried: an earlier record of this account failed")]
    AfterFailure,
}
