//! The Python Powertools peer of `update-account-metadata`
//! (`dev/peer-python`): its venv, its runtime settings, and its side of
//! each measurement, run like the Rust function's.

use crate::{bench_lines, path_str, run_driver};
use anyhow::Context;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use pyvenv::peer::{DIR, VENV};
/// The name its rows carry.
pub const NAME: &str = "update-account-metadata-python";
/// The Rust function it is measured beside.
pub const RUST: &str = "update-account-metadata";
/// The in-process paths measured for both: (scenario, expected status).
pub const PATHS: &[(&str, u16)] = &[
    ("000 metadata / plain update", 204),
    ("000 metadata / 401 unknown token", 401),
];

/// Installs the pinned requirements into [`VENV`] ([`pyvenv::peer::install`]);
/// returns the venv's python.
pub fn install() -> anyhow::Result<PathBuf> {
    pyvenv::peer::install(Path::new(".")).map_err(anyhow::Error::msg)
}

/// The function's configuration as the template would give it (the same
/// table, the credential cache at its deployed TTL, JSON logs at INFO),
/// plus Powertools' service name and metrics namespace.
pub fn env(table: &str) -> Vec<(String, String)> {
    [
        ("TABLE_NAME", table),
        ("CREDENTIAL_CACHE_TTL_SECONDS", "60"),
        ("POWERTOOLS_SERVICE_NAME", RUST),
        ("POWERTOOLS_METRICS_NAMESPACE", "bench"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "INFO"),
        ("AWS_REGION", "us-east-1"),
        // botocore reads only this one (Lambda sets both).
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_LAMBDA_FUNCTION_NAME", NAME),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The handler in process on the same requests as the Rust function's
/// [`PATHS`] (events from `bench-driver events`), against the server at
/// `endpoint` over loopback HTTP, as `bench-driver latency` runs it.
pub fn latency(
    python: &Path,
    driver: &Path,
    work: &Path,
    endpoint: &str,
    table: &str,
    requests: usize,
) -> anyhow::Result<Vec<Value>> {
    let mut args = vec!["latency".to_owned()];
    for (i, (scenario, status)) in PATHS.iter().enumerate() {
        let file = work.join(format!("peer-events-{i}.json"));
        run_driver(
            driver,
            &[
                "events",
                "--scenario",
                scenario,
                "--requests",
                &(requests + 20).to_string(),
                "--out",
                path_str(&file)?,
            ],
        )?;
        args.extend([
            scenario.to_string(),
            status.to_string(),
            path_str(&file)?.to_owned(),
        ]);
    }
    let mut command = Command::new(python);
    command
        .arg(Path::new(DIR).join("bench.py"))
        .args(&args)
        .envs(env(table))
        .env("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
    bench_lines(command, "bench.py latency")
}

/// What a deployment package holds beyond the managed runtime
/// (`bench.py size`).
pub fn size(python: &Path) -> anyhow::Result<Value> {
    let mut command = Command::new(python);
    command.arg(Path::new(DIR).join("bench.py")).arg("size");
    bench_lines(command, "bench.py size")?
        .pop()
        .context("bench.py size printed nothing")
}

/// The `--env` arguments of `bench-driver coldstart` for the peer: its
/// python, its configuration, and the bundle holding the test CA for
/// botocore (`AWS_CA_BUNDLE`: botocore reads no `SSL_CERT_FILE`).
pub fn coldstart_env(python: &Path, table: &str, roots: &Path) -> anyhow::Result<Vec<String>> {
    let mut env = env(table);
    env.push(("PEER_PYTHON".to_owned(), path_str(python)?.to_owned()));
    env.push((
        "AWS_CA_BUNDLE".to_owned(),
        path_str(&std::path::absolute(roots)?)?.to_owned(),
    ));
    Ok(env
        .into_iter()
        .flat_map(|(k, v)| ["--env".to_owned(), format!("{k}={v}")])
        .collect())
}
