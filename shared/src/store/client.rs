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

use super::credentials::EnvCredentials;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, Region, SharedHttpClient, retry::RetryConfig, timeout::TimeoutConfig,
};
use aws_smithy_http_client::tls;
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

/// The HTTPS client every DynamoDB client of this project uses: hyper with
/// rustls on the *ring* crypto provider, trusting the system's root
/// certificates (`rustls-native-certs`, which honours `SSL_CERT_FILE` and
/// `SSL_CERT_DIR`). Each call makes a new client with its own connection
/// pool (a function builds one per cold start): a pool shared by the whole
/// process could hand a connection opened on one tokio runtime to another
/// (tests run one runtime each).
///
/// Why ring and not the SDK's default aws-lc-rs (measured, BENCHMARKS.md,
/// "Cold start"): aws-lc seeds its random generator from CPU jitter
/// entropy the first time a process needs randomness (the first TLS
/// handshake), which cost 30-50 ms of every cold start here, and it made
/// every function's zip larger (with `load_defaults` too: 5.0-5.1 MiB
/// before, 3.7-3.8 MiB after the two changes). ring draws from the OS
/// (`getrandom`), and DynamoDB's TLS
/// 1.3 suites (AES-GCM, X25519 / P-256, RSA / ECDSA certificates) are all
/// ring's. What is given up: aws-lc's post-quantum hybrid key exchange
/// (X25519MLKEM768), which ring does not implement, and its FIPS mode.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

/// The value of the environment variable `name` when set and not empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Builds the SDK client once per cold start from what Lambda puts in the
/// environment, with [`TimeBudget::PRODUCTION`] and [`https_client`]:
///
/// - region: `AWS_REGION` (Lambda sets it), else `AWS_DEFAULT_REGION`;
/// - credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
///   `AWS_SESSION_TOKEN` (the function's role: Lambda sets all three), read
///   by [`EnvCredentials`] at the first call;
/// - endpoint: `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, else
///   DynamoDB's regional endpoint (local runs point these at the embedded
///   DynamoDB).
///
/// Not `aws_config::load_defaults`: that resolves the whole default chain
/// (profile files, SSO, web identity through STS, ECS and IMDS endpoints)
/// at every cold start, although a Lambda function's credentials are
/// always in its environment, and links each of those clients into the
/// binary. The decision's cost: running a function binary locally against
/// real AWS with a named profile needs its credentials exported first
/// (`eval "$(aws configure export-credentials --format env)"`); `sam local`
/// and `cargo lambda` pass them as environment variables already.
pub fn client_from_env() -> aws_sdk_dynamodb::Client {
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region_from_env())
        .credentials_provider(credentials_from_env())
        .http_client(https_client());
    if let Some(url) = endpoint_from_env("AWS_ENDPOINT_URL_DYNAMODB") {
        config = config.endpoint_url(url);
    }
    aws_sdk_dynamodb::Client::from_conf(TimeBudget::PRODUCTION.apply(config).build())
}

/// The region Lambda gives a function: `AWS_REGION`, else
/// `AWS_DEFAULT_REGION` (for any AWS client a function builds, as
/// [`client_from_env`] does).
pub fn region_from_env() -> Option<Region> {
    env("AWS_REGION")
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .map(Region::new)
}

/// The endpoint a service's client is pointed at: `service_var` (such as
/// `AWS_ENDPOINT_URL_DYNAMODB`), else `AWS_ENDPOINT_URL`, else `None` (the
/// service's regional endpoint).
pub fn endpoint_from_env(service_var: &str) -> Option<String> {
    env(service_var).or_else(|| env("AWS_ENDPOINT_URL"))
}

/// The credentials of the function's role, from the environment (see
/// [`client_from_env`]).
pub fn credentials_from_env() -> EnvCredentials {
    EnvCredentials
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
