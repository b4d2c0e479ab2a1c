//! Counts the HTTP attempts the SDK makes for each DynamoDB operation
//! (retries included) into the request's telemetry
//! ([`crate::store::scope::count_attempt`]). Installed on every [`super::Table`]'s
//! client.

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};

/// The interceptor: one count per request the SDK transmits.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CountAttempts;

impl Intercept for CountAttempts {
    fn name(&self) -> &'static str {
        "CountAttempts"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        crate::store::scope::count_attempt();
        Ok(())
    }
}
