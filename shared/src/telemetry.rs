//! Logging for every function.

use tracing_subscriber::EnvFilter;

/// Installs the global `tracing` subscriber once per cold start.
///
/// In Lambda with JSON logging (`AWS_LAMBDA_LOG_FORMAT=JSON`, set by the
/// template's `LoggingConfig`) it writes one JSON object per event, so
/// CloudWatch can filter on fields such as `request_id`; locally it writes
/// compact text. The level comes from `AWS_LAMBDA_LOG_LEVEL`, else
/// `RUST_LOG`, else `info`. Never pass secrets to a log event: log
/// [`crate::auth::SecretHash`] values instead.
pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned())
        .to_lowercase();
    // A plain level applies to our code; the SDK's runtime logs every
    // failed condition as a warning, which is an expected outcome here.
    let directives = if level.contains('=') {
        level
    } else {
        format!(
            "{level},aws_smithy_runtime=error,aws_smithy_runtime_api=error,aws_runtime=error,aws_sdk_dynamodb=error,dynoxide=error"
        )
    };
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .without_time();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let result = if json {
        builder
            .json()
            .with_current_span(false)
            .with_ansi(false)
            .try_init()
    } else {
        builder.compact().try_init()
    };
    // A second call (tests) keeps the first subscriber.
    let _ = result;
}
