//! One DynamoDB table and the calls endpoints make on it.

use super::{CancelReason, Item, Key, StoreError, Update};
use aws_sdk_dynamodb::{
    Client,
    operation::{
        transact_get_items::TransactGetItemsError, transact_write_items::TransactWriteItemsError,
        update_item::UpdateItemError,
    },
    types::{
        ConsumedCapacity, ReturnConsumedCapacity, ReturnValue, ReturnValuesOnConditionCheckFailure,
        TransactWriteItem,
    },
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A table and the client that reaches it. Cheap to clone; build once per
/// cold start. Every call asks for its consumed capacity and counts
/// itself, and every HTTP attempt, into the request's telemetry
/// ([`crate::store::scope`]).
#[derive(Debug, Clone)]
pub struct Table {
    client: Client,
    name: Arc<str>,
}

impl Table {
    /// A table by name, reached through `client` with its HTTP client
    /// wrapped in an attempt counter (`store::attempts`: every HTTP attempt
    /// counted into the request's telemetry). A client without an HTTP
    /// client (it could send nothing) is kept as it is. `client` must not
    /// be another `Table`'s [`Table::client`]: its attempts would be
    /// counted twice (make the second table from the client the first was
    /// made from).
    pub fn new(client: Client, name: impl Into<Arc<str>>) -> Self {
        let client = match client.config().http_client() {
            Some(http) => Client::from_conf(
                client
                    .config()
                    .to_builder()
                    .http_client(super::attempts::CountingClient(http))
                    .build(),
            ),
            None => client,
        };
        Table {
            client,
            name: name.into(),
        }
    }

    /// The table named by the environment variable `var` (`TABLE_NAME`),
    /// falling back to `default` (its logical id in `template.yaml`, which is
    /// also its name in the local DynamoDB).
    pub fn from_env(client: Client, var: &str, default: &str) -> Self {
        let name = std::env::var(var)
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| default.to_owned());
        Table::new(client, name)
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Reads one item (eventually consistent unless `consistent`).
    pub async fn get(&self, key: &Key, consistent: bool) -> Result<Option<Item>, StoreError> {
        let out = boxed(
            self.client
                .get_item()
                .table_name(self.name.as_ref())
                .set_key(Some(key.to_item()))
                .consistent_read(consistent)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send(),
        )
        .await
        .inspect_err(|_| count(None))
        .map_err(StoreError::from_sdk)?;
        count(out.consumed_capacity());
        Ok(out.item)
    }

    /// Reads the items at `a` and `b` as one serializable snapshot
    /// (TransactGetItems): no transaction commits between the two reads.
    /// A read that meets a transaction in progress on either item is
    /// cancelled: [`StoreError::TransactionCanceled`], for the caller to
    /// read again.
    pub(crate) async fn get_pair(
        &self,
        a: &Key,
        b: &Key,
    ) -> Result<(Option<Item>, Option<Item>), StoreError> {
        use aws_sdk_dynamodb::types::{Get, TransactGetItem};
        let get = |key: &Key| {
            let get = Get::builder()
                .table_name(self.name.as_ref())
                .set_key(Some(key.to_item()))
                .build()
                .expect("table and key are set");
            TransactGetItem::builder().get(get).build()
        };
        let out = boxed(
            self.client
                .transact_get_items()
                .transact_items(get(a))
                .transact_items(get(b))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send(),
        )
        .await
        .inspect_err(|_| count(None))
        .map_err(|err| match err.as_service_error() {
            Some(TransactGetItemsError::TransactionCanceledException(e)) => StoreError::TransactionCanceled {
                reasons: e
                    .cancellation_reasons()
                    .iter()
                    .map(|r| CancelReason {
                        code: r.code().unwrap_or("None").to_owned(),
                        item: None,
                    })
                    .collect(),
            },
            _ => StoreError::from_sdk(err),
        })?;
        let units = out
            .consumed_capacity()
            .iter()
            .filter_map(ConsumedCapacity::capacity_units);
        crate::store::scope::count_call(Some(units.sum()));
        let mut items = out
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|response| response.item.filter(|item| !item.is_empty()));
        let first = items.next().flatten();
        let second = items.next().flatten();
        Ok((first, second))
    }

    /// Runs one conditional UpdateItem. On a failed condition the error
    /// carries the item as it was (`ReturnValuesOnConditionCheckFailure =
    /// ALL_OLD`), so callers can tell "missing" from "changed" without a read.
    /// Returns the attributes `returns` asks for.
    pub(crate) async fn update(
        &self,
        key: &Key,
        update: Update,
        returns: ReturnValue,
    ) -> Result<Option<Item>, StoreError> {
        let parts = update.into_parts();
        let result = boxed(
            self.client
                .update_item()
                .table_name(self.name.as_ref())
                .set_key(Some(key.to_item()))
                .set_update_expression(parts.update)
                .set_condition_expression(parts.condition)
                .set_expression_attribute_names(parts.names)
                .set_expression_attribute_values(parts.values)
                .return_values(returns)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send(),
        )
        .await;
        if result.is_err() {
            count(None);
        }
        match result {
            Ok(out) => {
                count(out.consumed_capacity());
                Ok(out.attributes)
            }
            Err(err) => Err(match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(e)) => StoreError::ConditionFailed {
                    item: e.item().cloned(),
                },
                _ => StoreError::from_sdk(err),
            }),
        }
    }

    /// Every item of one partition whose sort key starts with `sk_prefix`
    /// (every item of the partition when it is empty), following
    /// `LastEvaluatedKey` until the partition is read completely.
    /// `page_size` bounds each page (`Limit`); `None` lets DynamoDB fill
    /// pages up to 1 MB.
    pub async fn query_partition(
        &self,
        pk: &str,
        sk_prefix: &str,
        page_size: Option<i32>,
    ) -> Result<Vec<Item>, StoreError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(self.name.as_ref())
                .expression_attribute_names("#pk", super::key::PK)
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
                .set_limit(page_size)
                .set_exclusive_start_key(start);
            // DynamoDB refuses an empty string as a key value, so an empty
            // prefix means "no sort-key condition".
            query = if sk_prefix.is_empty() {
                query.key_condition_expression("#pk = :pk")
            } else {
                query
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", super::key::SK)
                    .expression_attribute_values(":prefix", AttributeValue::S(sk_prefix.to_owned()))
            };
            let out = boxed(
                query
                    .return_consumed_capacity(ReturnConsumedCapacity::Total)
                    .send(),
            )
            .await
            .inspect_err(|_| count(None))
            .map_err(StoreError::from_sdk)?;
            count(out.consumed_capacity());
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(items),
            }
        }
    }

    /// Runs a TransactWriteItems. A cancelled transaction comes back as
    /// [`StoreError::TransactionCanceled`] with one reason per item.
    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        let result = boxed(
            self.client
                .transact_write_items()
                .set_transact_items(Some(items))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send(),
        )
        .await;
        match &result {
            Ok(out) => {
                let units = out
                    .consumed_capacity()
                    .iter()
                    .filter_map(ConsumedCapacity::capacity_units);
                crate::store::scope::count_call(Some(units.sum()));
            }
            Err(_) => count(None),
        }
        match result {
            Ok(_) => Ok(()),
            Err(err) => Err(match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                    StoreError::TransactionCanceled {
                        reasons: e
                            .cancellation_reasons()
                            .iter()
                            .map(|r| CancelReason {
                                code: r.code().unwrap_or("None").to_owned(),
                                item: r.item().cloned(),
                            })
                            .collect(),
                    }
                }
                _ => StoreError::from_sdk(err),
            }),
        }
    }
}

/// Counts one call and its consumed capacity into the request's telemetry.
fn count(capacity: Option<&ConsumedCapacity>) {
    crate::store::scope::count_call(capacity.and_then(ConsumedCapacity::capacity_units));
}

/// `f` on the heap. The SDK's operation futures are kilobytes (a GetItem's
/// `send()`: 5.5 KB), and every future that awaits one inline carries it:
/// a handler's whole future reached 46 KB, and was copied at each move
/// (into the request scope, the deadline, the runtime's box), which was the
/// largest part of a request's CPU outside the SDK (BENCHMARKS.md, "CPU").
/// Boxed, each call costs one allocation and callers' futures stay small.
fn boxed<F: Future>(f: F) -> Pin<Box<F>> {
    Box::pin(f)
}
