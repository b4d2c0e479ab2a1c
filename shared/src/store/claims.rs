//! Unique values (emails, numbers) held with marker items.
//!
//! A value that at most one record may hold gets a marker item keyed by the
//! value (normalized), naming its owner. Claiming, releasing and the owner's
//! own update go in one TransactWriteItems (built with
//! [`super::write::Transaction`], committed and classified by
//! [`super::write::write`]):
//!
//! 1. the owner's update, conditioned on the `version` it was planned from;
//! 2. the new marker, put if absent or already the owner's;
//! 3. the old marker, deleted if the owner's (or already gone).

use super::{Cond, Item, Key, PK, transact};
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
