//! One JSON line per request: the request's telemetry and, in the same
//! object, its CloudWatch metrics in Embedded Metric Format (EMF), so one
//! line is both the request log and the metric record.
//!
//! ```json
//! {"_aws": {"Timestamp": 1764000000000, "CloudWatchMetrics": [{
//!    "Namespace": "UpdateAccounts", "Dimensions": [["function"]],
//!    "Metrics": [{"Name": "latency", "Unit": "Milliseconds"}, ...]}]},
//!  "function": "update-account-v2", "latency": 12.4, "status_2xx": 1, ...,
//!  "message": "request", "request_id": "...", "route": "PATCH /v2/accounts/{accountId}",
//!  "status": 200, "tenant_id": "...", "dynamodb_calls": 1, "retries": 0, ...}
//! ```
//!
//! It holds ids (request, tenant / OU / account), never a token, key,
//! code or email. It is written whatever the log level: metrics do not
//! depend on `RUST_LOG`. The namespace is `METRICS_NAMESPACE` (set in
//! template.yaml), `UpdateAccounts` when unset.

use crate::scope::CallStats;
use serde_json::{Map, Value, json};
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

/// The line for `record`, as a JSON object.
pub fn line(record: &RequestRecord<'_>, now: SystemTime) -> Value {
    let class = record.status / 100;
    let flag = |b: bool| u32::from(b);
    let values: [Value; 11] = [
        json!((record.latency.as_secs_f64() * 1e6).round() / 1e3),
        json!(flag(class == 2)),
        json!(flag(class == 4)),
        json!(flag(class == 5)),
        json!(flag(matches!(record.status, 409 | 412))),
        json!(flag(record.replay)),
        json!(flag(record.throttled)),
        json!(flag(record.cold_start)),
        json!(record.stats.calls),
        json!(record.stats.attempts.saturating_sub(record.stats.calls)),
        json!(record.stats.capacity),
    ];
    let mut object = Map::new();
    object.insert(
        "_aws".into(),
        json!({
            "Timestamp": now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
            "CloudWatchMetrics": [{
                "Namespace": namespace(),
                "Dimensions": [["function"]],
                "Metrics": METRICS.iter().map(|(name, unit)| json!({"Name": name, "Unit": unit})).collect::<Vec<_>>(),
            }],
        }),
    );
    object.insert("function".into(), json!(function_name()));
    for ((name, _), value) in METRICS.iter().zip(values) {
        object.insert((*name).into(), value);
    }
    object.insert("level".into(), json!("INFO"));
    object.insert("message".into(), json!("request"));
    object.insert("request_id".into(), json!(record.request_id));
    object.insert("route".into(), json!(record.route));
    object.insert("status".into(), json!(record.status));
    object.insert("cold_start".into(), json!(record.cold_start));
    object.insert("replay".into(), json!(record.replay));
    for (name, id) in &record.principal {
        object.insert((*name).into(), json!(id));
    }
    Value::Object(object)
}

/// Writes the line for `record`.
pub fn emit(record: &RequestRecord<'_>) {
    let text = line(record, SystemTime::now()).to_string();
    match SINK.get() {
        Some(sink) => sink(&text),
        // `println!`: one locked write per line, and captured by the
        // test harness like any test output.
        None => println!("{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            principal: vec![("tenant_id", "t-1".into())],
        };
        let line = line(&record, UNIX_EPOCH + Duration::from_millis(1_700_000_000_123));
        let aws = &line["_aws"];
        assert_eq!(aws["Timestamp"], 1_700_000_000_123u64);
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
        assert_eq!(line["route"], "PATCH /v2/accounts/{accountId}");
    }
}
