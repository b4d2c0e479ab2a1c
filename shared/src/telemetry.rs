//! Logging for every function, safe at every level.
//!
//! Secrets and personal data never reach a log line, whatever level is
//! configured, TRACE included. Our own code never passes a token, key,
//! code, code hash or email to a log event (it logs
//! [`crate::auth::SecretHash`] prefixes and ids). Dependencies do not make
//! that promise: at TRACE the Lambda runtime logs every raw event (headers
//! with tokens, bodies with emails and codes), the SDK logs every request
//! and response (items with emails and code hashes) and the signer logs
//! what it signs. So every crate but `shared` and the ones a process names
//! as its own (the endpoint's crate, from its type) is capped at
//! [`DEPENDENCY_MAX_LEVEL`] (INFO) by a filter that the configured level
//! cannot lift: `RUST_LOG=trace` makes our code verbose, never theirs.

use std::io::Write;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::{filter::Targets, fmt::MakeWriter, layer::SubscriberExt};

/// The most a crate outside this workspace may log. Their DEBUG and TRACE
/// events carry raw Lambda events, SDK requests and responses.
pub const DEPENDENCY_MAX_LEVEL: LevelFilter = LevelFilter::INFO;

/// The log target of this crate, which every process lets through below
/// [`DEPENDENCY_MAX_LEVEL`] beside the crates it names itself.
pub const SHARED_TARGET: &str = env!("CARGO_CRATE_NAME");

/// The log target of the crate that defines `T`: the first segment of its
/// type name, as `tracing` names the target of an event in that crate
/// (`std::any::type_name` does not promise that form; `dev/endpoints`'
/// test holds it equal to each function's crate for every endpoint).
/// [`crate::endpoint::serve`] lets its endpoint's crate log at any level
/// with it, so no list of functions is kept by hand.
pub fn crate_of<T: ?Sized>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.split("::").next().unwrap_or(name)
}

/// Installs the global `tracing` subscriber once per cold start, writing to
/// stdout (where Lambda collects logs). `own` names this process's crates
/// (log targets, `-` written `_`) besides `shared`: only these may log
/// below [`DEPENDENCY_MAX_LEVEL`]. A crate not named is capped too, so
/// naming too few loses detail, never leaks.
///
/// In Lambda with JSON logging (`AWS_LAMBDA_LOG_FORMAT=JSON`, set by the
/// template's `LoggingConfig`) it writes one JSON object per event, so
/// CloudWatch can filter on fields such as `request_id`; locally it writes
/// compact text, with colours only when stdout is a terminal. The level
/// comes from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else `info`; a plain
/// level (`debug`) applies to our code, while the SDK stays at `error`
/// (it logs every failed condition, an expected outcome here, as a
/// warning). Whatever the level, dependencies never log below
/// [`DEPENDENCY_MAX_LEVEL`].
pub fn init(own: &[&str]) {
    use std::io::IsTerminal;
    let ansi = std::io::stdout().is_terminal();
    // A second call (tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber(std::io::stdout, ansi, own));
}

/// The subscriber [`init`] installs, writing to `writer`: the configured
/// filter, then the dependency cap, then the format. Tests use it with an
/// in-memory writer to see exactly what a function logs.
///
/// JSON lines (Lambda's JSON log format) carry a `timestamp` (RFC 3339,
/// UTC), which CloudWatch uses as the event's time; local text lines have
/// none (the terminal shows them as they come).
pub fn subscriber<W>(writer: W, ansi: bool, own: &[&str]) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .with_target(false)
        .with_writer(writer);
    if json_format() {
        Box::new(
            builder
                .json()
                .with_current_span(false)
                .with_ansi(false)
                .finish()
                .with(dependency_cap(own))
                .with(configured_filter()),
        )
    } else {
        Box::new(
            builder
                .without_time()
                .compact()
                .with_ansi(ansi)
                .finish()
                .with(dependency_cap(own))
                .with(configured_filter()),
        )
    }
}

/// The filter that keeps dependencies at or above [`DEPENDENCY_MAX_LEVEL`]
/// and lets `shared` and the crates `own` names through at any level.
pub fn dependency_cap(own: &[&str]) -> Targets {
    own.iter().chain([&SHARED_TARGET]).fold(
        Targets::new().with_default(DEPENDENCY_MAX_LEVEL),
        |targets, target| targets.with_target(*target, LevelFilter::TRACE),
    )
}

/// The filter the environment asks for (see [`init`]): comma-separated
/// `target=level` directives or a bare level, as `RUST_LOG` takes them.
/// A [`Targets`] filter, not tracing-subscriber's `EnvFilter`: the same
/// syntax without span and field matchers, which would link a regex engine
/// into every function (~260 KiB of a binary) for filters nobody sets on a
/// Lambda function. Lambda's `FATAL` is `error`; anything unparsable is
/// `info`.
fn configured_filter() -> Targets {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned())
        .to_lowercase()
        .replace("fatal", "error");
    let directives = if level.contains('=') {
        level
    } else {
        format!(
            "{level},aws_smithy_runtime=error,aws_smithy_runtime_api=error,aws_runtime=error,aws_sdk_dynamodb=error,dynoxide=error"
        )
    };
    directives
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO))
}

fn json_format() -> bool {
    std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"))
}

/// A [`MakeWriter`] that keeps everything written in memory, for tests that
/// read what was logged.
#[derive(Debug, Clone, Default)]
pub struct MemoryWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl MemoryWriter {
    /// Everything written so far, as text.
    pub fn contents(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for MemoryWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut bytes) = self.0.lock() {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for MemoryWriter {
    type Writer = MemoryWriter;

    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    /// Events as the runtime, the SDK and the signer emit them at TRACE,
    /// with a secret in each, and one of ours.
    fn emit_everything() {
        tracing::event!(target: "lambda_runtime::layers::api_response", Level::TRACE, body = "Bearer s3cret-token", "raw JSON event received from Lambda");
        tracing::event!(target: "aws_smithy_runtime::client::orchestrator", Level::TRACE, request = "jane@example.com", "transmitting request");
        tracing::event!(target: "aws_sigv4::http_request::sign", Level::TRACE, canonical_request = "code-hash", "signing");
        tracing::event!(target: "hyper_util::client", Level::DEBUG, "s3cret in a debug line");
        tracing::event!(target: "lambda_runtime::runtime", Level::INFO, "runtime info line");
        tracing::event!(target: "shared::auth", Level::TRACE, "our own trace line");
        tracing::event!(target: "named_function::store", Level::TRACE, "a named crate's trace line");
        tracing::event!(target: "unnamed_crate", Level::DEBUG, "an unnamed crate's debug line");
    }

    #[test]
    fn a_type_s_crate_is_its_log_target() {
        assert_eq!(crate_of::<MemoryWriter>(), "shared");
        assert_eq!(SHARED_TARGET, "shared");
        assert_eq!(crate_of::<serde_json::Value>(), "serde_json");
    }

    #[test]
    fn dependencies_never_log_below_info_even_at_trace() {
        let writer = MemoryWriter::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(LevelFilter::TRACE)
            .with_writer(writer.clone())
            .finish()
            .with(dependency_cap(&["named_function"]));
        tracing::subscriber::with_default(subscriber, emit_everything);
        let logs = writer.contents();
        assert!(logs.contains("our own trace line"), "{logs}");
        assert!(logs.contains("a named crate's trace line"), "{logs}");
        assert!(!logs.contains("an unnamed crate's debug line"), "{logs}");
        assert!(logs.contains("runtime info line"), "{logs}");
        for secret in ["s3cret", "jane@example.com", "code-hash", "raw JSON event"] {
            assert!(!logs.contains(secret), "{secret} leaked: {logs}");
        }
    }
}
