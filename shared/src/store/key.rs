//! The primary key of an item.

use super::Item;
use aws_sdk_dynamodb::types::AttributeValue;

/// Name of the partition key attribute of every table.
pub const PK: &str = "pk";
/// Name of the sort key attribute of every table.
pub const SK: &str = "sk";

/// The primary key of one item: partition key and sort key values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// Partition key value.
    pub pk: String,
    /// Sort key value.
    pub sk: String,
}

impl Key {
    /// A key from its two parts.
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key as the attribute map DynamoDB expects.
    pub fn to_item(&self) -> Item {
        Item::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }

    /// Adds the key attributes to an item (for puts).
    pub fn into_item_with(self, mut item: Item) -> Item {
        item.insert(PK.to_owned(), AttributeValue::S(self.pk));
        item.insert(SK.to_owned(), AttributeValue::S(self.sk));
        item
    }
}
