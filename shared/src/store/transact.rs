//! Building TransactWriteItems entries from the same plans as single writes.
//!
//! Every entry asks for `ReturnValuesOnConditionCheckFailure = ALL_OLD`, so
//! a cancelled transaction's reasons carry the items that failed their
//! condition and callers can tell "taken by someone else" from "changed
//! meanwhile" without another read.

use super::{Cond, Item, Key, Update};
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

const ALL_OLD: ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure::AllOld;

/// A transaction entry that updates one item.
pub fn update(table: &str, key: &Key, update: Update) -> TransactWriteItem {
    let parts = update.into_parts();
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .set_key(Some(key.to_item()))
        .set_update_expression(parts.update)
        .set_condition_expression(parts.condition)
        .set_expression_attribute_names(parts.names)
        .set_expression_attribute_values(parts.values)
        .return_values_on_condition_check_failure(ALL_OLD)
        .build()
        .expect("table, key and update expression are set");
    TransactWriteItem::builder().update(update).build()
}

/// A transaction entry that puts `item` (which must hold its key) if `cond` holds.
pub fn put(table: &str, item: Item, cond: Option<Cond>) -> TransactWriteItem {
    let parts = cond.map(Cond::into_parts).unwrap_or_default();
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(parts.condition)
        .set_expression_attribute_names(parts.names)
        .set_expression_attribute_values(parts.values)
        .return_values_on_condition_check_failure(ALL_OLD)
        .build()
        .expect("table and item are set");
    TransactWriteItem::builder().put(put).build()
}

/// A transaction entry that deletes the item at `key` if `cond` holds.
pub fn delete(table: &str, key: &Key, cond: Option<Cond>) -> TransactWriteItem {
    let parts = cond.map(Cond::into_parts).unwrap_or_default();
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key.to_item()))
        .set_condition_expression(parts.condition)
        .set_expression_attribute_names(parts.names)
        .set_expression_attribute_values(parts.values)
        .return_values_on_condition_check_failure(ALL_OLD)
        .build()
        .expect("table and key are set");
    TransactWriteItem::builder().delete(delete).build()
}

/// A transaction entry that only checks `cond` on the item at `key`.
pub fn check(table: &str, key: &Key, cond: Cond) -> TransactWriteItem {
    let parts = cond.into_parts();
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(key.to_item()))
        .set_condition_expression(parts.condition)
        .set_expression_attribute_names(parts.names)
        .set_expression_attribute_values(parts.values)
        .return_values_on_condition_check_failure(ALL_OLD)
        .build()
        .expect("table, key and condition are set");
    TransactWriteItem::builder().condition_check(check).build()
}
