//! The PATCH body model: a field can be absent, `null`, or a value.
//!
//! JSON Merge Patch (RFC 7396) gives `null` a meaning of its own ("clear this
//! field"), distinct from leaving the field out ("keep it"). [`Patch`] keeps
//! the three states apart so that no endpoint has to reason about
//! `Option<Option<T>>`, and [`MapMerge`] applies the same rule key by key to
//! maps such as `metadata` or `settings`.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// One field of a PATCH body.
///
/// Use it with `#[serde(default)]` so that a missing field deserializes to
/// [`Patch::Absent`]; an explicit `null` becomes [`Patch::Null`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// The field was not in the body: leave the stored value unchanged.
    #[default]
    Absent,
    /// The field was `null`: clear the stored value (where the contract allows it).
    Null,
    /// The field carries a new value.
    Value(T),
}

impl<T> Patch<T> {
    /// True when the body did not mention the field.
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// For fields that cannot be cleared: `Absent` is `Ok(None)`, a value is
    /// `Ok(Some(v))`, and `null` is the error `Err(NullNotAllowed)`.
    pub fn non_null(self) -> Result<Option<T>, NullNotAllowed> {
        match self {
            Patch::Absent => Ok(None),
            Patch::Null => Err(NullNotAllowed),
            Patch::Value(v) => Ok(Some(v)),
        }
    }
}

/// The body set a field to `null` that the contract does not allow to be cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must not be null")]
pub struct NullNotAllowed;

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|v| match v {
            None => Patch::Null,
            Some(v) => Patch::Value(v),
        })
    }
}

/// A key-by-key merge of a JSON object into a stored map.
///
/// Keys with a value are set (a nested object replaces the stored value whole;
/// it is not deep-merged), keys set to `null` are removed, keys not mentioned
/// are kept. A key appears in at most one of the two lists.
#[derive(Debug, Clone, PartialEq)]
pub struct MapMerge<V = Value> {
    /// Keys to set, with their new values, in the order the body gave them.
    pub set: Vec<(String, V)>,
    /// Keys to remove.
    pub remove: Vec<String>,
}

impl<V> Default for MapMerge<V> {
    fn default() -> Self {
        MapMerge {
            set: Vec::new(),
            remove: Vec::new(),
        }
    }
}

impl MapMerge<Value> {
    /// Splits a JSON object into keys to set and keys to remove.
    pub fn from_object(object: Map<String, Value>) -> Self {
        let mut merge = MapMerge::default();
        for (key, value) in object {
            if value.is_null() {
                merge.remove.push(key);
            } else {
                merge.set.push((key, value));
            }
        }
        merge
    }
}

impl<V> MapMerge<V> {
    /// True when the merge changes nothing.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }

    /// Every key the merge mentions (set or removed).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.set
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(self.remove.iter().map(String::as_str))
    }

    /// Validates or converts every value, keeping the keys.
    pub fn try_map_values<U, E>(self, mut f: impl FnMut(&str, V) -> Result<U, E>) -> Result<MapMerge<U>, E> {
        let mut set = Vec::with_capacity(self.set.len());
        for (key, value) in self.set {
            let value = f(&key, value)?;
            set.push((key, value));
        }
        Ok(MapMerge {
            set,
            remove: self.remove,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct Body {
        #[serde(default)]
        name: Patch<String>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        let absent: Body = serde_json::from_value(json!({})).unwrap();
        let null: Body = serde_json::from_value(json!({"name": null})).unwrap();
        let value: Body = serde_json::from_value(json!({"name": "x"})).unwrap();
        assert_eq!(absent.name, Patch::Absent);
        assert_eq!(null.name, Patch::Null);
        assert_eq!(value.name, Patch::Value("x".to_owned()));
    }

    #[test]
    fn non_null_rejects_null_only() {
        assert_eq!(Patch::<u8>::Absent.non_null(), Ok(None));
        assert_eq!(Patch::Value(1).non_null(), Ok(Some(1)));
        assert_eq!(Patch::<u8>::Null.non_null(), Err(NullNotAllowed));
    }

    #[test]
    fn map_merge_splits_null_into_removals() {
        let merge = MapMerge::from_object(
            json!({"a": 1, "b": null, "c": {"d": null}})
                .as_object()
                .cloned()
                .unwrap(),
        );
        assert_eq!(merge.remove, vec!["b".to_owned()]);
        assert_eq!(merge.set.len(), 2);
        assert!(merge.keys().any(|k| k == "c"));
    }
}
