//! `cargo perf`: what each endpoint costs beyond the DynamoDB calls it
//! makes, measured side by side in one run (BENCHMARKS.md shows the last
//! output and how to read it). Figures, not assertions: compare runs on the
//! same machine.
//!
//! This tool is built for the dev profile and links only the emulator
//! (`local-dynamo`): everything that links the SDK or the functions is in
//! `bench-driver`, built for release, so a fresh clone compiles the SDK once.
//!
//! 1. Checks that building `bench-driver` and the baselines together with
//!    the functions adds no feature to any crate the functions use
//!    ([`features`]), then builds, with the functions' release profile and
//!    in one cargo invocation, the five functions, `dev/hello-lambda` (the
//!    baselines) and `dev/bench-driver` (the measuring side).
//! 2. Starts the embedded DynamoDB (dynoxide) on 127.0.0.1; `bench-driver
//!    setup` creates the template's tables twice (as named, and prefixed
//!    `bare-`) and loads the demo seed (`functions/*/demo.json`) into both.
//! 3. `bench-driver latency`: per endpoint and path, the handler in
//!    process next to the bare SDK replaying its calls on the `bare-`
//!    copy; DynamoDB calls, consumed capacity; CPU per request against
//!    answers from memory.
//! 4. callgrind (when valgrind is installed; one run per core at once,
//!    since it counts instructions, not time): instructions per request of
//!    the handler against answers from memory, of the bare SDK making the
//!    same calls, and of building the request alone; the handler's own
//!    work is the first minus the other two.
//! 5. `bench-driver coldstart`: exec of each release binary to its first
//!    answered invocation under a local Lambda Runtime API, DynamoDB behind
//!    a local TLS terminator (a test CA made with openssl, trusted through
//!    `SSL_CERT_FILE` together with the system's roots), one binary at a
//!    time; then peak RSS over 10 000 invocations, one binary per core at
//!    once (memory counts no time; their invocations/s share the cores).
//! 6. Sizes: stripped binary, and zipped as Lambda receives it.

mod features;
mod peer;
mod report;
mod tls;

use anyhow::{Context, bail};
use clap::Parser;
use local_dynamo::LocalDynamo;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;
use std::time::Instant;

/// Every binary the bench starts: (binary, event file, table logical id):
/// the hello-world baselines, then every function's binary (`dev/catalog`).
static BINARIES: LazyLock<Vec<(&str, &str, &str)>> = LazyLock::new(|| {
    let baseline = "events/update-account-metadata/204-contract-example.json";
    let baselines = ["hello-lambda", "hello-dynamodb"].map(|name| (name, baseline, "OrgAccountsTable"));
    let functions = catalog::binaries().map(|b| (b.name, b.bench_event, b.table));
    baselines.into_iter().chain(functions).collect()
});

/// The environment the mailer needs beside the others' (its sender).
const MAILER_ENV: [&str; 2] = ["--env", "MAIL_FROM=no-reply@example.com"];

/// The functions' packages (`dev/catalog`): what is deployed.
static FUNCTIONS: LazyLock<Vec<&str>> = LazyLock::new(|| catalog::packages().collect());

/// Built in the same invocation as [`FUNCTIONS`]: the baselines and the measuring side.
const WITH_FUNCTIONS: &[&str] = &["hello-lambda", "bench-driver"];

/// Options of `cargo perf` (its command-line arguments).
#[derive(Debug, Parser)]
#[command(
    name = "cargo perf",
    about = "Measure each endpoint against the bare SDK, cold start with TLS, size and memory (release build; BENCHMARKS.md)"
)]
struct Options {
    /// Requests per scenario in process.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// Cold starts per binary.
    #[arg(long, default_value_t = 20)]
    cold_runs: usize,
    /// Invocations per binary for peak RSS.
    #[arg(long, default_value_t = 10_000)]
    rss_invocations: usize,
    /// Cargo profile of the measured binaries.
    #[arg(long, default_value = "release")]
    profile: String,
    /// Measure the binaries already built with `profile` (no cargo build).
    #[arg(long)]
    no_build: bool,
    /// Only cold start, size and memory (skip the in-process tables:
    /// latency, CPU, instructions): for iterating on init.
    #[arg(long)]
    cold_only: bool,
    /// Only the binaries whose name contains this (cold start, size, RSS),
    /// and the two hello-world baselines.
    #[arg(long)]
    only: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    // The workspace root, where template.yaml, seed/ and events/ are.
    std::env::set_current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))?;
    run(options)
}

/// Runs the whole bench and prints its report.
fn run(options: Options) -> anyhow::Result<()> {
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let out_dir = target.join(if options.profile == "dev" {
        "debug"
    } else {
        &options.profile
    });
    // The peer's venv installs (network, pip) while cargo compiles.
    let with_peer = options
        .only
        .as_deref()
        .is_none_or(|only| peer::NAME.contains(only));
    let peer_install = with_peer.then(|| {
        println!(
            "bench: installing the Python peer's requirements ({})",
            peer::VENV
        );
        std::thread::spawn(peer::install)
    });
    let build_started = Instant::now();
    if !options.no_build {
        features::check(&cargo, &FUNCTIONS, WITH_FUNCTIONS)?;
        let packages: Vec<&str> = FUNCTIONS.iter().chain(WITH_FUNCTIONS).copied().collect();
        println!(
            "bench: building {} with profile `{}`",
            packages.join(", "),
            options.profile
        );
        let mut build = Command::new(&cargo);
        build.args(["build", "--profile", &options.profile]);
        for p in &packages {
            build.args(["-p", p]);
        }
        if !build.status().context("run cargo build")?.success() {
            bail!("cargo build failed");
        }
    }
    let build_secs = build_started.elapsed().as_secs_f64();
    let python = match peer_install {
        Some(install) => Some(
            install
                .join()
                .map_err(|_| anyhow::anyhow!("the peer's install panicked"))??,
        ),
        None => None,
    };
    let bin = |name: &str| out_dir.join(name);

    let phase = |what: &str| println!("bench: [{:.0} s] {what}", started.elapsed().as_secs_f64());
    phase("starting the embedded DynamoDB, tables twice (handler, bare), demo seed in both");
    let server = LocalDynamo::start_in_memory().map_err(anyhow::Error::msg)?;
    let driver = bin("bench-driver");
    run_driver(&driver, &["setup", "--endpoint", &server.endpoint()])?;

    let work = target.join("bench");
    std::fs::create_dir_all(&work)?;
    let canned = work.join("canned.json");
    println!(
        "bench: {} requests per path, in process, handler and bare SDK interleaved",
        options.requests
    );
    let latency = if options.cold_only {
        Vec::new()
    } else {
        run_driver(
            &driver,
            &[
                "latency",
                "--endpoint",
                &server.endpoint(),
                "--requests",
                &options.requests.to_string(),
                "--canned-out",
                path_str(&canned)?,
            ],
        )?
    };
    let mut peer_latency = Vec::new();
    if let (Some(python), false) = (&python, options.cold_only) {
        println!("bench: the Python peer in process, the same requests");
        peer_latency = peer::latency(
            python,
            &driver,
            &work,
            &format!("http://127.0.0.1:{}", server.port()),
            "OrgAccountsTable",
            options.requests,
        )?;
    }
    let binaries: Vec<_> = BINARIES
        .iter()
        .filter(|(name, _, _)| {
            // The baselines always run: the ratios are to them.
            name.starts_with("hello-") || options.only.as_deref().is_none_or(|only| name.contains(only))
        })
        .collect();

    let mut instructions = Vec::new();
    if which("valgrind") {
        phase(
            "callgrind, instructions per request (answers from memory): handler, bare SDK, request building",
        );
        instructions = instruction_counts(&driver, &canned, &latency)?;
    } else {
        println!("bench: valgrind not found: no instruction counts");
    }

    phase("TLS terminator (openssl test CA), cold starts one binary at a time");
    let certs = tls::make(&work)?;
    let upstream = format!("127.0.0.1:{}", server.port());
    // Every binary's (path, event, table, extra arguments), the peer last.
    let mut measured: Vec<(PathBuf, &str, &str, Vec<String>)> = binaries
        .iter()
        .map(|&&(name, event, table)| {
            let env = if name == "send-account-email" {
                MAILER_ENV.iter().map(|a| (*a).to_owned()).collect()
            } else {
                Vec::new()
            };
            (bin(name), event, table, env)
        })
        .collect();
    if let Some(python) = &python {
        let (_, event, table) = BINARIES
            .iter()
            .find(|(name, _, _)| *name == peer::RUST)
            .context("the peer's Rust function")?;
        let env = peer::coldstart_env(python, table, &certs.roots)?;
        measured.push((Path::new(peer::DIR).join("bootstrap"), event, table, env));
    }
    let coldstart = |(binary, event, table, extra): &(PathBuf, &str, &str, Vec<String>),
                     runs: usize,
                     rss: usize|
     -> anyhow::Result<Value> {
        let (runs, rss) = (runs.to_string(), rss.to_string());
        let mut args = vec![
            "coldstart",
            "--binary",
            path_str(binary)?,
            "--event",
            event,
            "--upstream",
            &upstream,
            "--cert",
            path_str(&certs.cert)?,
            "--key",
            path_str(&certs.key)?,
            "--roots",
            path_str(&certs.roots)?,
            "--table",
            table,
            "--runs",
            &runs,
            "--rss",
            &rss,
        ];
        args.extend(extra.iter().map(String::as_str));
        run_driver(&driver, &args)?
            .pop()
            .with_context(|| format!("no coldstart record for {}", binary.display()))
    };
    let mut cold = measured
        .iter()
        .map(|binary| coldstart(binary, options.cold_runs, 0))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Peak memory counts no time: the long runs go side by side, one per core.
    phase(&format!(
        "peak RSS over {} invocations, {} binaries at once",
        options.rss_invocations,
        cores()
    ));
    let memory = on_every_core(&measured, |binary| coldstart(binary, 0, options.rss_invocations))?;
    for (record, memory) in cold.iter_mut().zip(memory) {
        for field in ["rss_invocations", "peak_rss_mib", "invocations_per_s"] {
            record[field] = memory[field].clone();
        }
    }
    let peer_cold = if python.is_some() {
        cold.split_off(cold.len() - 1)
    } else {
        Vec::new()
    };
    let sizes =
        report::sizes(&binaries.iter().map(|(n, _, _)| bin(n)).collect::<Vec<_>>()).unwrap_or_else(|e| {
            println!("bench: no sizes: {e:#}");
            Vec::new()
        });
    server.stop();
    let peer_size = python.as_deref().map(peer::size).transpose()?;

    report::print(&report::Report {
        latency: &latency,
        instructions: &instructions,
        cold: &cold,
        sizes: &sizes,
        profile: &options.profile,
        build_secs,
        total_secs: started.elapsed().as_secs_f64(),
        roots: certs.system_roots,
        side_by_side: cores(),
        peer: python.is_some().then_some(report::Peer {
            latency: &peer_latency,
            cold: &peer_cold,
            size: peer_size.as_ref(),
        }),
    });
    Ok(())
}

fn path_str(p: &Path) -> anyhow::Result<&str> {
    p.to_str().context("non-UTF-8 path")
}

fn which(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The logging every function is deployed with (template.yaml's
/// `LoggingConfig`: JSON, INFO, which Lambda passes as these variables),
/// so that the handlers in process log what they log in production.
fn with_deployed_logging(mut command: Command) -> Command {
    command
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO");
    command
}

/// Runs the driver; its results are the stdout lines starting `BENCH `
/// (one JSON object each; the handlers log to stdout too).
fn run_driver(driver: &Path, args: &[&str]) -> anyhow::Result<Vec<Value>> {
    let mut command = with_deployed_logging(Command::new(driver));
    command.args(args);
    bench_lines(command, &format!("bench-driver {}", args[0]))
}

/// Runs `command` (named `what` in errors) to its end; its results are the
/// stdout lines starting `BENCH `, one JSON object each.
fn bench_lines(mut command: Command, what: &str) -> anyhow::Result<Vec<Value>> {
    let out = command.output().with_context(|| format!("run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .map(|l| serde_json::from_str(l).with_context(|| format!("{what} output: {l}")))
        .collect()
}

/// Instructions per request of every scenario's parts: the handler, the
/// bare SDK (for scenarios that call DynamoDB) and the request building.
/// callgrind counts instructions, not time, so its runs go on every core at
/// once (each run is single-threaded).
fn instruction_counts(
    driver: &Path,
    canned: &Path,
    latency: &[Value],
) -> anyhow::Result<Vec<report::Instructions>> {
    let scenarios: Vec<(&str, bool)> = latency
        .iter()
        .map(|line| {
            let name = line["name"].as_str().unwrap_or_default();
            (name, line["calls"].as_f64().unwrap_or(0.0) > 0.0)
        })
        .collect();
    let jobs: Vec<(usize, &str)> = scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, &(_, has_calls))| {
            ["handler", "bare", "build"]
                .into_iter()
                .filter(move |part| has_calls || *part != "bare")
                .map(move |part| (i, part))
        })
        .collect();
    let counted: Vec<(usize, &str, f64)> = on_every_core(&jobs, |&(i, part)| {
        Ok((i, part, callgrind(driver, canned, scenarios[i].0, part)?))
    })?;
    Ok(scenarios
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let part = |wanted: &str| {
                counted
                    .iter()
                    .find(|(j, part, _)| *j == i && *part == wanted)
                    .map_or(0.0, |c| c.2)
            };
            report::Instructions {
                name: (*name).to_owned(),
                handler: part("handler"),
                bare: part("bare"),
                build: part("build"),
            }
        })
        .collect())
}

/// `work` of every job, one job per core at a time (each job a process
/// that keeps one core busy); the results in the jobs' order.
fn on_every_core<J: Sync, R: Send>(
    jobs: &[J],
    work: impl Fn(&J) -> anyhow::Result<R> + Sync,
) -> anyhow::Result<Vec<R>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..cores())
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<Vec<(usize, R)>> {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { return Ok(done) };
                        done.push((i, work(job)?));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow::anyhow!("a worker panicked"))?)
            .collect::<anyhow::Result<Vec<_>>>()
            .map(|all| all.into_iter().flatten().collect())
    })?;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

/// The cores this machine has: how many measuring processes run at once
/// where only instructions or memory are measured, not time.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Instructions per request of one part of one scenario
/// (`bench-driver cpu --part`): two runs under callgrind, of 5 and 35
/// requests, so start-up and the first (cold-cache) requests cancel out.
fn callgrind(driver: &Path, canned: &Path, name: &str, part: &str) -> anyhow::Result<f64> {
    let run = |n: usize| -> anyhow::Result<f64> {
        let out = with_deployed_logging(Command::new("valgrind"))
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(driver)
            .args([
                "cpu",
                "--canned",
                path_str(canned)?,
                "--scenario",
                name,
                "--part",
                part,
            ])
            .args(["--requests", &n.to_string()])
            .output()
            .context("run valgrind")?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            bail!("callgrind of {name} ({part}): {stderr}");
        }
        stderr
            .lines()
            .find_map(|l| l.split("Collected :").nth(1))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .with_context(|| format!("no instruction count in: {stderr}"))
    };
    let (small, large) = (run(5)?, run(35)?);
    Ok((large - small) / 30.0)
}
