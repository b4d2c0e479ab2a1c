//! What a handler sends to DynamoDB, recorded by an SDK interceptor, and
//! the same calls made again with the bare SDK ("bare replica").
//!
//! Calls that were in flight together (the tenant endpoint's update and
//! prospects query) form one wave, replayed concurrently; waves are
//! replayed in order.

use aws_sdk_dynamodb::{
    Client,
    config::{
        ConfigBag, Intercept, RuntimeComponents,
        interceptors::{
            AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
            BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
        },
    },
    operation::{
        delete_item::DeleteItemInput, get_item::GetItemInput, put_item::PutItemInput, query::QueryInput,
        transact_get_items::TransactGetItemsInput, transact_write_items::TransactWriteItemsInput,
        update_item::UpdateItemInput,
    },
    types::{ConsumedCapacity, ReturnConsumedCapacity},
};
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use std::sync::{Arc, Mutex};

/// One call's input, as the handler built it.
#[derive(Debug, Clone)]
pub enum Call {
    /// GetItem.
    Get(GetItemInput),
    /// UpdateItem.
    Update(UpdateItemInput),
    /// PutItem.
    Put(PutItemInput),
    /// DeleteItem.
    Delete(DeleteItemInput),
    /// Query.
    Query(QueryInput),
    /// TransactWriteItems.
    Transact(TransactWriteItemsInput),
    /// TransactGetItems (a request with an `Idempotency-Key` reads its
    /// item and its record together).
    TransactGet(TransactGetItemsInput),
}

/// A canned HTTP answer, for the in-memory client.
#[derive(Debug, Clone)]
pub struct Canned {
    /// `x-amz-target` plus the request's `Key` JSON: what the answer is for.
    pub key: String,
    /// HTTP status.
    pub status: u16,
    /// Response body.
    pub body: String,
}

#[derive(Default)]
struct Log {
    waves: Vec<Vec<Call>>,
    in_flight: usize,
    attempts: usize,
    canned: Vec<Canned>,
}

/// Records every call a client makes: its input, its wave, attempts, and
/// the answer's body.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Log>>);

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

impl Recorder {
    /// The calls recorded since the last take, by wave, and the attempts sent.
    pub fn take(&self) -> (Vec<Vec<Call>>, usize) {
        let mut log = self.0.lock().expect("log");
        let attempts = std::mem::take(&mut log.attempts);
        (std::mem::take(&mut log.waves), attempts)
    }

    /// The answers recorded since the last take.
    pub fn take_canned(&self) -> Vec<Canned> {
        std::mem::take(&mut self.0.lock().expect("log").canned)
    }
}

/// The match key of the request an attempt sent (kept in the call's config bag).
#[derive(Debug, Clone)]
struct RequestKey(String);

impl Storable for RequestKey {
    type Storer = StoreReplace<Self>;
}

/// What the in-memory client matches an answer by.
pub fn match_key(target: &str, body: &[u8]) -> String {
    let key = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("Key").map(|k| k.to_string()))
        .unwrap_or_default();
    format!("{target} {key}")
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "Recorder"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let input = context.input();
        let call = if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
            Call::Update(i.clone())
        } else if let Some(i) = input.downcast_ref::<GetItemInput>() {
            Call::Get(i.clone())
        } else if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
            Call::Transact(i.clone())
        } else if let Some(i) = input.downcast_ref::<TransactGetItemsInput>() {
            Call::TransactGet(i.clone())
        } else if let Some(i) = input.downcast_ref::<QueryInput>() {
            Call::Query(i.clone())
        } else if let Some(i) = input.downcast_ref::<PutItemInput>() {
            Call::Put(i.clone())
        } else if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
            Call::Delete(i.clone())
        } else {
            return Err(format!("no bare replica for {input:?}").into());
        };
        let mut log = self.0.lock().expect("log");
        if log.in_flight == 0 || log.waves.is_empty() {
            log.waves.push(Vec::new());
        }
        log.in_flight += 1;
        log.waves.last_mut().expect("a wave").push(call);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let request = context.request();
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let body = request.body().bytes().unwrap_or_default();
        cfg.interceptor_state()
            .store_put(RequestKey(match_key(target, body)));
        self.0.lock().expect("log").attempts += 1;
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let response = context.response();
        let body = response.body().bytes().unwrap_or_default();
        let canned = Canned {
            key: cfg.load::<RequestKey>().map(|k| k.0.clone()).unwrap_or_default(),
            status: response.status().as_u16(),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        self.0.lock().expect("log").canned.push(canned);
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let mut log = self.0.lock().expect("log");
        log.in_flight = log.in_flight.saturating_sub(1);
        Ok(())
    }
}

fn err(e: &(dyn std::error::Error + 'static)) -> String {
    format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(e))
}

fn rename(name: Option<String>, prefix: &str) -> Option<String> {
    name.map(|n| format!("{prefix}{n}"))
}

/// Capacity units a call consumed (sum over tables).
fn units(c: &[ConsumedCapacity]) -> f64 {
    c.iter().filter_map(|c| c.capacity_units()).sum()
}

/// Makes `call` with the bare client on the table named `prefix` + its
/// table, asking for consumed capacity when `capacity`; returns the
/// capacity units consumed (0 when not asked) or the error's text.
pub async fn replay(client: &Client, call: Call, prefix: &str, capacity: bool) -> Result<f64, String> {
    let rcc = capacity.then_some(ReturnConsumedCapacity::Total);
    let out = match call {
        Call::Get(i) => client
            .get_item()
            .set_table_name(rename(i.table_name, prefix))
            .set_key(i.key)
            .set_consistent_read(i.consistent_read)
            .set_projection_expression(i.projection_expression)
            .set_expression_attribute_names(i.expression_attribute_names)
            .set_return_consumed_capacity(rcc)
            .send()
            .await
            .map(|o| o.consumed_capacity.map(|c| units(&[c])))
            .map_err(|e| err(&e))?,
        Call::Update(i) => {
            let result = client
                .update_item()
                .set_table_name(rename(i.table_name, prefix))
                .set_key(i.key)
                .set_update_expression(i.update_expression)
                .set_condition_expression(i.condition_expression)
                .set_expression_attribute_names(i.expression_attribute_names)
                .set_expression_attribute_values(i.expression_attribute_values)
                .set_return_values(i.return_values)
                .set_return_values_on_condition_check_failure(i.return_values_on_condition_check_failure)
                .set_return_consumed_capacity(rcc)
                .send()
                .await;
            match result {
                Ok(o) => o.consumed_capacity.map(|c| units(&[c])),
                // The handler's own answer (404/409/...) may be a failed condition: same call.
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
                {
                    None
                }
                Err(e) => return Err(err(&e)),
            }
        }
        Call::Put(i) => client
            .put_item()
            .set_table_name(rename(i.table_name, prefix))
            .set_item(i.item)
            .set_condition_expression(i.condition_expression)
            .set_expression_attribute_names(i.expression_attribute_names)
            .set_expression_attribute_values(i.expression_attribute_values)
            .set_return_values(i.return_values)
            .set_return_values_on_condition_check_failure(i.return_values_on_condition_check_failure)
            .set_return_consumed_capacity(rcc)
            .send()
            .await
            .map(|o| o.consumed_capacity.map(|c| units(&[c])))
            .map_err(|e| err(&e))?,
        Call::Delete(i) => client
            .delete_item()
            .set_table_name(rename(i.table_name, prefix))
            .set_key(i.key)
            .set_condition_expression(i.condition_expression)
            .set_expression_attribute_names(i.expression_attribute_names)
            .set_expression_attribute_values(i.expression_attribute_values)
            .set_return_values(i.return_values)
            .set_return_consumed_capacity(rcc)
            .send()
            .await
            .map(|o| o.consumed_capacity.map(|c| units(&[c])))
            .map_err(|e| err(&e))?,
        Call::Query(i) => client
            .query()
            .set_table_name(rename(i.table_name, prefix))
            .set_key_condition_expression(i.key_condition_expression)
            .set_filter_expression(i.filter_expression)
            .set_projection_expression(i.projection_expression)
            .set_expression_attribute_names(i.expression_attribute_names)
            .set_expression_attribute_values(i.expression_attribute_values)
            .set_limit(i.limit)
            .set_scan_index_forward(i.scan_index_forward)
            .set_exclusive_start_key(i.exclusive_start_key)
            .set_consistent_read(i.consistent_read)
            .set_select(i.select)
            .set_return_consumed_capacity(rcc)
            .send()
            .await
            .map(|o| o.consumed_capacity.map(|c| units(&[c])))
            .map_err(|e| err(&e))?,
        Call::Transact(i) => {
            let items = i.transact_items.map(|items| {
                items
                    .into_iter()
                    .map(|mut item| {
                        if let Some(u) = item.update.as_mut() {
                            u.table_name = format!("{prefix}{}", u.table_name);
                        }
                        if let Some(p) = item.put.as_mut() {
                            p.table_name = format!("{prefix}{}", p.table_name);
                        }
                        if let Some(d) = item.delete.as_mut() {
                            d.table_name = format!("{prefix}{}", d.table_name);
                        }
                        if let Some(c) = item.condition_check.as_mut() {
                            c.table_name = format!("{prefix}{}", c.table_name);
                        }
                        item
                    })
                    .collect()
            });
            let result = client
                .transact_write_items()
                .set_transact_items(items)
                .set_client_request_token(i.client_request_token)
                .set_return_consumed_capacity(rcc)
                .send()
                .await;
            match result {
                Ok(o) => o.consumed_capacity.map(|c| units(&c)),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_transaction_canceled_exception()) =>
                {
                    None
                }
                Err(e) => return Err(err(&e)),
            }
        }
        Call::TransactGet(i) => {
            let items = i.transact_items.map(|items| {
                items
                    .into_iter()
                    .map(|mut item| {
                        if let Some(g) = item.get.as_mut() {
                            g.table_name = format!("{prefix}{}", g.table_name);
                        }
                        item
                    })
                    .collect()
            });
            client
                .transact_get_items()
                .set_transact_items(items)
                .set_return_consumed_capacity(rcc)
                .send()
                .await
                .map(|o| o.consumed_capacity.map(|c| units(&c)))
                .map_err(|e| err(&e))?
        }
    };
    Ok(out.unwrap_or(0.0))
}

/// Replays `waves` in order, each wave's calls concurrently; returns the
/// capacity units consumed (when `capacity`).
pub async fn replay_waves(
    client: &Client,
    waves: Vec<Vec<Call>>,
    prefix: &str,
    capacity: bool,
) -> Result<f64, String> {
    let mut total = 0.0;
    for wave in waves {
        if wave.len() == 1 {
            total += replay(client, wave.into_iter().next().expect("one"), prefix, capacity).await?;
        } else {
            let calls = wave.into_iter().map(|c| replay(client, c, prefix, capacity));
            for r in join_all(calls).await {
                total += r?;
            }
        }
    }
    Ok(total)
}

/// Runs futures concurrently on this task (no spawn), in order of results.
async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, r) in pinned.iter_mut().zip(results.iter_mut()) {
            if r.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *r = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.expect("ready")).collect()
}
