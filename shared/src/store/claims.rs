//! Unique values (emails, numbers) held with marker items.
//!
//! A value that at most one record may hold gets a marker item keyed by the
//! value (normalized), naming its owner. Claiming, releasing and the owner's
//! own update go in one TransactWriteItems:
//!
//! 1. the owner's update, conditioned on the `version` it was planned from;
//! 2. the new marker, put if absent or already the owner's;
//! 3. the old marker, deleted if the owner's (or already gone).
//!
//! [`commit`] reads the cancellation reasons: the first entry failing with
//! no item means the owner is gone; a claim entry failing means the value is
//! taken; anything else (the version moved, a transaction conflict) means
//! "changed meanwhile": read again and retry.

use super::{Cond, Item, Key, PK, StoreError, Table, transact};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

/// The owner of a marker: the marker attribute naming it, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Owner {
    attr: &'static str,
    value: AttributeValue,
    takeover: Option<Cond>,
}

impl Owner {
    /// Markers name their owner in attribute `attr` with value `value`.
    pub fn new(attr: &'static str, value: AttributeValue) -> Self {
        Owner {
            attr,
            value,
            takeover: None,
        }
    }

    /// Claims may also take a marker of another owner when `cond` holds on
    /// it (an expired reservation, say).
    pub fn taking_over(mut self, cond: Cond) -> Self {
        self.takeover = Some(cond);
        self
    }

    /// "The marker is the owner's."
    pub fn owns(&self) -> Cond {
        Cond::eq(self.attr, self.value.clone())
    }

    fn free_or_owned(&self) -> Cond {
        Cond::not_exists(PK).or(self.owns())
    }

    /// The entry that puts the marker at `key` (with `extra` attributes)
    /// when it is absent or already the owner's.
    pub fn claim(&self, table: &str, key: &Key, mut extra: Item) -> TransactWriteItem {
        extra.insert(self.attr.to_owned(), self.value.clone());
        let cond = match &self.takeover {
            Some(takeover) => self.free_or_owned().or(takeover.clone()),
            None => self.free_or_owned(),
        };
        transact::put(table, key.clone().into_item_with(extra), Some(cond))
    }

    /// The entries that move the owner's claim from `old` to `new`: claim
    /// `new` (first), release `old` when there is one and it differs. Nothing
    /// when the keys are equal.
    pub fn move_claim(
        &self,
        table: &str,
        new: &Key,
        old: Option<&Key>,
        extra: Item,
    ) -> Vec<TransactWriteItem> {
        if old == Some(new) {
            return Vec::new();
        }
        let mut entries = vec![self.claim(table, new, extra)];
        if let Some(old) = old {
            entries.push(self.release(table, old));
        }
        entries
    }

    /// The entry that deletes the marker at `key` when it is the owner's (or
    /// already gone); never someone else's.
    pub fn release(&self, table: &str, key: &Key) -> TransactWriteItem {
        transact::delete(table, key, Some(self.free_or_owned()))
    }
}

/// The key of the marker for `value` (already normalized) in `namespace`
/// (`EMAIL`, `TENANT#t#NUMBER`): `pk = <namespace>#<value>`, `sk = <namespace>`.
pub fn marker_key(namespace: &str, value: &str) -> Key {
    Key::new(format!("{namespace}#{value}"), namespace)
}

/// How a claim transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Every entry was written.
    Committed,
    /// The first entry's item (the owner) does not exist.
    Missing,
    /// The claim entry at this index failed: the value is someone else's.
    Taken(usize),
    /// Something changed meanwhile: plan again from a fresh read.
    Changed,
}

/// Runs `items` (the owner's update first) and classifies the outcome;
/// `claim_slots` are the indexes of claim entries.
///
/// The owner's entry decides first: if its condition failed, the plan was
/// made from a stale read (`Changed`), or the owner is gone (`Missing`);
/// only a plan made from the current owner can conclude that a value is
/// `Taken`. A `ValidationError` reason (an item over 400 KB, say) is an
/// error, not something a retry can fix.
pub async fn commit(
    table: &Table,
    items: Vec<TransactWriteItem>,
    claim_slots: &[usize],
) -> Result<Commit, StoreError> {
    let reasons = match table.transact(items).await {
        Ok(()) => return Ok(Commit::Committed),
        Err(StoreError::TransactionCanceled { reasons }) => reasons,
        Err(e) => return Err(e),
    };
    if let Some(owner) = reasons.first().filter(|r| r.condition_failed()) {
        return Ok(if owner.item.is_none() {
            Commit::Missing
        } else {
            Commit::Changed
        });
    }
    if let Some(slot) = claim_slots
        .iter()
        .copied()
        .find(|slot| reasons.get(*slot).is_some_and(|r| r.condition_failed()))
    {
        return Ok(Commit::Taken(slot));
    }
    if let Some(invalid) = reasons.iter().find(|r| r.code == "ValidationError") {
        return Err(StoreError::Rejected(format!(
            "transaction refused as invalid: {invalid:?}"
        )));
    }
    tracing::debug!(?reasons, "transaction cancelled; the caller retries");
    Ok(Commit::Changed)
}
