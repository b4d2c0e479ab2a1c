//! Conditional updates that fall back to an exact, version-checked write.
//!
//! The pattern every endpoint uses: first try one UpdateItem whose
//! condition is cheap and conservative (a bound, a monotonic timestamp, "the
//! map exists"). If it fails, DynamoDB hands back the item as it was
//! (`ALL_OLD`), and the endpoint plans an exact update from that item,
//! conditioned on what it read (usually its `version`). A concurrent writer
//! makes that condition fail with the newer item, and the plan is made
//! again. No read precedes the common case, and no interleaving loses a
//! write or breaks a limit the plan checks.

use super::{Item, Key, StoreError, Table, Update};
use aws_sdk_dynamodb::types::ReturnValue;

/// How many exact attempts before giving up with [`Optimistic::Contention`].
pub const MAX_ATTEMPTS: usize = 32;

/// Why an optimistic update did not happen.
#[derive(Debug)]
pub enum Optimistic<E> {
    /// The plan refused the item (missing, another tenant, a limit): the
    /// endpoint's own error.
    Refused(E),
    /// The exact write lost [`MAX_ATTEMPTS`] races in a row.
    Contention,
    /// DynamoDB failed.
    Store(StoreError),
}

/// Runs `first`; on a failed condition, asks `plan` for an exact update from
/// the item as it was (`None` when it does not exist) and runs that, until
/// one succeeds. Without a `first` update (when no cheap condition can
/// decide), it starts with a consistent read. Returns what `returns` asks for.
///
/// `first` is speculative: when DynamoDB refuses it as invalid for the item
/// (some implementations check a nested SET against a missing map before the
/// condition), the item is read and planned exactly like after a failed
/// condition. A refused exact plan is an error.
pub async fn update<E>(
    table: &Table,
    key: &Key,
    returns: ReturnValue,
    first: Option<Update>,
    mut plan: impl FnMut(Option<&Item>) -> Result<Update, E>,
) -> Result<Option<Item>, Optimistic<E>> {
    let mut current = match first {
        Some(first) => match attempt(table, key, first, returns.clone()).await {
            Ok(Ok(item)) => return Ok(item),
            Ok(Err(current)) => current,
            Err(Optimistic::Store(StoreError::Rejected(reason))) => {
                tracing::debug!(%reason, "speculative update refused; reading the item");
                table.get(key, true).await.map_err(Optimistic::Store)?
            }
            Err(e) => return Err(e),
        },
        None => table.get(key, true).await.map_err(Optimistic::Store)?,
    };
    for _ in 0..MAX_ATTEMPTS {
        let update = plan(current.as_ref()).map_err(Optimistic::Refused)?;
        current = match attempt(table, key, update, returns.clone()).await? {
            Ok(item) => return Ok(item),
            Err(current) => current,
        };
    }
    Err(Optimistic::Contention)
}

/// `Ok(Ok(returned))` when written, `Ok(Err(item as it was))` when the
/// condition failed.
async fn attempt<E>(
    table: &Table,
    key: &Key,
    update: Update,
    returns: ReturnValue,
) -> Result<Result<Option<Item>, Option<Item>>, Optimistic<E>> {
    match table.update(key, update, returns).await {
        Ok(item) => Ok(Ok(item)),
        Err(StoreError::ConditionFailed { item }) => Ok(Err(item)),
        Err(e) => Err(Optimistic::Store(e)),
    }
}
