//! The DynamoDB client every function builds once per cold start, with the
//! time budget that keeps every request inside the function's timeout.
//!
//! The SDK's defaults set only a 3.1 s connect timeout (no attempt or
//! operation timeout) and retry 3 times with backoff starting at 1 s: a
//! DynamoDB that accepts a connection and never answers would hold a
//! request until Lambda kills the function at 10 s, and the caller would
//! get API Gateway's bare 5xx instead of the contract's envelope.
//! [`TimeBudget::PRODUCTION`] bounds every call instead:
//!
//! - connect: 1 s (a connection to DynamoDB in the same region takes a few
//!   ms; TLS included, well under 100 ms);
//! - each attempt: 1 s (DynamoDB answers single-item calls in single-digit
//!   ms and transactions in tens of ms; 1 s is two orders of magnitude of
//!   headroom, and an attempt past it is retried on a fresh connection);
//! - retries: 3 attempts in all, backoff from 25 ms up to 250 ms (jittered),
//!   so throttling and transient 5xx are retried quickly;
//! - the whole operation: 2.5 s, retries and backoff included.
//!
//! A request makes at most three dependent DynamoDB calls in the common
//! case (credential, write, a retry of the write), so its DynamoDB time is
//! at most 7.5 s against the function's 10 s timeout; a past-budget call
//! fails as a timeout, which the endpoint answers as 503 (429 where the
//! contract says so) with `Retry-After`, in its own envelope.

use aws_sdk_dynamodb::config::{retry::RetryConfig, timeout::TimeoutConfig};
use std::time::Duration;

/// How long DynamoDB calls may take, and how they are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBudget {
    /// Establishing a connection (TCP and TLS).
    pub connect: Duration,
    /// One attempt: sending the request and reading the whole response.
    pub attempt: Duration,
    /// The whole call, retries and backoff included.
    pub operation: Duration,
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// The first retry's backoff (exponential, jittered, up to `max_backoff`).
    pub initial_backoff: Duration,
    /// The longest backoff between two attempts.
    pub max_backoff: Duration,
}

impl TimeBudget {
    /// The budget deployed functions use (see the module docs for why).
    pub const PRODUCTION: TimeBudget = TimeBudget {
        connect: Duration::from_secs(1),
        attempt: Duration::from_secs(1),
        operation: Duration::from_millis(2500),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(25),
        max_backoff: Duration::from_millis(250),
    };

    /// The SDK's timeout settings for this budget.
    pub fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    /// The SDK's retry settings for this budget.
    pub fn retries(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
            .with_max_backoff(self.max_backoff)
    }

    /// `config` with this budget's timeouts and retries.
    pub fn apply(&self, config: aws_sdk_dynamodb::config::Builder) -> aws_sdk_dynamodb::config::Builder {
        config
            .timeout_config(self.timeouts())
            .retry_config(self.retries())
    }
}

/// Builds the SDK client once per cold start, from the standard AWS
/// environment (`AWS_REGION`, credentials, and `AWS_ENDPOINT_URL_DYNAMODB` /
/// `AWS_ENDPOINT_URL` to point at a local server), with
/// [`TimeBudget::PRODUCTION`].
pub async fn client_from_env() -> aws_sdk_dynamodb::Client {
    let shared = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let config = TimeBudget::PRODUCTION.apply(aws_sdk_dynamodb::config::Builder::from(&shared));
    aws_sdk_dynamodb::Client::from_conf(config.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_production_budget_fits_three_calls_in_the_function_timeout() {
        /// template.yaml's `Timeout` for every function.
        const FUNCTION_TIMEOUT: Duration = Duration::from_secs(10);
        let b = TimeBudget::PRODUCTION;
        assert!(
            b.attempt * b.max_attempts >= b.operation,
            "the operation bound is the one that binds"
        );
        assert!(b.operation * 3 < FUNCTION_TIMEOUT);
        let timeouts = b.timeouts();
        assert_eq!(timeouts.connect_timeout(), Some(b.connect));
        assert_eq!(timeouts.operation_attempt_timeout(), Some(b.attempt));
        assert_eq!(timeouts.operation_timeout(), Some(b.operation));
    }
}
