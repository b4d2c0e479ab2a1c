//! `cargo xtask schemathesis`: schemathesis (PyPI, pinned in [`venv`])
//! against the API as this process serves it: the embedded DynamoDB with
//! the template's tables and the demo seed, and the local API
//! ([`testkit::local_api`]) on an ephemeral 127.0.0.1 port. schemathesis
//! runs as a child process in a group of its own, stopped by its id when it
//! is done, fails, or passes its deadline.
//!
//! Checks: no 5xx, and every response documented by `openapi.yaml`: its
//! status, content type, headers and body schema. Credentials and path
//! parameters per operation come from each route's success event
//! ([`operations`]): the config it runs with is `dev/schemathesis.toml`
//! and those operations, written to `target/schemathesis/schemathesis.toml`.

pub mod operations;

use crate::{functions, process, venv};
use anyhow::bail;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use testkit::{
    LocalDynamo,
    local_api::{Handler, Handlers, LocalApi},
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

/// The checks run on every response.
pub const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance";

/// Options of `cargo xtask schemathesis`.
pub struct Options {
    /// Test cases per operation and phase (`--max-examples`).
    pub examples: u32,
    /// Random seed (`--seed`); `None`: a new one each run (printed).
    pub seed: Option<u128>,
    /// The longest the run may take.
    pub deadline: Duration,
}

/// Serves the API, runs schemathesis against it, stops both.
pub async fn run(options: Options) -> anyhow::Result<()> {
    // The functions' per-request metric lines (EMF) would drown the report.
    shared::metrics::set_sink(|_line| {});
    let config = operations::write_config(&testkit::workspace_root())?;
    let bin = venv::ensure(venv::TEST_TOOLS, venv::TEST_TOOL_PROBES).await?;
    let server = LocalDynamo::start_in_memory().map_err(anyhow::Error::msg)?;
    let client = testkit::local_client_with(&server.endpoint(), shared::store::TimeBudget::PRODUCTION);
    crate::dev::create_tables(&client).await?;
    crate::dev::seed(&client, None).await?;
    let served = Served::default();
    let api = LocalApi::start_template(served.count(functions::handlers(&client)))
        .await
        .map_err(anyhow::Error::msg)?;
    println!("==> local API (in process) at {}", api.url());
    println!("==> config: {}", config.display());

    let report = std::path::Path::new("target/schemathesis");
    std::fs::create_dir_all(report)?;
    let mut st = Command::new(bin.join("st"));
    st.arg("--config-file")
        .arg(&config)
        .args(["--no-color", "run", "openapi.yaml"])
        .args(["--url", &api.url()])
        .args(["--checks", CHECKS])
        .args(["--max-examples", &options.examples.to_string()])
        .args(["--workers", "2", "--request-timeout", "15"])
        .args(["--generation-database", "none"])
        .args(["--report", "junit", "--report-dir"])
        .arg(report)
        .env("SCHEMATHESIS_HOOKS", "")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit());
    if let Some(seed) = options.seed {
        st.args(["--seed", &seed.to_string()]);
    }
    let started = Instant::now();
    let mut st = process::Group::spawn(st)?;
    println!(
        "==> schemathesis (pid {}), {} examples per operation and phase",
        st.pid(),
        options.examples
    );
    let stdout = st.take_stdout();
    let relay = async move {
        let mut summary = Vec::new();
        let mut heading = String::new();
        if let Some(stdout) = stdout {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                println!("{line}");
                let text = line.trim();
                if text.starts_with("Seed:") {
                    summary.push(text.to_owned());
                } else if text.ends_with(':') && !line.starts_with(' ') {
                    heading = text.to_owned();
                } else if SUMMARY_HEADINGS.contains(&heading.as_str()) && !text.is_empty() {
                    summary.push(format!("{} {text}", heading.to_lowercase()));
                }
            }
        }
        summary
    };
    let outcome = tokio::time::timeout(options.deadline, async {
        let summary = relay.await;
        (summary, st.wait().await)
    })
    .await;
    let result = match outcome {
        Ok((summary, status)) => {
            println!(
                "schemathesis: {} ({:.0}s)",
                summary.join("; "),
                started.elapsed().as_secs_f64()
            );
            match status {
                Ok(status) if status.success() => Ok(()),
                Ok(status) => Err(anyhow::anyhow!("schemathesis found problems ({status})")),
                Err(e) => Err(e.into()),
            }
        }
        Err(_) => Err(anyhow::anyhow!(
            "schemathesis passed its deadline of {}s",
            options.deadline.as_secs()
        )),
    };
    // Whatever happened: stop what we started.
    st.stop().await;
    api.stop().await;
    server.stop();
    result?;
    served.check()
}

/// The statuses the local API answered, per function: proof that the
/// credentials worked (each function answered a success) and the figures
/// of the run.
#[derive(Default, Clone)]
struct Served(Arc<Mutex<BTreeMap<String, BTreeMap<u16, usize>>>>);

impl Served {
    /// `handlers`, each counting the statuses it answers.
    fn count(&self, handlers: Handlers) -> Handlers {
        handlers
            .into_iter()
            .map(|(name, handler)| {
                let (served, function) = (self.clone(), name.clone());
                let counting: Handler = Arc::new(move |req| {
                    let (served, function, handler) =
                        (served.clone(), function.clone(), Arc::clone(&handler));
                    Box::pin(async move {
                        let response = handler(req).await;
                        let mut counts = served.0.lock().expect("counts");
                        *counts
                            .entry(function)
                            .or_default()
                            .entry(response.status().as_u16())
                            .or_default() += 1;
                        response
                    })
                });
                (name, counting)
            })
            .collect()
    }

    /// Prints the counts; fails when a function answered no success or
    /// any 5xx (schemathesis checks the latter too).
    fn check(&self) -> anyhow::Result<()> {
        let counts = self.0.lock().expect("counts");
        let mut total = 0;
        let mut problems = Vec::new();
        for (function, statuses) in counts.iter() {
            let line: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}x{n}")).collect();
            let n: usize = statuses.values().sum();
            total += n;
            println!("    {function}: {n} requests: {}", line.join(" "));
            if !statuses.keys().any(|s| (200..300).contains(s)) {
                problems.push(format!(
                    "{function} answered no 2xx: do its routes' success events (events/{function}/2xx-*.json) \
                     hold working demo credentials and seeded accounts?"
                ));
            }
            if statuses.keys().any(|s| *s >= 500) {
                problems.push(format!("{function} answered a 5xx"));
            }
        }
        println!("schemathesis: {total} requests reached the handlers");
        if !problems.is_empty() {
            bail!("{}", problems.join("; "));
        }
        Ok(())
    }
}

/// The sections of schemathesis' summary whose lines are repeated at the
/// end: the test cases, the failures and the errors.
const SUMMARY_HEADINGS: [&str; 3] = ["Test cases:", "Failures:", "Errors:"];
