//! Applying a [`MapMerge`] to a map attribute, key by key or whole.

use super::{Cond, Item, Update};
use crate::patch::MapMerge;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A value a map merge can store: its DynamoDB form. Changes hold domain
/// values (checked JSON, text); the store turns them into attributes here.
pub trait Stored {
    /// The attribute value to store.
    fn to_attribute(&self) -> AttributeValue;
}

impl Stored for AttributeValue {
    fn to_attribute(&self) -> AttributeValue {
        self.clone()
    }
}

/// Text, stored as a string (`S`).
impl Stored for String {
    fn to_attribute(&self) -> AttributeValue {
        AttributeValue::S(self.clone())
    }
}

/// Adds `SET attr.#k = :v` / `REMOVE attr.#k` for every key of `merge`,
/// and the condition that makes them valid: the map exists (a nested SET on
/// a missing map fails), and, with `max_keys`, it has room for every key
/// set even if all are new (`size(attr) <= max - keys set`). The condition
/// can only be too strict; on failure, plan [`set_merged`] from the item.
pub fn merge_keys<V: Stored>(update: &mut Update, attr: &str, merge: &MapMerge<V>, max_keys: Option<usize>) {
    for (key, value) in &merge.set {
        update.set(&[attr, key.as_str()], value.to_attribute());
    }
    for key in &merge.remove {
        update.remove(&[attr, key.as_str()]);
    }
    // `attribute_exists` first: `size()` of a missing attribute is simply
    // false in DynamoDB, but some emulators (moto) fail on it.
    update.require(Cond::exists(attr));
    if let Some(max) = max_keys {
        match max.checked_sub(merge.set.len()) {
            Some(room) => update.require(Cond::size_at_most(attr, room)),
            // More keys set than the limit allows: no stored map can take
            // them; fail the condition so the exact path says so.
            None => update.require(Cond::not_exists(attr)),
        };
    }
}

/// The map `attr` of `item` after `merge` (an empty map when missing).
pub fn merged<V: Stored>(item: &Item, attr: &str, merge: &MapMerge<V>) -> HashMap<String, AttributeValue> {
    let mut map = match item.get(attr) {
        Some(AttributeValue::M(map)) => map.clone(),
        _ => HashMap::new(),
    };
    for key in &merge.remove {
        map.remove(key);
    }
    for (key, value) in &merge.set {
        map.insert(key.clone(), value.to_attribute());
    }
    map
}

/// `SET attr = :merged`: the whole merged map, for exact (version-checked) writes.
pub fn set_merged(update: &mut Update, attr: &str, merged: HashMap<String, AttributeValue>) {
    update.set(&[attr], AttributeValue::M(merged));
}
