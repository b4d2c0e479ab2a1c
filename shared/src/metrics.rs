//! One JSON line per request: the request's telemetry and, in the same
//! object, its CloudWatch metrics in Embedded Metric Format (EMF), so one
//! line is both the request log and the metric record.
//!
//! ```json
//! {"_aws": {"Timestamp": 1764000000000, "CloudWatchMetrics": [{
//!    "Namespace": "UpdateAccounts", "Dimensions": [["function"]],
//!    "Metrics": [{"Name": "latency", "Unit": "Milliseconds"}, ...]}]},
//!  "function": "update-account-v2", "latency": 12.4, "status_2xx": 1, ...,
//!  "timestamp": "2025-11-24T16:00:00.000Z", "level": "INFO", "message": "request", "request_id": "...", "route": "PATCH /v2/accounts/{accountId}",
//!  "status": 200, "tenant_id": "...", "dynamodb_calls": 1, "retries": 0, ...}
//! ```
//!
//! It holds ids (request, tenant / OU / account), never a token, key,
//! code or email. It is written whatever the log level: metrics do not
//! depend on `RUST_LOG`, and its `level` is raised to the function's
//! `ApplicationLogLevel` when that is above INFO, so Lambda's log-level
//! filtering never drops it (the line then reads as a WARN or ERROR
//! line; its `message` is always `request`). The namespace is `METRICS_NAMESPACE` (set in
//! template.yaml), `UpdateAccounts` when unset.

use crate::scope::CallStats;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The namespace when `METRICS_NAMESPACE` is unset.
pub const DEFAULT_NAMESPACE: &str = "UpdateAccounts";

/// The metrics every line carries, with their EMF units.
pub const METRICS: [(&str, &str); 11] = [
    ("latency", "Milliseconds"),
    ("status_2xx", "Count"),
    ("status_4xx", "Count"),
    ("status_5xx", "Count"),
    ("conflicts", "Count"),
    ("replays", "Count"),
    ("throttles", "Count"),
    ("cold_starts", "Count"),
    ("dynamodb_calls", "Count"),
    ("dynamodb_retries", "Count"),
    ("consumed_capacity", "Count"),
];

/// Where lines go: stdout, unless a test installed a sink.
type Sink = Box<dyn Fn(&str) + Send + Sync>;
static SINK: OnceLock<Sink> = OnceLock::new();

/// Sends every line of this process to `sink` instead of stdout (tests).
/// Only the first call takes effect.
pub fn set_sink(sink: impl Fn(&str) + Send + Sync + 'static) {
    let _ = SINK.set(Box::new(sink));
}

/// What one request did, for its line.
#[derive(Debug, Clone)]
pub struct RequestRecord<'a> {
    /// The request id (API Gateway's, or Lambda's).
    pub request_id: &'a str,
    /// The route key (`PATCH /v2/accounts/{accountId}`), never the raw path.
    pub route: &'a str,
    /// The response status.
    pub status: u16,
    /// Time from the handler's start to the rendered response.
    pub latency: Duration,
    /// The request's DynamoDB calls.
    pub stats: CallStats,
    /// The first request of this container.
    pub cold_start: bool,
    /// A replayed response (`Idempotency-Key`).
    pub replay: bool,
    /// DynamoDB throttled the request past the SDK's retries.
    pub throttled: bool,
    /// The principal's scoping ids.
    pub principal: Vec<(&'static str, String)>,
}

/// The value of the environment variable `name` when set and not empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The function's name: `AWS_LAMBDA_FUNCTION_NAME`, else the binary's.
fn function_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        env("AWS_LAMBDA_FUNCTION_NAME")
            .or_else(|| {
                let exe = std::env::current_exe().ok()?;
                Some(exe.file_stem()?.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned())
    })
}

/// `METRICS_NAMESPACE`, else [`DEFAULT_NAMESPACE`].
fn namespace() -> &'static str {
    static NAMESPACE: OnceLock<String> = OnceLock::new();
    NAMESPACE.get_or_init(|| env("METRICS_NAMESPACE").unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()))
}

/// The `level` of the request line: `INFO`, or the function's
/// `ApplicationLogLevel` when it is above INFO (`WARN`, `ERROR`, `FATAL`).
/// Lambda drops JSON lines below that level, and the request line is the
/// function's metrics and audit trail: raising the log level must not
/// silently stop them. Read once per container.
fn line_level() -> &'static str {
    static LEVEL: OnceLock<&'static str> = OnceLock::new();
    LEVEL.get_or_init(|| level_for(env("AWS_LAMBDA_LOG_LEVEL").as_deref()))
}

/// [`line_level`] for a configured level.
fn level_for(configured: Option<&str>) -> &'static str {
    match configured.map(str::to_ascii_uppercase).as_deref() {
        Some("WARN") => "WARN",
        Some("ERROR") => "ERROR",
        Some("FATAL") => "FATAL",
        _ => "INFO",
    }
}

/// The EMF directive's constant part, after `"Timestamp":<ms>`: the
/// namespace, the dimension and every metric with its unit, then the
/// `function` dimension's value. Built once per container.
fn directive() -> &'static str {
    static DIRECTIVE: OnceLock<String> = OnceLock::new();
    DIRECTIVE.get_or_init(|| {
        let metrics: Vec<Value> = METRICS
            .iter()
            .map(|(name, unit)| json!({"Name": name, "Unit": unit}))
            .collect();
        let directive = json!([{
            "Namespace": namespace(),
            "Dimensions": [["function"]],
            "Metrics": metrics,
        }]);
        let mut out = format!(",\"CloudWatchMetrics\":{directive}}},\"function\":");
        push_str(&mut out, function_name());
        out
    })
}

/// Appends `s` as a JSON string: quoted, with `"`, `\` and control
/// characters escaped (everything else is valid in a JSON string as is).
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // `b` is ASCII, so `i` is a character boundary.
        out.push_str(&s[plain..i]);
        if escaped.is_empty() {
            // Writing into a String cannot fail.
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escaped);
        }
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// Appends `,"name":` (names are ours: plain ASCII, nothing to escape).
fn push_key(out: &mut String, name: &str) {
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
}

/// A value of the line: written without `core::fmt` (a formatted write
/// costs a few hundred instructions; the line has fourteen values).
trait Field {
    fn push(self, out: &mut String);
}

impl Field for u64 {
    fn push(self, out: &mut String) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = self;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        // ASCII digits only.
        out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
    }
}

impl Field for u32 {
    fn push(self, out: &mut String) {
        u64::from(self).push(out);
    }
}

impl Field for u16 {
    fn push(self, out: &mut String) {
        u64::from(self).push(out);
    }
}

impl Field for bool {
    fn push(self, out: &mut String) {
        out.push_str(if self { "true" } else { "false" });
    }
}

/// A count in thousandths (milliseconds from microseconds), written as
/// the shortest decimal, as `f64`'s `Display` writes `thousandths / 1e3`.
struct Thousandths(u64);

impl Field for Thousandths {
    fn push(self, out: &mut String) {
        (self.0 / 1000).push(out);
        let mut fraction = self.0 % 1000;
        if fraction == 0 {
            return;
        }
        out.push('.');
        let mut width = 3;
        while fraction.is_multiple_of(10) {
            fraction /= 10;
            width -= 1;
        }
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (fraction / 10u64.pow(place) % 10) as u8));
        }
    }
}

impl Field for f64 {
    fn push(self, out: &mut String) {
        // Whole numbers (capacity units usually are) without `fmt`.
        if self.fract() == 0.0 && (0.0..1e15).contains(&self) {
            (self as u64).push(out);
        } else {
            let _ = write!(out, "{self}");
        }
    }
}

/// Appends `,"name":` then `value`, a number or a boolean.
fn push_field(out: &mut String, name: &str, value: impl Field) {
    push_key(out, name);
    value.push(out);
}

/// The line for `record`: one JSON object (no newline), written straight
/// into a `String` (so it needs no UTF-8 check to print), with the EMF
/// directive built once per container (`directive`): a request costs one
/// allocation here.
pub fn render(record: &RequestRecord<'_>, now: SystemTime) -> String {
    let class = record.status / 100;
    let flag = |b: bool| u32::from(b);
    let mut out = String::with_capacity(1024);
    let millis = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    out.push_str("{\"_aws\":{\"Timestamp\":");
    millis.push(&mut out);
    out.push_str(directive());
    // The metrics, in the order of METRICS.
    push_field(
        &mut out,
        METRICS[0].0,
        Thousandths((record.latency.as_secs_f64() * 1e6).round() as u64),
    );
    push_field(&mut out, METRICS[1].0, flag(class == 2));
    push_field(&mut out, METRICS[2].0, flag(class == 4));
    push_field(&mut out, METRICS[3].0, flag(class == 5));
    push_field(&mut out, METRICS[4].0, flag(matches!(record.status, 409 | 412)));
    push_field(&mut out, METRICS[5].0, flag(record.replay));
    push_field(&mut out, METRICS[6].0, flag(record.throttled));
    push_field(&mut out, METRICS[7].0, flag(record.cold_start));
    push_field(&mut out, METRICS[8].0, record.stats.calls);
    push_field(
        &mut out,
        METRICS[9].0,
        record.stats.attempts.saturating_sub(record.stats.calls),
    );
    // A JSON number: never NaN or infinite (a sum of DynamoDB's figures).
    let capacity = if record.stats.capacity.is_finite() {
        record.stats.capacity
    } else {
        0.0
    };
    push_field(&mut out, METRICS[10].0, capacity);
    // Lambda's JSON log format: the event's time, as every log line has it.
    let _ = write!(out, ",\"timestamp\":\"{}\"", crate::clock::Timestamp::from(now));
    out.push_str(",\"level\":\"");
    out.push_str(line_level());
    out.push_str("\",\"message\":\"request\",\"request_id\":");
    push_str(&mut out, record.request_id);
    out.push_str(",\"route\":");
    push_str(&mut out, record.route);
    push_field(&mut out, "status", record.status);
    push_field(&mut out, "cold_start", record.cold_start);
    push_field(&mut out, "replay", record.replay);
    for (name, id) in &record.principal {
        push_key(&mut out, name);
        push_str(&mut out, id);
    }
    out.push('}');
    out
}

/// Writes the line for `record`.
pub fn emit(record: &RequestRecord<'_>) {
    let line = render(record, SystemTime::now());
    match SINK.get() {
        Some(sink) => sink(&line),
        // `println!`: one locked write per line, and captured by the
        // test harness like any test output.
        None => println!("{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(value: impl Field) -> String {
        let mut out = String::new();
        value.push(&mut out);
        out
    }

    #[test]
    fn values_are_written_as_display_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(pushed(n), n.to_string());
        }
        assert_eq!(pushed(7u16), "7");
        assert_eq!(pushed(true), "true");
        assert_eq!(pushed(false), "false");
        // Latency: every thousandth up to 100 and a sample beyond, as the
        // f64 the line used to hold.
        for k in (0..100_000).chain((0..2000).map(|i| i * 7_919_993)) {
            assert_eq!(pushed(Thousandths(k)), (k as f64 / 1e3).to_string(), "{k}");
        }
        for c in [0.0, 0.5, 1.0, 2.5, 3.0, 12.25, 1e14, 1e15, 1.5e300] {
            assert_eq!(pushed(c), c.to_string(), "{c}");
        }
    }

    #[test]
    fn the_request_line_survives_any_application_log_level() {
        assert_eq!(level_for(None), "INFO");
        for quieter in ["TRACE", "debug", "INFO", "nonsense"] {
            assert_eq!(level_for(Some(quieter)), "INFO", "{quieter}");
        }
        assert_eq!(level_for(Some("warn")), "WARN");
        assert_eq!(level_for(Some("ERROR")), "ERROR");
        assert_eq!(level_for(Some("FATAL")), "FATAL");
    }

    #[test]
    fn a_line_is_an_emf_record_with_the_requests_fields() {
        let record = RequestRecord {
            request_id: "r-1",
            route: "PATCH /v2/accounts/{accountId}",
            status: 412,
            latency: Duration::from_micros(12_345),
            stats: CallStats {
                calls: 2,
                attempts: 3,
                capacity: 1.5,
            },
            cold_start: true,
            replay: false,
            throttled: false,
            principal: vec![
                ("tenant_id", "t-1".into()),
                ("account_id", "a\"\\\n".into()),
                ("ou_id", "\u{1}\té\r".into()),
            ],
        };
        let line: Value = serde_json::from_str(&render(
            &record,
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        ))
        .expect("one JSON object");
        let aws = &line["_aws"];
        assert_eq!(aws["Timestamp"], 1_700_000_000_123u64);
        assert_eq!(
            line["timestamp"], "2023-11-14T22:13:20.123Z",
            "the log line's own time"
        );
        let directive = &aws["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], DEFAULT_NAMESPACE);
        assert_eq!(directive["Dimensions"], json!([["function"]]));
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(line[name].is_number(), "{name} has a value");
        }
        assert!(line["function"].is_string());
        assert_eq!(line["latency"], 12.345);
        assert_eq!(line["conflicts"], 1);
        assert_eq!(line["status_4xx"], 1);
        assert_eq!(line["dynamodb_retries"], 1);
        assert_eq!(line["cold_starts"], 1);
        assert_eq!(line["tenant_id"], "t-1");
        assert_eq!(line["account_id"], "a\"\\\n", "escaped as JSON");
        assert_eq!(
            line["ou_id"], "\u{1}\té\r",
            "control characters escaped, the rest as is"
        );
        assert_eq!(line["status"], 412);
        assert_eq!(line["cold_start"], true);
        assert_eq!(line["replay"], false);
        assert_eq!(line["consumed_capacity"], 1.5);
        assert_eq!(line["route"], "PATCH /v2/accounts/{accountId}");
    }
}
