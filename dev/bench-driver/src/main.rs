//! The release-built half of `cargo perf` (which builds it with the
//! functions' release profile, starts the embedded DynamoDB and runs this
//! binary). Five commands; results are printed one JSON object per line,
//! each line starting `BENCH ` (handlers log to stdout too).
//!
//! - `setup --endpoint URL`: creates the tables of `template.yaml` twice
//!   (as named, and prefixed `bare-`) and loads the demo seed into both.
//!   Here rather than in `cargo perf`, so that the tool built for the dev
//!   profile links only the emulator, not the SDK and the functions a
//!   second time.
//! - `latency --endpoint URL --requests N --canned-out FILE`: every
//!   scenario ([`scenarios::all`]) in process against the server, next to
//!   the same DynamoDB calls made with the bare SDK ([`record`]), on an
//!   identical copy of the tables (prefix `bare-`), interleaved, same
//!   server, same run; calls, consumed capacity; then CPU per request with
//!   an in-memory HTTP client answering what the server answered
//!   ([`stub`]). Writes the recorded answers to FILE.
//! - `cpu --canned FILE --scenario NAME --requests N [--part P]`: one
//!   scenario against the in-memory client only (the callgrind target):
//!   the handler, or (`--part bare`) the bare SDK's calls of its warm
//!   path, or (`--part build`) only building its requests ([`Part`]).
//! - `coldstart ...`: a function binary's cold start under a local Lambda
//!   Runtime API with DynamoDB behind TLS, and its peak RSS ([`coldstart`]).
//! - `events --scenario NAME --requests N --out FILE`: the scenario's first
//!   N requests as API Gateway events (a JSON array), for a program in
//!   another language to send the same requests (`dev/peer-python`).

// The functions' allocator, so that the handlers in process allocate as
// the deployed binaries do.
shared::global_allocator!();

mod coldstart;
mod derived;
mod record;
mod scenarios;
mod stub;

use record::{Canned, Recorder, replay_waves};
use serde_json::json;
use shared::auth::{CredentialCache, SecretHash, cache::install_global, credential_key};
use shared::store::Table;
use std::time::{Duration, Instant};

/// The TTL the bench runs with: the deployed default.
const TTL: Duration = shared::auth::cache::DEPLOYED_TTL;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let need = |name: &str| arg(&args, name).ok_or(format!("missing {name}"));
    let number =
        |name: &str, default: usize| arg(&args, name).and_then(|v| v.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("setup") => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(setup(&need("--endpoint")?))
        }
        Some("latency") => {
            like_production()?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(latency(
                &need("--endpoint")?,
                number("--requests", 2000),
                &need("--canned-out")?,
            ))
        }
        Some("cpu") => {
            like_production()?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let part = match arg(&args, "--part").as_deref() {
                None | Some("handler") => Part::Handler,
                Some("bare") => Part::Bare,
                Some("build") => Part::Build,
                Some(other) => return Err(format!("unknown --part {other}")),
            };
            rt.block_on(cpu_only(
                &need("--canned")?,
                &need("--scenario")?,
                number("--requests", 100),
                part,
            ))
        }
        Some("coldstart") => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(coldstart::run(&args))
        }
        Some("events") => {
            let name = need("--scenario")?;
            let scenario = scenarios::all()?
                .into_iter()
                .find(|s| s.name() == name)
                .ok_or(format!("no scenario {name}"))?;
            let events: Vec<_> = (0..number("--requests", 1000))
                .map(|i| (scenario.event)(i))
                .collect();
            std::fs::write(need("--out")?, serde_json::Value::from(events).to_string())
                .map_err(|e| e.to_string())
        }
        _ => Err("usage: bench-driver setup|latency|cpu|coldstart|events ...".to_owned()),
    }
}

/// The tables of `template.yaml` twice, as named (the handlers') and
/// prefixed `bare-` (the bare SDK's replica), each seeded with the demo
/// seed (`functions/*/demo.json`). `template.yaml` is read relative to the
/// workspace root, where `cargo perf` runs this.
async fn setup(endpoint: &str) -> Result<(), String> {
    // Not recorded: the recorder replays only what the handlers do.
    let client = fixtures::client::local_client(endpoint);
    let tables = fixtures::template::tables(std::path::Path::new("template.yaml"))?;
    let demo = fixtures::seed::SeedFile::demo(&scenarios::workspace())?;
    for prefix in ["", BARE] {
        for table in &tables {
            table.create(&client, prefix).await?;
        }
        seeding::seed_into(&demo, &client, prefix).await?;
    }
    Ok(())
}

/// The per-container caches at their deployed TTLs (template.yaml):
/// credentials, and contract 002's field definitions; and the functions'
/// logging (`cargo perf` sets the variables Lambda sets), so the handlers
/// log, and pay for, what they do in production.
fn like_production() -> Result<(), String> {
    shared::telemetry::init(&endpoints::log_targets());
    install_global(CredentialCache::new(TTL, shared::auth::cache::CAPACITY))
        .map_err(|_| "credential cache")?;
    update_crm_account::store::definitions_cache::install(TTL).map_err(|_| "definitions cache")?;
    Ok(())
}

/// A client of the server at `endpoint` with the production time budget,
/// recording through `recorder`.
fn client(endpoint: &str, recorder: &Recorder) -> aws_sdk_dynamodb::Client {
    let config = fixtures::client::local_config(endpoint).interceptor(recorder.clone());
    aws_sdk_dynamodb::Client::from_conf(shared::store::TimeBudget::PRODUCTION.apply(config).build())
}

/// Microseconds at quantile `q` of sorted `v`.
fn q(v: &[Duration], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() as f64 * q) as usize).min(v.len() - 1);
    v[i].as_secs_f64() * 1e6
}

const BARE: &str = "bare-";

/// Request numbers of the in-memory passes: values the server never saw.
const CPU_OFFSET: usize = 1_000_000;

async fn latency(endpoint: &str, requests: usize, canned_out: &str) -> Result<(), String> {
    let (rec_h, rec_b) = (Recorder::default(), Recorder::default());
    let (client_h, client_b) = (client(endpoint, &rec_h), client(endpoint, &rec_b));
    let mut all_canned = serde_json::Map::new();
    for scenario in scenarios::all()? {
        let name = scenario.name();
        let handler = scenario.handler(Table::new(client_h.clone(), scenario.table));
        let check = |status: u16, body: &[u8]| -> Result<(), String> {
            if status == scenario.expected {
                Ok(())
            } else {
                Err(format!(
                    "{name}: got {status} instead of {}: {}",
                    scenario.expected,
                    String::from_utf8_lossy(body)
                ))
            }
        };
        // The credential item's answer, for the in-memory client.
        let _ = client_h
            .get_item()
            .table_name(scenario.table)
            .set_key(Some(credential_key(&SecretHash::of(&scenario.secret)).to_item()))
            .consistent_read(true)
            .send()
            .await;
        rec_h.take();
        let mut canned: Vec<Canned> = rec_h.take_canned();

        // Warm up (connections, cache, allocator); the first asks for capacity.
        let mut capacity = 0.0;
        for i in 0..20 {
            let response = handler(scenario.request(i)).await;
            check(response.status().as_u16(), response.body().as_ref())?;
            let (waves, _) = rec_h.take();
            let units = replay_waves(&client_b, waves, BARE, i == 0)
                .await
                .map_err(|e| format!("{name}: bare replica: {e}"))?;
            if i == 0 {
                capacity = units;
                // The cold path's answers too (what the per-container
                // caches then spare: the credential, 002's definitions),
                // for a `cpu` process that starts with empty caches.
                canned.extend(rec_h.take_canned());
            }
        }
        rec_h.take_canned();
        rec_b.take_canned();

        let (mut handler_t, mut bare_t) = (Vec::with_capacity(requests), Vec::with_capacity(requests));
        let (mut attempts, mut waves_n, mut last_waves) = (0usize, 0usize, Vec::new());
        let requests = requests.min(scenario.limit.saturating_sub(21));
        for i in 20..20 + requests {
            let request = scenario.request(i);
            let started = Instant::now();
            let response = handler(request).await;
            handler_t.push(started.elapsed());
            check(response.status().as_u16(), response.body().as_ref())?;
            let (waves, sent) = rec_h.take();
            attempts += sent;
            waves_n += waves.len();
            last_waves = waves.clone();
            let started = Instant::now();
            replay_waves(&client_b, waves, BARE, false)
                .await
                .map_err(|e| format!("{name}: bare replica: {e}"))?;
            if sent > 0 {
                bare_t.push(started.elapsed());
            }
        }
        // The answers of the last request: the warm path.
        let mut warm = rec_h.take_canned();
        warm.truncate(16);
        canned.extend(warm);
        rec_b.take_canned();
        handler_t.sort();
        bare_t.sort();

        // CPU: the same handler and calls against answers from memory.
        let stub = stub::Stub::new(&canned);
        let stub_handler = scenario.handler(Table::new(stub.client(), scenario.table));
        let stub_client = stub.client();
        let cpu_n = requests.max(200);
        let (mut cpu_h, mut cpu_b) = (Vec::with_capacity(cpu_n), Vec::with_capacity(cpu_n));
        for i in 0..cpu_n + 50 {
            // Values never sent before (a new option must be new).
            let request = scenario.request(CPU_OFFSET + i);
            let started = Instant::now();
            let response = stub_handler(request).await;
            let took = started.elapsed();
            check(response.status().as_u16(), response.body().as_ref())
                .map_err(|e| format!("in memory: {e}"))?;
            let waves = last_waves.clone();
            let has_calls = !waves.is_empty();
            let started_b = Instant::now();
            replay_waves(&stub_client, waves, "", false)
                .await
                .map_err(|e| format!("{name}: bare replica in memory: {e}"))?;
            let took_b = started_b.elapsed();
            if i >= 50 {
                cpu_h.push(took);
                if has_calls {
                    cpu_b.push(took_b);
                }
            }
        }
        cpu_h.sort();
        cpu_b.sort();

        let line = json!({
            "kind": "latency",
            "name": name,
            "endpoint": &scenario.endpoint,
            "path": &scenario.path,
            "status": scenario.expected,
            "requests": requests,
            "handler_p50_us": q(&handler_t, 0.5),
            "handler_p99_us": q(&handler_t, 0.99),
            "bare_p50_us": q(&bare_t, 0.5),
            "bare_p99_us": q(&bare_t, 0.99),
            "calls": attempts as f64 / requests as f64,
            "sequential": waves_n as f64 / requests as f64,
            "capacity": capacity,
            "cpu_handler_p50_us": q(&cpu_h, 0.5),
            "cpu_bare_p50_us": q(&cpu_b, 0.5),
        });
        println!("BENCH {line}");
        let canned_json: Vec<_> = canned
            .iter()
            .map(|c| json!({"key": c.key, "status": c.status, "body": c.body}))
            .collect();
        all_canned.insert(name, json!(canned_json));
    }
    std::fs::write(canned_out, serde_json::Value::Object(all_canned).to_string()).map_err(|e| e.to_string())
}

/// What a `cpu` run repeats, so that callgrind can take one from another:
/// the handler's own instructions are `Handler` minus `Bare` minus `Build`.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// Build the request, then run the handler against the in-memory client.
    Handler,
    /// The bare SDK making the calls the handler made (its warm path), against the same client.
    Bare,
    /// Only build the request (an API Gateway event, parsed by lambda_http).
    Build,
}

async fn cpu_only(canned: &str, scenario_name: &str, requests: usize, part: Part) -> Result<(), String> {
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(canned).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let scenario = scenarios::all()?
        .into_iter()
        .find(|s| s.name() == scenario_name)
        .ok_or(format!("no scenario {scenario_name}"))?;
    let canned: Vec<Canned> = all[scenario_name]
        .as_array()
        .ok_or("no answers recorded")?
        .iter()
        .map(|c| Canned {
            key: c["key"].as_str().unwrap_or_default().to_owned(),
            status: c["status"].as_u64().unwrap_or(200) as u16,
            body: c["body"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    let stub = stub::Stub::new(&canned);
    let recorder = Recorder::default();
    let recorded = scenario.handler(Table::new(stub.recorded_client(&recorder), scenario.table));
    // What is measured goes through a client without the recorder, as in production.
    let handler = scenario.handler(Table::new(stub.client(), scenario.table));
    let (event, expected) = (scenario.event.clone(), scenario.expected);
    let request = move |i: usize| scenarios::request(&event(i));
    let run = |handler: &scenarios::Handler, i: usize| {
        let handler = handler.clone();
        let request = request(CPU_OFFSET + i);
        async move {
            let response = handler(request).await;
            if response.status().as_u16() == expected {
                Ok(())
            } else {
                Err(format!("{scenario_name}: got {}", response.status()))
            }
        }
    };
    // Every part starts alike: a request that reads the credential (then
    // cached, as a warm container did once), and one on the warm path,
    // whose calls the bare part repeats.
    run(&recorded, 0).await?;
    recorder.take();
    run(&recorded, 1).await?;
    let (waves, _) = recorder.take();
    let client = stub.client();
    for i in 2..requests + 2 {
        match part {
            Part::Handler => run(&handler, i).await?,
            Part::Bare => {
                replay_waves(&client, waves.clone(), "", false)
                    .await
                    .map_err(|e| format!("{scenario_name}: bare in memory: {e}"))?;
            }
            Part::Build => drop(std::hint::black_box(request(CPU_OFFSET + i))),
        }
    }
    Ok(())
}
