//! `cargo xtask fuzz [--seconds N] [--target NAME]`: every cargo-fuzz
//! target of `fuzz/` for N seconds, on the stable toolchain.
//!
//! cargo-fuzz is installed on first use (`cargo install cargo-fuzz
//! --locked`, pinned). On stable, libFuzzer runs without a sanitizer
//! (`--sanitizer none`: cargo-fuzz 0.13.2 then passes only stable `-C`
//! flags, no `-Z` one, so no nightly and no `RUSTC_BOOTSTRAP`). The build
//! goes to `target/fuzz` (git-ignored). The committed
//! corpus (`fuzz/corpus/<target>/`) is read, never written: what the run
//! finds goes to `target/fuzz/corpus/<target>/`, crashes to
//! `target/fuzz/artifacts/<target>/`. Before a function's target runs, the
//! bodies of its events (`events/<binary>/`) are added to what it starts
//! from, so a new function's target needs no committed corpus. The logic
//! of each target lives in `dev/fuzzing`, which the regular tests also run
//! over the corpus: `json_body` is a binary of its own, every function's
//! target is the `function` binary with `FUZZ_TARGET` naming it.

use anyhow::{Context, bail};
use std::{path::Path, process::Stdio, time::Instant};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

/// The cargo-fuzz version installed when it is missing.
const CARGO_FUZZ: &str = "0.13.2";

/// Builds the targets, runs each for `seconds`, prints executions per target.
pub async fn run(seconds: u64, only: Option<&str>) -> anyhow::Result<()> {
    ensure_cargo_fuzz().await?;
    // The targets, in the order they run: `json_body`, then each function's
    // (the `function` binary with FUZZ_TARGET naming it).
    let all: Vec<&str> = catalog::fuzz_targets().collect();
    let targets: Vec<&str> = match only {
        Some(name) if all.contains(&name) => vec![name],
        Some(name) => bail!("no fuzz target {name}; targets: {}", all.join(", ")),
        None => all,
    };
    let started = Instant::now();
    println!("==> building the fuzz targets (cargo fuzz build, release, no sanitizer)");
    let status = cargo_fuzz()
        .args(["build", "--sanitizer", "none", "--fuzz-dir", "fuzz"])
        .status()
        .await?;
    if !status.success() {
        bail!("cargo fuzz build failed");
    }
    println!("    built in {:.0}s", started.elapsed().as_secs_f64());
    let mut total = 0u64;
    for target in targets {
        let found = Path::new("target/fuzz/corpus").join(target);
        let artifacts = Path::new("target/fuzz/artifacts").join(target);
        std::fs::create_dir_all(&found)?;
        std::fs::create_dir_all(&artifacts)?;
        add_event_bodies(target, &found)?;
        let committed = Path::new("fuzz/corpus").join(target);
        let binary = if target == catalog::SHARED_FUZZ_TARGET {
            target
        } else {
            FUNCTION_BINARY
        };
        let mut child = cargo_fuzz()
            .args(["run", "--sanitizer", "none", "--fuzz-dir", "fuzz", binary])
            .env(fuzzing::TARGET_VAR, target)
            .arg(&found)
            .args(committed.is_dir().then_some(&committed))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .args(["-print_final_stats=1", "-max_len=70000", "-timeout=10"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("cargo fuzz run")?;
        let mut execs = None;
        let mut tail = Vec::new();
        if let Some(stderr) = child.stderr.take() {
            let mut reader = BufReader::new(stderr).lines();
            while let Some(line) = reader.next_line().await? {
                if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                    execs = n.trim().parse::<u64>().ok();
                }
                tail.push(line);
                if tail.len() > 40 {
                    tail.remove(0);
                }
            }
        }
        let status = child.wait().await?;
        if !status.success() {
            for line in &tail {
                println!("    {line}");
            }
            bail!(
                "fuzz target {target} failed; the input is in {}",
                artifacts.display()
            );
        }
        let execs = execs.with_context(|| format!("{target}: libFuzzer printed no final stats"))?;
        total += execs;
        println!("fuzz {target}: {execs} executions in {seconds}s, 0 crashes");
    }
    println!(
        "fuzz total: {total} executions, 0 crashes ({:.0}s with the build)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The binary of `fuzz/` that runs every function's target.
const FUNCTION_BINARY: &str = "function";

/// Writes the bodies of the events of `target`'s function into `dir`
/// (`event-<binary>-<file>`), as inputs to start from.
fn add_event_bodies(target: &str, dir: &Path) -> anyhow::Result<()> {
    let binaries = catalog::by_fuzz_target(target)
        .map(|f| f.http_binaries().map(|b| b.name).collect::<Vec<_>>())
        .unwrap_or_default();
    for binary in binaries {
        for event in std::fs::read_dir(Path::new("events").join(binary))? {
            let path = event?.path();
            let event: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
            if let Some(body) = event["body"]
                .as_str()
                .filter(|_| event["isBase64Encoded"] != true)
            {
                let file = path.file_stem().unwrap_or_default().to_string_lossy();
                std::fs::write(dir.join(format!("event-{binary}-{file}")), body)?;
            }
        }
    }
    Ok(())
}

/// `cargo fuzz` with the environment every call needs.
fn cargo_fuzz() -> Command {
    let target = std::env::current_dir()
        .map(|d| d.join("target/fuzz"))
        .unwrap_or_else(|_| "target/fuzz".into());
    let mut command = Command::new("cargo");
    command.arg("fuzz").env("CARGO_TARGET_DIR", target);
    command
}

/// Installs cargo-fuzz when `cargo fuzz` is missing.
async fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    println!(
        "==> installing cargo-fuzz {CARGO_FUZZ} (cargo install --locked; first use only, about 2 minutes)"
    );
    let target = std::env::current_dir()
        .map(|d| d.join("target/cargo-install"))
        .unwrap_or_else(|_| "target/cargo-install".into());
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ])
        .env("CARGO_TARGET_DIR", target)
        .status()
        .await?;
    if !status.success() {
        bail!("cargo install cargo-fuzz failed");
    }
    Ok(())
}
