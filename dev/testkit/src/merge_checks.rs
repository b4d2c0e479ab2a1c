//! Checks shared by the endpoint crates' merge properties
//! (`tests/properties.rs`): what validating a generated body must give,
//! what validation must make of a merge, and what a planned write must
//! leave. Each returns a proptest failure instead of panicking, so that
//! proptest shrinks the case.

use aws_sdk_dynamodb::types::AttributeValue;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use shared::patch::MapMerge;
use shared::store::merge::{self, Stored};
use shared::store::{Item, Update};
use std::collections::BTreeMap;
use std::fmt::Debug;

use crate::arbitrary::as_btree;

/// The value validation gave a generated `body` that is valid; a refusal
/// fails the case, naming `body` and the error.
pub fn accepted<T, E: Debug>(result: Result<T, E>, body: &impl Debug) -> Result<T, TestCaseError> {
    result.map_err(|e| TestCaseError::fail(format!("valid body {body:?} refused: {e:?}")))
}

/// What a merge property expects of validating a generated `body`: when
/// the body `changes_nothing`, a refusal that `is_nothing` recognises
/// (`Ok(None)`: the case ends there); otherwise acceptance
/// (`Ok(Some(value))`, as [`accepted`]). Anything else fails the case,
/// naming `body` and what validation gave.
pub fn accepted_unless_empty<T: Debug, E: Debug>(
    result: Result<T, E>,
    changes_nothing: bool,
    is_nothing: impl FnOnce(&E) -> bool,
    body: &impl Debug,
) -> Result<Option<T>, TestCaseError> {
    if !changes_nothing {
        return accepted(result, body).map(Some);
    }
    match result {
        Err(e) if is_nothing(&e) => Ok(None),
        other => Err(TestCaseError::fail(format!(
            "expected {body:?}, which changes nothing, to be refused as such, got {other:?}"
        ))),
    }
}

/// Asserts that `merge`, what validation made of a merge that sent the
/// keys `sent` (in order), names each of them exactly once and, merged into
/// `item`'s map `attr`, gives `expected`.
pub fn assert_merge_of<'a, V: Stored>(
    item: &Item,
    attr: &str,
    merge: &MapMerge<V>,
    sent: impl IntoIterator<Item = &'a String>,
    expected: &BTreeMap<String, AttributeValue>,
) -> Result<(), TestCaseError> {
    let mut keys: Vec<&str> = merge.keys().collect();
    keys.sort_unstable();
    let sent: Vec<&str> = sent.into_iter().map(String::as_str).collect();
    prop_assert_eq!(keys, sent, "{} keys", attr);
    prop_assert_eq!(
        &as_btree(merge::merged(item, attr, merge)),
        expected,
        "{} merged",
        attr
    );
    Ok(())
}

/// Asserts that `update` applied to `item` leaves its map `attr` equal to
/// `expected` and every other attribute of `item` as it was.
pub fn assert_write_leaves(
    update: &Update,
    item: &Item,
    attr: &str,
    expected: &BTreeMap<String, AttributeValue>,
) -> Result<(), TestCaseError> {
    let after = update.apply_to(item);
    let Some(AttributeValue::M(map)) = after.get(attr) else {
        return Err(TestCaseError::fail(format!(
            "{attr} is not a map after the write"
        )));
    };
    prop_assert_eq!(&as_btree(map.clone()), expected);
    for (name, value) in item {
        if name != attr {
            prop_assert_eq!(after.get(name), Some(value), "{} kept", name);
        }
    }
    Ok(())
}
