//! `cargo xtask bench`: latency and DynamoDB round trips per request, per
//! endpoint scenario, in process against the embedded DynamoDB. Figures,
//! not assertions: compare runs on the same machine.

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::store::Table;
use std::{
    future::Future,
    pin::Pin,
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

type Run = Box<dyn Fn(usize) -> Pin<Box<dyn Future<Output = Response<Body>> + Send>>>;

struct Scenario {
    name: &'static str,
    expected: u16,
    run: Run,
}

fn scenario<S, F, Fut>(
    name: &'static str,
    expected: u16,
    state: S,
    handler: F,
    request: fn(usize) -> Request,
) -> Scenario
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Request) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    let state = Arc::new(state);
    Scenario {
        name,
        expected,
        run: Box::new(move |i| {
            let state = Arc::clone(&state);
            Box::pin(handler(state, request(i)))
        }),
    }
}

fn patch(path: &str, params: &[(&str, &str)], headers: &[(&str, &str)], body: Value) -> Request {
    events::api_request("PATCH", path, params, headers, Some(body.to_string().as_bytes()))
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
    let demo =
        testkit::seed::SeedFile::load(std::path::Path::new("seed/demo.json")).map_err(anyhow::Error::msg)?;
    for (table, items) in crate::functions::seed_items_in(&demo, &client)
        .await
        .map_err(anyhow::Error::msg)?
    {
        testkit::seed::put_items(&client, table, items)
            .await
            .map_err(anyhow::Error::msg)?;
    }
    let table = |name: &str| Table::new(client.clone(), name.to_owned());
    let scenarios = scenarios(&table);

    println!(
        "{:<58} {:>6} {:>8} {:>8} {:>8} {:>7}",
        "scenario (demo seed)", "status", "p50 µs", "p95 µs", "p99 µs", "trips"
    );
    for scenario in scenarios {
        let mut latencies = Vec::with_capacity(requests);
        let before = counter.0.load(Ordering::Relaxed);
        for i in 0..requests {
            let started = Instant::now();
            let response = (scenario.run)(i).await;
            latencies.push(started.elapsed());
            if response.status() != scenario.expected {
                anyhow::bail!(
                    "{}: got {} instead of {}: {}",
                    scenario.name,
                    response.status(),
                    scenario.expected,
                    events::body_json(&response)
                );
            }
        }
        let trips = (counter.0.load(Ordering::Relaxed) - before) as f64 / requests as f64;
        latencies.sort();
        let pct =
            |p: f64| micros(latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)]);
        println!(
            "{:<58} {:>6} {:>8} {:>8} {:>8} {:>7.2}",
            scenario.name,
            scenario.expected,
            pct(0.50),
            pct(0.95),
            pct(0.99),
            trips
        );
    }
    println!("peak RSS of this process: {} MiB", peak_rss_mib());
    server.stop();
    Ok(())
}

fn scenarios(table: &dyn Fn(&str) -> Table) -> Vec<Scenario> {
    use update_account_metadata as m;
    use update_account_v2 as v2;
    use update_crm_account as crm;
    use update_current_account as v1;
    use update_tenant_account as tenant;
    let m_state = || m::State {
        table: table(m::TABLE_LOGICAL_ID),
    };
    let t_state = tenant::State {
        table: table(tenant::TABLE_LOGICAL_ID),
        prospect_page_size: None,
    };
    let c_state = || crm::State {
        table: table(crm::TABLE_LOGICAL_ID),
    };
    let v1_state = || v1::State {
        table: table(v1::TABLE_LOGICAL_ID),
    };
    let v2_state = || v2::State {
        table: table(v2::TABLE_LOGICAL_ID),
    };
    let meta = |s: Arc<m::State>, r| async move { m::handle(&s, r).await };
    let crm_h = |s: Arc<crm::State>, r| async move { crm::handle(&s, r).await };
    let v1_h = |s: Arc<v1::State>, r| async move { v1::handle(&s, r).await };
    let v2_h = |s: Arc<v2::State>, r| async move { v2::handle(&s, r).await };
    const SALES: (&str, &str) = ("authorization", "Bearer demo-token-sales");
    const META: &str = "/accounts/acct_abc123/metadata";
    vec![
        scenario("000 metadata: rename (204)", 204, m_state(), meta, |i| {
            patch(
                META,
                &[("accountId", "acct_abc123")],
                &[SALES],
                json!({"name": format!("Acme {i}")}),
            )
        }),
        scenario(
            "000 metadata: merge 4 keys + domain (204)",
            204,
            m_state(),
            meta,
            |i| {
                let body =
                    json!({"domain": "acme.io", "metadata": {"a": i, "b": "x", "c": [1, 2], "tier": null}});
                patch(META, &[("accountId", "acct_abc123")], &[SALES], body)
            },
        ),
        scenario(
            "000 metadata: account of another OU (404)",
            404,
            m_state(),
            meta,
            |_| {
                patch(
                    "/accounts/acct_support1/metadata",
                    &[("accountId", "acct_support1")],
                    &[SALES],
                    json!({"name": "x"}),
                )
            },
        ),
        scenario("000 metadata: unknown token (401)", 401, m_state(), meta, |_| {
            patch(
                META,
                &[("accountId", "acct_abc123")],
                &[("authorization", "Bearer nope")],
                json!({"name": "x"}),
            )
        }),
        scenario(
            "000 metadata: invalid body (400, no write)",
            400,
            m_state(),
            meta,
            |_| {
                patch(
                    META,
                    &[("accountId", "acct_abc123")],
                    &[SALES],
                    json!({"name": 5}),
                )
            },
        ),
        scenario(
            "001 tenant: rename + 2 prospects, in parallel (200)",
            200,
            t_state,
            |s: Arc<tenant::State>, r| async move { tenant::handle(&s, r).await },
            |i| {
                let id = "account_01jfrt4z00fay8vvr14d2pf2db";
                let path = format!("/v0/accounts/{id}");
                patch(
                    &path,
                    &[("account_id", id)],
                    &[("x-api-key", "demo-key-tenant-a")],
                    json!({"name": format!("Acme {i}")}),
                )
            },
        ),
        scenario("002 crm: title + phone (200)", 200, c_state(), crm_h, |i| {
            let body = json!({"title": format!("HQ {i}"), "primaryPhone": "+1 217 555 0199"});
            patch(
                "/accounts/1001",
                &[("accountId", "1001")],
                &[("x-api-key", "demo-key-crm-a")],
                body,
            )
        }),
        scenario(
            "002 crm: custom field against definitions (200)",
            200,
            c_state(),
            crm_h,
            |i| {
                let body = json!({"custom": {"region": if i % 2 == 0 { "north" } else { "south" }, "square_feet": i}});
                patch(
                    "/accounts/1001",
                    &[("accountId", "1001")],
                    &[("x-api-key", "demo-key-crm-a")],
                    body,
                )
            },
        ),
        scenario(
            "002 crm: move the unique number (200, transaction)",
            200,
            c_state(),
            crm_h,
            |i| {
                let body = json!({"number": 100_000 + i});
                patch(
                    "/accounts/1002",
                    &[("accountId", "1002")],
                    &[("x-api-key", "demo-key-crm-a")],
                    body,
                )
            },
        ),
        scenario("003 v1: name + settings (200)", 200, v1_state(), v1_h, |i| {
            let body = json!({"name": format!("Acme {i}"), "settings": {"currency": "EUR"}});
            patch(
                "/v1/account",
                &[],
                &[("authorization", "Bearer demo-token-v1-owner")],
                body,
            )
        }),
        scenario(
            "003 v1: change email, unique (200, transaction)",
            200,
            v1_state(),
            v1_h,
            |i| {
                let body = json!({"email": format!("billing{i}@acme.example")});
                patch(
                    "/v1/account",
                    &[],
                    &[("authorization", "Bearer demo-token-v1-owner")],
                    body,
                )
            },
        ),
        scenario(
            "004 v2: displayName + settings (200)",
            200,
            v2_state(),
            v2_h,
            |i| {
                let body =
                    json!({"displayName": format!("Acme {i}"), "settings": {"recordingRetention": 60}});
                let id = "acc_1234567890";
                patch(
                    &format!("/v2/accounts/{id}"),
                    &[("accountId", id)],
                    &[("x-auth-token", "demo-token-v2-admin")],
                    body,
                )
            },
        ),
        scenario(
            "004 v2: change email, unique (200, transaction)",
            200,
            v2_state(),
            v2_h,
            |i| {
                let id = "acc_1234567890";
                let body = json!({"email": format!("admin{i}@acme.com")});
                patch(
                    &format!("/v2/accounts/{id}"),
                    &[("accountId", id)],
                    &[("x-auth-token", "demo-token-v2-admin")],
                    body,
                )
            },
        ),
    ]
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
