//! An SDK interceptor that records every DynamoDB call a handler makes and
//! every item the calls hand back, so tests can count round trips and check
//! which partitions were read.

use aws_sdk_dynamodb::{
    config::{
        ConfigBag, Intercept, RuntimeComponents,
        interceptors::{BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef},
    },
    operation::{
        get_item::{GetItemInput, GetItemOutput},
        query::{QueryInput, QueryOutput},
        update_item::{UpdateItemError, UpdateItemInput, UpdateItemOutput},
    },
    types::AttributeValue,
};
use shared::store::Item;
use std::sync::{Arc, Mutex};

/// One DynamoDB call: the operation and the partition key it addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `GetItem`, `UpdateItem`, `Query` or `Other`.
    pub operation: &'static str,
    /// The partition key value (for a Query, its `:pk`).
    pub pk: String,
}

/// Records calls and returned items; clones share the record.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
    returned: Arc<Mutex<Vec<Item>>>,
}

impl Recorder {
    /// The calls so far, in the order they started.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Every item any call handed back (results, and the item of a failed
    /// condition).
    pub fn returned_items(&self) -> Vec<Item> {
        self.returned.lock().unwrap().clone()
    }

    /// Forgets everything recorded.
    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
        self.returned.lock().unwrap().clear();
    }
}

fn pk_of(key: Option<&std::collections::HashMap<String, AttributeValue>>, name: &str) -> String {
    key.and_then(|k| k.get(name))
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "Recorder"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let input = context.input();
        let call = if let Some(q) = input.downcast_ref::<QueryInput>() {
            Call {
                operation: "Query",
                pk: pk_of(q.expression_attribute_values(), ":pk"),
            }
        } else if let Some(u) = input.downcast_ref::<UpdateItemInput>() {
            Call {
                operation: "UpdateItem",
                pk: pk_of(u.key(), "pk"),
            }
        } else if let Some(g) = input.downcast_ref::<GetItemInput>() {
            Call {
                operation: "GetItem",
                pk: pk_of(g.key(), "pk"),
            }
        } else {
            Call {
                operation: "Other",
                pk: String::new(),
            }
        };
        self.calls.lock().unwrap().push(call);
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let mut returned = Vec::new();
        match context.output_or_error() {
            Some(Ok(output)) => {
                if let Some(q) = output.downcast_ref::<QueryOutput>() {
                    returned.extend(q.items().iter().cloned());
                } else if let Some(u) = output.downcast_ref::<UpdateItemOutput>() {
                    returned.extend(u.attributes().cloned());
                } else if let Some(g) = output.downcast_ref::<GetItemOutput>() {
                    returned.extend(g.item().cloned());
                }
            }
            Some(Err(err)) => {
                if let Some(UpdateItemError::ConditionalCheckFailedException(e)) = err
                    .as_operation_error()
                    .and_then(|e| e.downcast_ref::<UpdateItemError>())
                {
                    returned.extend(e.item().cloned());
                }
            }
            None => {}
        }
        self.returned.lock().unwrap().extend(returned);
        Ok(())
    }
}
