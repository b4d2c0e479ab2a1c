//! The driver's path for a request with an `Idempotency-Key`: the write is
//! planned and staged, and committed by [`crate::endpoint::respond`] in one
//! TransactWriteItems with the request's record, once the answer it leads
//! to is rendered (see [`crate::store::idempotency`] for the whole protocol).
//!
//! A staged write is always conditioned on the subject's version as read,
//! so the item it hands back ([`crate::store::Update::apply_to`] of the read) is exactly
//! the item the commit leaves. When the commit is cancelled for anything
//! but the record, the request's work runs again; [`Retry`] tells the next
//! run's driver what the commit said.

use super::{
    Attempt, Failure, MAX_ATTEMPTS, Plan, Role, committed, conflict_backoff, holds, stamp, transact,
    unchanged, version,
};
use crate::store::context::{Claimed, Ctx};
use crate::store::idempotency::{Found, Refusal};
use crate::store::{Cond, Item, Key, StoreError, Table};
use aws_sdk_dynamodb::types::TransactWriteItem;
use std::time::SystemTime;

/// A planned write of a keyed request, not yet committed.
#[derive(Debug)]
pub struct Staged {
    key: Key,
    plan: Plan,
    /// The token stamped on the subject (the claim's).
    token: String,
}

/// What the last commit of a staged write said, for the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The subject, or another item of the transaction, changed since it
    /// was read (the `n`th time in a row, from 0): plan again from a fresh
    /// read, after a short wait when it was another item (a hot item
    /// shared by many requests, such as a definition).
    Changed(u32),
    /// DynamoDB cancelled the commit for a conflict with another
    /// transaction (the `n`th in a row, from 0): wait, then plan again.
    Conflict(u32),
    /// The claim with this number failed while the subject was as read:
    /// its value is someone else's.
    Taken(usize),
    /// [`MAX_ATTEMPTS`] commits failed in a row; `conflicted` when the last
    /// ones lost to transaction conflicts (the service is busy) rather than
    /// to changes of the item.
    Exhausted {
        /// Whether the last commit lost to a transaction conflict.
        conflicted: bool,
    },
}

/// What committing a staged write with its record did.
#[derive(Debug)]
pub enum Commit {
    /// Both are committed (possibly by a resend of the SDK's).
    Done,
    /// The record's condition failed: a record is there (returned as it
    /// is), nothing was written.
    Record(Option<Item>),
    /// The commit was cancelled: run again, told this.
    Retry(Retry),
    /// DynamoDB failed, or refused the transaction (the write may have
    /// committed when an answer was lost: a retry with the key finds out).
    Failed(StoreError),
}

/// The keyed path of [`super::write_with`]: reads the subject and the
/// claim's record in one snapshot; a live record answers the request
/// ([`Failure::Idempotency`], the replay kept in `claimed`); otherwise the
/// plan's write is staged in `claimed` and the item it will leave is
/// returned (its version recorded in `ctx`).
pub(super) async fn stage<C, E>(
    ctx: &Ctx,
    claimed: &Claimed,
    table: &Table,
    key: &Key,
    context: C,
    mut plan: impl FnMut(Option<&Item>, &C) -> Result<Plan, E>,
) -> Result<Item, Failure<E>> {
    let claim = claimed.claim();
    match claimed.take_retry() {
        Some(Retry::Taken(claim)) => return Err(Failure::Taken(claim)),
        Some(Retry::Exhausted { conflicted: false }) => return Err(Failure::Contention),
        Some(Retry::Exhausted { conflicted: true }) => {
            return Err(Failure::Store(StoreError::Unavailable(format!(
                "{MAX_ATTEMPTS} transactions cancelled by TransactionConflict"
            ))));
        }
        Some(Retry::Conflict(n)) => tokio::time::sleep(conflict_backoff(n)).await,
        Some(Retry::Changed(n)) if n > 0 => tokio::time::sleep(conflict_backoff(n - 1)).await,
        Some(Retry::Changed(_)) | None => {}
    }
    if claimed.has_staged() {
        return Err(Failure::Store(StoreError::Failed(
            "a request with an Idempotency-Key makes one write; a second was planned".to_owned(),
        )));
    }
    let (current, record) = read_pair(table, key, claim.record_key()).await?;
    match record.and_then(|record| claim.found(&record, SystemTime::now())) {
        None => {}
        Some(Found::Replay(response)) => {
            claimed.set_replay(response);
            return Err(Failure::Idempotency(Refusal::Replayed));
        }
        Some(Found::Refused(refusal)) => return Err(Failure::Idempotency(refusal)),
        Some(Found::Ours) => {
            // Only a commit can write the record, and a committed request
            // runs no more.
            return Err(Failure::Store(StoreError::Failed(
                "the request's own idempotency record exists before its commit".to_owned(),
            )));
        }
    }
    let mut planned = plan(current.as_ref(), &context).map_err(Failure::Refused)?;
    if !ctx
        .precondition()
        .admits(current.as_ref().and_then(version), ctx.weak_etag())
    {
        return Err(Failure::PreconditionFailed);
    }
    planned.subject().require(unchanged(current.as_ref()));
    stamp(planned.subject(), claim.token());
    let after = planned
        .subject()
        .apply_to(current.as_ref().unwrap_or(&Item::new()));
    claimed.stage(Staged {
        key: key.clone(),
        plan: planned,
        token: claim.token().to_owned(),
    });
    Ok(committed(ctx, after))
}

/// The subject and the record, read as one snapshot; a read cancelled by
/// a transaction in progress is tried again after [`conflict_backoff`].
async fn read_pair(
    table: &Table,
    key: &Key,
    record: &Key,
) -> Result<(Option<Item>, Option<Item>), StoreError> {
    let mut conflicts = 0;
    loop {
        match table.get_pair(key, record).await {
            Err(StoreError::TransactionCanceled { .. }) if conflicts + 1 < MAX_ATTEMPTS as u32 => {
                tokio::time::sleep(conflict_backoff(conflicts)).await;
                conflicts += 1;
            }
            Err(StoreError::TransactionCanceled { .. }) => {
                return Err(StoreError::Unavailable(
                    "reads cancelled by transactions in progress".to_owned(),
                ));
            }
            other => return other,
        }
    }
}

/// Commits `staged` and `record` (put when `free` holds) in one
/// TransactWriteItems, and classifies a cancellation: the record first
/// (a request with the key committed), then the subject (changed, or a
/// resend of ours that committed), then the claims (taken), then the
/// transaction conflicts. `retries` is how many commits of this request
/// lost to
/// transaction conflicts or changes in a row so far.
pub async fn commit(table: &Table, staged: Staged, record: Item, free: Cond, retries: u32) -> Commit {
    let Staged { key, plan, token } = staged;
    let (mut entries, roles): (Vec<TransactWriteItem>, Vec<Role>) = match plan {
        Plan::Item(update) => (
            vec![transact::update(table.name(), &key, update)],
            vec![Role::Subject],
        ),
        Plan::Transaction(transaction) => {
            let mut entries = Vec::with_capacity(transaction.entries.len() + 2);
            entries.push(transact::update(
                &transaction.table,
                &transaction.key,
                transaction.subject,
            ));
            entries.extend(transaction.entries);
            let roles = std::iter::once(Role::Subject).chain(transaction.roles).collect();
            (entries, roles)
        }
    };
    entries.push(transact::put(table.name(), record, Some(free)));
    let record_at = entries.len() - 1;
    let reasons = match table.transact(entries).await {
        Ok(()) => return Commit::Done,
        Err(StoreError::TransactionCanceled { reasons }) => reasons,
        Err(e) => return Commit::Failed(e),
    };
    if let Some(record) = reasons.get(record_at).filter(|r| r.condition_failed()) {
        return Commit::Record(record.item.clone());
    }
    if let Some(subject) = reasons.first().filter(|r| r.condition_failed()) {
        if holds(subject.item.as_ref(), &token) {
            return Commit::Done;
        }
        // The subject itself changed: plan again at once.
        return Commit::Retry(Retry::Changed(0));
    }
    match super::classify_cancellation(&reasons, &roles) {
        Ok(Attempt::Taken(claim)) => Commit::Retry(Retry::Taken(claim)),
        Ok(Attempt::Conflict) => Commit::Retry(Retry::Conflict(retries)),
        Ok(_) => Commit::Retry(Retry::Changed(retries + 1)),
        Err(e) => Commit::Failed(e),
    }
}
