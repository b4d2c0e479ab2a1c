//! `cargo xtask bench`: latency and DynamoDB round trips per request, per
//! endpoint scenario, in process against the embedded DynamoDB. Figures,
//! not assertions: compare runs on the same machine.

use aws_sdk_dynamodb::config::ConfigBag;
use aws_sdk_dynamodb::config::{
    Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use testkit::{LocalDynamo, events, template};

/// Counts the HTTP requests the SDK sends (round trips, retries included).
#[derive(Debug, Clone, Default)]
struct RoundTrips(Arc<AtomicUsize>);

impl Intercept for RoundTrips {
    fn name(&self) -> &'static str {
        "RoundTrips"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

struct Scenario {
    name: &'static str,
    expected: u16,
    request: Box<dyn Fn(usize) -> Request>,
}

fn patch(path: &str, id: &str, token: &str, body: String) -> Request {
    let auth = format!("Bearer {token}");
    events::api_request(
        "PATCH",
        path,
        &[("id", id)],
        &[("authorization", &auth)],
        Some(body.as_bytes()),
    )
}

/// Runs every scenario `requests` times and prints the figures.
pub async fn run(requests: usize) -> anyhow::Result<()> {
    let server = LocalDynamo::start_in_memory().map_err(anyhow::Error::msg)?;
    let counter = RoundTrips::default();
    let config = testkit::local_client(&server.endpoint())
        .config()
        .to_builder()
        .interceptor(counter.clone())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    for def in template::tables(std::path::Path::new("template.yaml")).map_err(anyhow::Error::msg)? {
        def.create(&client, "").await.map_err(anyhow::Error::msg)?;
    }

    let metadata_state = metadata::setup(&client).await?;
    let scenarios = metadata::scenarios();
    println!(
        "{:<52} {:>6} {:>9} {:>9} {:>9} {:>12}",
        "scenario", "status", "p50 µs", "p95 µs", "p99 µs", "round trips"
    );
    for scenario in scenarios {
        let mut latencies = Vec::with_capacity(requests);
        let before = counter.0.load(Ordering::Relaxed);
        for i in 0..requests {
            let req = (scenario.request)(i);
            let started = Instant::now();
            let response: Response<Body> = update_account_metadata::handle(&metadata_state, req).await;
            latencies.push(started.elapsed());
            if response.status() != scenario.expected {
                anyhow::bail!(
                    "{}: got {} instead of {}",
                    scenario.name,
                    response.status(),
                    scenario.expected
                );
            }
        }
        let trips = (counter.0.load(Ordering::Relaxed) - before) as f64 / requests as f64;
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        println!(
            "{:<52} {:>6} {:>9} {:>9} {:>9} {:>12.2}",
            scenario.name,
            scenario.expected,
            micros(pct(0.50)),
            micros(pct(0.95)),
            micros(pct(0.99)),
            trips
        );
    }
    println!("peak RSS of this process: {} MiB", peak_rss_mib());
    server.stop();
    Ok(())
}

fn micros(d: Duration) -> u128 {
    d.as_micros()
}

fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map(|kb| format!("{:.1}", kb as f64 / 1024.0))
        .unwrap_or_else(|| "?".to_owned())
}

mod metadata {
    use super::*;
    use update_account_metadata::{State, TABLE_LOGICAL_ID, seed::Seed};

    const TOKEN: &str = "bench-token-0123456789";

    pub async fn setup(client: &aws_sdk_dynamodb::Client) -> anyhow::Result<State> {
        let full: serde_json::Map<String, serde_json::Value> =
            (0..50).map(|i| (format!("k{i}"), json!(i))).collect();
        let seed: Seed = serde_json::from_value(json!({
            "tokens": [{"token": TOKEN, "ou_id": "ou_bench"}],
            "accounts": [
                {"id": "acct_bench", "ou_id": "ou_bench", "name": "Bench", "domain": "bench.com"},
                {"id": "acct_full", "ou_id": "ou_bench", "name": "Full", "domain": "full.com", "metadata": full},
                {"id": "acct_other", "ou_id": "ou_other", "name": "Other", "domain": "other.com"}
            ]
        }))?;
        testkit::seed::put_items(client, TABLE_LOGICAL_ID, seed.items()?)
            .await
            .map_err(anyhow::Error::msg)?;
        Ok(State {
            table: shared::store::Table::new(client.clone(), TABLE_LOGICAL_ID),
        })
    }

    pub fn scenarios() -> Vec<Scenario> {
        let path = "/accounts/acct_bench/metadata";
        vec![
            Scenario {
                name: "metadata: rename (204)",
                expected: 204,
                request: Box::new(move |i| {
                    patch(
                        path,
                        "acct_bench",
                        TOKEN,
                        json!({"name": format!("Bench {i}")}).to_string(),
                    )
                }),
            },
            Scenario {
                name: "metadata: merge 5 keys + domain (204)",
                expected: 204,
                request: Box::new(move |i| {
                    let body = json!({"domain": "bench.io", "metadata": {"a": i, "b": "x", "c": [1, 2], "d": {"e": true}, "f": null}});
                    patch(path, "acct_bench", TOKEN, body.to_string())
                }),
            },
            Scenario {
                name: "metadata: overwrite a key at 50 keys, exact path (204)",
                expected: 204,
                request: Box::new(|i| {
                    patch(
                        "/accounts/acct_full/metadata",
                        "acct_full",
                        TOKEN,
                        json!({"metadata": {"k0": i}}).to_string(),
                    )
                }),
            },
            Scenario {
                name: "metadata: unknown token (401)",
                expected: 401,
                request: Box::new(move |_| {
                    patch(
                        path,
                        "acct_bench",
                        "unknown-token",
                        json!({"name": "x"}).to_string(),
                    )
                }),
            },
            Scenario {
                name: "metadata: account of another OU (404)",
                expected: 404,
                request: Box::new(|_| {
                    patch(
                        "/accounts/acct_other/metadata",
                        "acct_other",
                        TOKEN,
                        json!({"name": "x"}).to_string(),
                    )
                }),
            },
            Scenario {
                name: "metadata: invalid body (400, no DynamoDB write)",
                expected: 400,
                request: Box::new(move |_| patch(path, "acct_bench", TOKEN, "{\"name\": 5}".to_owned())),
            },
        ]
    }
}
