//! The one write driver: read → plan → commit → classify → retry.
//!
//! Every write of every endpoint goes through [`write()`]. The endpoint
//! supplies a *plan*: from the item as it is (or `None` when it does not
//! exist), the write to make, either one conditional UpdateItem
//! ([`Plan::Item`]) or one TransactWriteItems ([`Plan::Transaction`], built
//! with [`Transaction`], whose first entry updates the item the plan was
//! made from, conditioned on what was read). The driver commits it and
//! classifies the outcome:
//!
//! - committed: the item after the write is returned (DynamoDB's `ALL_NEW`
//!   for an UpdateItem; for a transaction, the after-image of the first
//!   entry's [`Update`] applied to the item read, see [`Update::apply_to`]);
//! - the item changed meanwhile (its condition failed, or a transaction
//!   was cancelled by a conflict or by another entry's condition): plan
//!   again from the item as it is now (`ALL_OLD` of the failed condition,
//!   or a consistent read), up to [`MAX_ATTEMPTS`] times;
//! - a claim entry failed while the item was as read: the value belongs to
//!   someone else, [`Failure::Taken`] with the claim's number;
//! - the plan refused the item (missing, a limit): [`Failure::Refused`]
//!   with the endpoint's error.
//!
//! No interleaving of concurrent writers loses a write or breaks a bound
//! that a plan checks, because every plan is conditioned on what it read.
//!
//! # Applied once
//!
//! Every write stamps the subject item with a token of its own
//! ([`WRITE_TOKEN`]) and is conditioned on the item not holding that token
//! already. When an answer is lost and the SDK sends the write again, the
//! resend fails that condition, and the item DynamoDB returns with the
//! failure carries our token: the write is recognised as committed and
//! answered as the success it was, never applied twice, never answered as
//! a conflict with itself. (The recognition needs the item to still hold
//! our token: should another write land between our commit and the
//! resend, the resend is planned afresh like any other write, under the
//! plan's own conditions.)
//!
//! # What the request's headers ask
//!
//! From the request's context ([`Ctx`], passed to every write), the driver
//! also applies what the request's headers ask of its write, so every
//! endpoint gains them at once (a [`Ctx::detached`] asks nothing):
//!
//! - `If-Match` / `If-None-Match` ([`crate::http::precondition`]): `first`
//!   is conditioned on the versions `If-Match` names (skipped when none is
//!   ours, or for `If-None-Match`), and a planned write is made only from an
//!   item whose `version` the preconditions admit, conditioned on that
//!   version: [`Failure::PreconditionFailed`] (412) otherwise. The plan runs
//!   first, so a missing item or another tenant's stays the endpoint's 404
//!   (RFC 9110 §13.2.1), and nothing tells a caller another tenant's
//!   version.
//! - `Idempotency-Key` ([`crate::store::idempotency`]): the write is not committed
//!   here but staged ([`staged`]): the item and the key's record are read in
//!   one snapshot, a record answers the request, and otherwise the plan's
//!   write is handed to [`crate::endpoint::respond`], which commits it with
//!   the record once the answer is rendered.
//! - The committed (or staged) item's `version` is recorded in the context
//!   for the response's ETag ([`Ctx::committed`]).

pub mod staged;

use super::{Cond, Item, Key, StoreError, Table, Update, VERSION, claims::Owner, transact};
use crate::http::precondition::Speculative;
use crate::store::context::Ctx;
use crate::store::idempotency::Refusal;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use std::time::Duration;

pub use staged::{Retry, Staged};

/// The attribute every write stamps on its subject item: a token of that
/// write, by which a resend of it is recognised (see the module docs).
pub const WRITE_TOKEN: &str = "write_token";

/// How many plans are tried before giving up with [`Failure::Contention`].
pub const MAX_ATTEMPTS: usize = 32;

/// DynamoDB's limit on the actions of one TransactWriteItems.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;

/// The actions a plan may use: one of [`MAX_TRANSACTION_ACTIONS`] is kept
/// for the record a request with an `Idempotency-Key` commits with its
/// write ([`staged`]).
pub const MAX_PLANNED_ACTIONS: usize = MAX_TRANSACTION_ACTIONS - 1;

/// Why a write did not happen.
#[derive(Debug)]
pub enum Failure<E> {
    /// The plan refused the item (missing, another tenant, a limit): the
    /// endpoint's own error.
    Refused(E),
    /// The claim with this number (0 for the first claim pushed) failed
    /// while the item was as planned: its value is someone else's.
    Taken(usize),
    /// The write lost [`MAX_ATTEMPTS`] races in a row.
    Contention,
    /// The item's version is not one the request's `If-Match` names (412).
    PreconditionFailed,
    /// The request's idempotency key answers it: the first response
    /// replayed, 422 (used for another request) or 409 (its response was
    /// not kept).
    Idempotency(Refusal),
    /// DynamoDB failed.
    Store(StoreError),
}

impl<E> From<StoreError> for Failure<E> {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// The write a plan makes.
#[derive(Debug)]
pub enum Plan {
    /// One conditional UpdateItem of the item the plan was made from.
    Item(Update),
    /// One TransactWriteItems whose first entry updates that item.
    Transaction(Transaction),
}

impl Plan {
    /// The update of the item the plan was made from.
    fn subject(&mut self) -> &mut Update {
        match self {
            Plan::Item(update) => update,
            Plan::Transaction(transaction) => &mut transaction.subject,
        }
    }
}

impl From<Update> for Plan {
    fn from(update: Update) -> Self {
        Plan::Item(update)
    }
}

impl From<Transaction> for Plan {
    fn from(transaction: Transaction) -> Self {
        Plan::Transaction(transaction)
    }
}

/// What an entry of a [`Transaction`] is for, which decides what its
/// failed condition means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The item the plan was made from (entry 0): failed = changed or gone.
    Subject,
    /// A unique value's marker: failed (with the subject as read) = taken.
    Claim,
    /// Anything else (a release, a dependent item): failed = changed.
    Other,
}

/// A TransactWriteItems under construction that records, as entries are
/// pushed, what each is for: the subject (entry 0, always), claims, and
/// other entries. The order of pushes is free; nothing is found by position.
#[derive(Debug)]
pub struct Transaction {
    table: String,
    key: Key,
    subject: Update,
    /// The entries after the subject's, which is built at commit (the
    /// driver may still condition it on the request's precondition).
    entries: Vec<TransactWriteItem>,
    roles: Vec<Role>,
}

impl Transaction {
    /// A transaction whose first entry is `update` of the item at `key` (the
    /// item the plan was made from; condition the update on what was read,
    /// usually [`Cond::unchanged`] on its version).
    pub fn new(table: &Table, key: &Key, update: Update) -> Self {
        Transaction {
            table: table.name().to_owned(),
            key: key.clone(),
            subject: update,
            entries: Vec::new(),
            roles: Vec::new(),
        }
    }

    fn push(&mut self, entry: TransactWriteItem, role: Role) -> &mut Self {
        self.entries.push(entry);
        self.roles.push(role);
        self
    }

    /// Claims the marker at `key` for `owner` (put when free or already the
    /// owner's, with `extra` attributes).
    pub fn claim(&mut self, owner: &Owner, key: &Key, extra: Item) -> &mut Self {
        let entry = owner.claim(&self.table, key, extra);
        self.push(entry, Role::Claim)
    }

    /// Claims with an update instead of a put (the update's condition says
    /// when the marker may be taken); a failure means taken.
    pub fn claim_with_update(&mut self, key: &Key, update: Update) -> &mut Self {
        let entry = transact::update(&self.table, key, update);
        self.push(entry, Role::Claim)
    }

    /// Moves `owner`'s claim from `old` to `new`: claims `new` and releases
    /// `old` when there is one; nothing when they are the same key.
    pub fn move_claim(&mut self, owner: &Owner, new: &Key, old: Option<&Key>, extra: Item) -> &mut Self {
        if old == Some(new) {
            return self;
        }
        self.claim(owner, new, extra);
        if let Some(old) = old {
            self.release(owner, old);
        }
        self
    }

    /// Checks `cond` on the item at `key` without writing it (a
    /// ConditionCheck): a claim that reserves nothing, so a failure while
    /// the subject is as read means taken, like [`Transaction::claim`]'s.
    pub fn check_claim(&mut self, key: &Key, cond: Cond) -> &mut Self {
        let entry = transact::check(&self.table, key, cond);
        self.push(entry, Role::Claim)
    }

    /// Deletes `owner`'s marker at `key` (never someone else's).
    pub fn release(&mut self, owner: &Owner, key: &Key) -> &mut Self {
        let entry = owner.release(&self.table, key);
        self.push(entry, Role::Other)
    }

    /// Updates another item; a failed condition means "changed meanwhile".
    pub fn update(&mut self, key: &Key, update: Update) -> &mut Self {
        let entry = transact::update(&self.table, key, update);
        self.push(entry, Role::Other)
    }

    /// Puts `item` when `cond` holds; a failure means "changed meanwhile".
    pub fn put(&mut self, item: Item, cond: Option<Cond>) -> &mut Self {
        let entry = transact::put(&self.table, item, cond);
        self.push(entry, Role::Other)
    }

    /// Deletes the item at `key` when `cond` holds.
    pub fn delete(&mut self, key: &Key, cond: Option<Cond>) -> &mut Self {
        let entry = transact::delete(&self.table, key, cond);
        self.push(entry, Role::Other)
    }

    /// How many actions the transaction holds, the subject's included (at
    /// most [`MAX_PLANNED_ACTIONS`] can commit).
    pub fn len(&self) -> usize {
        self.entries.len() + 1
    }

    /// Never true: the subject is always there.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// What a committed or failed attempt says.
enum Attempt {
    /// Written; the item after.
    Done(Item),
    /// Plan again from this item (`None`: it does not exist).
    Again(Option<Item>),
    /// Plan again from a fresh read.
    Reread,
    /// DynamoDB cancelled the transaction for a conflict with another
    /// transaction on one of its items: retry from a fresh read.
    Conflict,
    /// A claim failed with the subject as planned.
    Taken(usize),
}

/// Writes the item at `key`: `first`, when given, is a speculative
/// UpdateItem whose condition is cheap and conservative (no read precedes
/// it); when it fails, or without it, `plan` is asked for the write to
/// make from the item as it is, until one commits (see the module docs).
/// Returns the item after the write.
///
/// `first` may also be refused by DynamoDB as invalid for the item (some
/// implementations check a nested SET against a missing map before the
/// condition): the item is then read and planned like after a failed
/// condition. A refused planned write is an error.
pub async fn write<E>(
    ctx: &Ctx,
    table: &Table,
    key: &Key,
    first: Option<Update>,
    mut plan: impl FnMut(Option<&Item>) -> Result<Plan, E>,
) -> Result<Item, Failure<E>> {
    let no_context = || std::future::ready(Ok(()));
    write_with(ctx, table, key, (), first, no_context, |item, ()| plan(item)).await
}

/// [`write()`] for a plan that depends on more than the item: `context`
/// (what the plan reads besides the item, such as the definitions a
/// transaction entry is conditioned on) is given to every plan, and read
/// again with `refresh` after a transaction is cancelled, since what
/// cancelled it may be a change of that context.
pub async fn write_with<C, E, F, Fut>(
    ctx: &Ctx,
    table: &Table,
    key: &Key,
    mut context: C,
    first: Option<Update>,
    mut refresh: F,
    mut plan: impl FnMut(Option<&Item>, &C) -> Result<Plan, E>,
) -> Result<Item, Failure<E>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<C, E>>,
{
    if let Some(claimed) = ctx.claimed() {
        return staged::stage(ctx, claimed, table, key, context, plan).await;
    }
    let token = uuid::Uuid::new_v4().to_string();
    let precondition = ctx.precondition();
    let first = match (precondition.speculative(ctx.weak_etag()), first) {
        (_, None) | (Speculative::ReadFirst, _) => None,
        (Speculative::AsIs, first) => first,
        (Speculative::OnVersions(ours), Some(mut first)) => {
            let mut any = ours
                .iter()
                .map(|v| Cond::eq(VERSION, AttributeValue::N(v.to_string())));
            // No version of ours named: nothing can match; read and answer.
            any.next().map(|one| {
                first.require(any.fold(one, Cond::or));
                first
            })
        }
    };
    let mut current = match first {
        Some(mut first) => {
            stamp(&mut first, &token);
            match table.update(key, first, ReturnValue::AllNew).await {
                Ok(after) => return Ok(committed(ctx, after.unwrap_or_default())),
                Err(StoreError::ConditionFailed { item }) if holds(item.as_ref(), &token) => {
                    return Ok(committed(ctx, item.unwrap_or_default()));
                }
                Err(StoreError::ConditionFailed { item }) => item,
                Err(StoreError::Rejected(reason)) => {
                    tracing::debug!(%reason, "speculative update refused; reading the item");
                    table.get(key, true).await?
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => table.get(key, true).await?,
    };
    // Whether the last attempt lost to DynamoDB's own transaction conflicts
    // (an item locked by another transaction) rather than to a change.
    let mut conflicted = false;
    let mut conflicts = 0;
    let mut rereads = 0;
    for _ in 0..MAX_ATTEMPTS {
        let mut planned = plan(current.as_ref(), &context).map_err(Failure::Refused)?;
        if !precondition.is_none() {
            let read = current.as_ref();
            if !precondition.admits(read.and_then(version), ctx.weak_etag()) {
                return Err(Failure::PreconditionFailed);
            }
            planned.subject().require(unchanged(read));
        }
        stamp(planned.subject(), &token);
        let (attempt, was_transaction) = match planned {
            Plan::Item(update) => (commit_item(table, key, update, &token).await?, false),
            Plan::Transaction(transaction) => (
                commit_transaction(table, transaction, current.as_ref(), &token).await?,
                true,
            ),
        };
        conflicted = matches!(attempt, Attempt::Conflict);
        current = match attempt {
            Attempt::Done(after) => return Ok(committed(ctx, after)),
            Attempt::Again(item) => item,
            Attempt::Reread => {
                // Another item of the transaction changed (a hot item many
                // requests write, such as a definition): give its writers
                // room before planning again.
                tokio::time::sleep(conflict_backoff(rereads)).await;
                rereads += 1;
                table.get(key, true).await?
            }
            Attempt::Conflict => {
                // Another transaction holds one of the items: give it time
                // to finish instead of colliding with it again at once.
                tokio::time::sleep(conflict_backoff(conflicts)).await;
                conflicts += 1;
                table.get(key, true).await?
            }
            Attempt::Taken(claim) => return Err(Failure::Taken(claim)),
        };
        if was_transaction {
            context = refresh().await.map_err(Failure::Refused)?;
        }
    }
    if conflicted {
        // The attempts ended on DynamoDB's own transaction conflicts (an
        // item locked by other transactions), not on a change of our item:
        // the service is busy. Each conflict was retried after
        // [`conflict_backoff`]; the request's deadline bounds the whole.
        return Err(Failure::Store(StoreError::Unavailable(format!(
            "{MAX_ATTEMPTS} transactions cancelled by TransactionConflict"
        ))));
    }
    Err(Failure::Contention)
}

/// The longest wait before retrying a transaction DynamoDB cancelled for
/// a conflict with another transaction.
pub const MAX_CONFLICT_BACKOFF: Duration = Duration::from_millis(64);

/// How long to wait after the `n`th (from 0) TransactionConflict in a row:
/// exponential from 2 ms up to [`MAX_CONFLICT_BACKOFF`], with full jitter
/// in its upper half so that writers which collided spread out. Over
/// [`MAX_ATTEMPTS`] conflicts this adds at most ~1.9 s, inside the
/// request's budget.
pub fn conflict_backoff(n: u32) -> Duration {
    let cap = Duration::from_millis(2u64 << n.min(5)).min(MAX_CONFLICT_BACKOFF);
    // Jitter from the process's random hash keys: no RNG dependency.
    let random = std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), n);
    cap / 2 + cap.mul_f64((random % 1024) as f64 / 2048.0)
}

/// Stamps `update` with the write's `token`, conditioned on the item not
/// holding it yet (see the module docs).
fn stamp(update: &mut Update, token: &str) {
    update
        .set(&[WRITE_TOKEN], AttributeValue::S(token.to_owned()))
        .require(Cond::not_exists(WRITE_TOKEN).or(Cond::eq_str(WRITE_TOKEN, token).negate()));
}

/// Whether `item` (returned by a failed condition) holds the write's
/// `token`: the write committed, and `item` is what it left.
fn holds(item: Option<&Item>, token: &str) -> bool {
    item.and_then(|item| super::attr::text(item, WRITE_TOKEN)) == Some(token)
}

/// "The subject is as read": its version unchanged, or still missing.
fn unchanged(read: Option<&Item>) -> Cond {
    match read {
        Some(item) => Cond::unchanged(item, VERSION),
        None => Cond::not_exists(super::PK),
    }
}

/// The `version` of an item, when it has one.
fn version(item: &Item) -> Option<u64> {
    item.get(VERSION)?.as_n().ok()?.parse().ok()
}

/// Records a committed write for the response's ETag, and returns its item.
fn committed(ctx: &Ctx, after: Item) -> Item {
    ctx.committed(version(&after));
    after
}

async fn commit_item(table: &Table, key: &Key, update: Update, token: &str) -> Result<Attempt, StoreError> {
    match table.update(key, update, ReturnValue::AllNew).await {
        Ok(after) => Ok(Attempt::Done(after.unwrap_or_default())),
        Err(StoreError::ConditionFailed { item }) if holds(item.as_ref(), token) => {
            Ok(Attempt::Done(item.unwrap_or_default()))
        }
        Err(StoreError::ConditionFailed { item }) => Ok(Attempt::Again(item)),
        Err(e) => Err(e),
    }
}

/// Commits `transaction` and classifies a cancellation by the roles of the
/// entries that failed. The subject decides first: if its condition failed,
/// the plan was made from a stale item (or it is gone); only a plan made
/// from the current subject can conclude that a value is taken. A
/// `ValidationError` (an item over 400 KB, say) is an error, not something
/// a retry can fix.
async fn commit_transaction(
    table: &Table,
    transaction: Transaction,
    read: Option<&Item>,
    token: &str,
) -> Result<Attempt, StoreError> {
    let Transaction {
        table: name,
        key,
        subject,
        entries: others,
        roles: other_roles,
    } = transaction;
    let mut entries = Vec::with_capacity(others.len() + 1);
    entries.push(transact::update(&name, &key, subject.clone()));
    entries.extend(others);
    let roles: Vec<Role> = std::iter::once(Role::Subject).chain(other_roles).collect();
    let reasons = match table.transact(entries).await {
        Ok(()) => return Ok(Attempt::Done(subject.apply_to(read.unwrap_or(&Item::new())))),
        Err(StoreError::TransactionCanceled { reasons }) => reasons,
        Err(e) => return Err(e),
    };
    if let Some(subject) = reasons.first().filter(|r| r.condition_failed()) {
        if holds(subject.item.as_ref(), token) {
            // A resend of ours, after the first send committed.
            return Ok(Attempt::Done(subject.item.clone().unwrap_or_default()));
        }
        return Ok(Attempt::Again(subject.item.clone()));
    }
    classify_cancellation(&reasons, &roles)
}

/// What a cancelled transaction whose subject's condition held says, from
/// the roles of the entries that failed: a claim failed (taken), the
/// transaction was refused as invalid (an error), every failure was a
/// transaction conflict, or something else changed (read again).
fn classify_cancellation(reasons: &[super::CancelReason], roles: &[Role]) -> Result<Attempt, StoreError> {
    let claims = roles.iter().enumerate().filter(|(_, role)| **role == Role::Claim);
    if let Some(number) = claims
        .map(|(index, _)| index)
        .position(|index| reasons.get(index).is_some_and(|r| r.condition_failed()))
    {
        return Ok(Attempt::Taken(number));
    }
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    if codes.contains(&"ValidationError") {
        // Codes only: the reasons' items hold account data.
        return Err(StoreError::Rejected(format!(
            "transaction refused as invalid; reasons: {}",
            codes.join(", ")
        )));
    }
    tracing::debug!(reasons = %codes.join(", "), "transaction cancelled; planning again");
    if codes.iter().all(|c| matches!(*c, "TransactionConflict" | "None")) {
        return Ok(Attempt::Conflict);
    }
    Ok(Attempt::Reread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_backoff_grows_to_its_cap_with_jitter() {
        for n in 0..40 {
            let wait = conflict_backoff(n);
            let cap = Duration::from_millis(2u64 << n.min(5)).min(MAX_CONFLICT_BACKOFF);
            assert!(
                wait >= cap / 2 && wait <= cap,
                "{n}: {wait:?} within [{:?}, {cap:?}]",
                cap / 2
            );
        }
        let total: Duration = (0..MAX_ATTEMPTS as u32).map(conflict_backoff).sum();
        assert!(total < Duration::from_secs(2), "{total:?}");
    }
}
