//! What the SDK sends, recorded by an interceptor: for tests that count
//! DynamoDB calls or look at the requests themselves.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use std::sync::{Arc, Mutex};

/// Every request the SDK transmits (retries included), as its body text.
/// Cheap to clone; clones share the record.
#[derive(Debug, Clone, Default)]
pub struct SentRequests(Arc<Mutex<Vec<String>>>);

impl SentRequests {
    /// A client like `client` whose every request is recorded here.
    pub fn client(&self, client: &Client) -> Client {
        Client::from_conf(client.config().to_builder().interceptor(self.clone()).build())
    }

    /// How many requests were sent since the last [`SentRequests::take`].
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// The bodies sent since the last take, and a fresh start.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Intercept for SentRequests {
    fn name(&self) -> &'static str {
        "SentRequests"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let body = context.request().body().bytes().unwrap_or_default();
        self.lock().push(String::from_utf8_lossy(body).into_owned());
        Ok(())
    }
}
