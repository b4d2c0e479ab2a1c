//! `cargo xtask test` (every check CI runs), `cargo xtask conformance`
//! (the tests on moto) and `cargo xtask dynamodb-local` (the tests on
//! DynamoDB Local).

use crate::{dynamodb_local, process, venv};
use anyhow::bail;
use std::time::{Duration, Instant};
use tokio::process::Command;

/// One step of a check run: a command, or a check made in process.
struct Step {
    name: &'static str,
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    in_process: Option<fn() -> anyhow::Result<()>>,
    /// The tool colours its output whatever it writes to (the SAM CLI
    /// does): strip the colour codes unless our own output is a terminal.
    strips_colour: bool,
}

fn step(name: &'static str, program: &str, args: &[&str]) -> Step {
    Step {
        name,
        program: program.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
        in_process: None,
        strips_colour: false,
    }
}

fn in_process(name: &'static str, check: fn() -> anyhow::Result<()>) -> Step {
    Step {
        in_process: Some(check),
        ..step(name, "(in process)", &[])
    }
}

async fn run_steps(steps: Vec<Step>) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    let mut summary = Vec::new();
    for step in steps {
        println!("==> {}: {} {}", step.name, step.program, step.args.join(" "));
        let started = Instant::now();
        let ok = match step.in_process {
            Some(check) => check().inspect_err(|e| println!("    {e:#}")).is_ok(),
            None => {
                let mut command = Command::new(&step.program);
                without_cargo_run_env(&mut command);
                command
                    .args(&step.args)
                    .envs(step.env.iter().map(|(k, v)| (k, v)));
                use std::io::IsTerminal;
                if step.strips_colour && !std::io::stdout().is_terminal() {
                    run_without_colour(command).await
                } else {
                    command.status().await.is_ok_and(|s| s.success())
                }
            }
        };
        summary.push(format!(
            "{} {} ({:.1}s)",
            if ok { "ok  " } else { "FAIL" },
            step.name,
            started.elapsed().as_secs_f64()
        ));
        if !ok {
            failed.push(step.name);
        }
    }
    println!("\n==> summary");
    for line in &summary {
        println!("    {line}");
    }
    if !failed.is_empty() {
        bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}

/// Removes from `command`'s environment what `cargo run` set for this very
/// binary (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, ...). Build scripts such
/// as ring's rerun when one of these changes, so a cargo started with them
/// would rebuild ring and everything above it, and the next plain `cargo
/// test` would rebuild it all again. Without them, a step's cargo shares
/// the builds of the cargo a developer runs by hand.
fn without_cargo_run_env(command: &mut Command) {
    const SET_BY_CARGO_RUN: [&str; 7] = [
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "OUT_DIR",
    ];
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_") || SET_BY_CARGO_RUN.contains(&name.as_ref()) {
            command.env_remove(name.as_ref());
        }
    }
}

/// Runs `command` with its output piped through, without ANSI escape
/// sequences (colours), so logs written to a file or pipe stay plain text.
async fn run_without_colour(mut command: Command) -> bool {
    use tokio::io::{AsyncBufReadExt, BufReader};
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let relay = |stream: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>| async move {
        let Some(stream) = stream else { return };
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            println!("{}", strip_ansi(&line));
        }
    };
    let out = relay(child.stdout.take().map(|s| Box::new(s) as _));
    let err = relay(child.stderr.take().map(|s| Box::new(s) as _));
    let (_, _, status) = tokio::join!(out, err, child.wait());
    status.is_ok_and(|s| s.success())
}

/// `line` without ANSI CSI escape sequences (`ESC [ ... final byte`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            // Parameters and intermediates, up to the final byte (@ to ~).
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The architecture `sam build` builds for here: the only Rust target this
/// machine (and CI) has. Deployments default to arm64 (template parameter
/// `Architecture`); see README, "Deploying".
const SAM_BUILD_ARCHITECTURE: &str = "x86_64";

/// Where `sam build` puts its artifacts (inside the git-ignored target dir).
pub const SAM_BUILD_DIR: &str = "target/sam/build";

/// The test command's schemathesis run: 150 cases per operation and phase,
/// a fixed seed (the same cases every run), at most 5 minutes; about a
/// minute on 2 cores. `cargo xtask schemathesis` alone runs 500 with a new
/// seed each time.
const SCHEMATHESIS_ARGS: [&str; 7] = [
    "schemathesis",
    "--examples",
    "150",
    "--seed",
    "8",
    "--deadline",
    "300",
];

/// fmt, clippy, every test of the workspace (route and policy checks of
/// template.yaml included), the tests again on DynamoDB Local
/// ([`dynamodb_local()`]), the mailer's SES tests on moto ([`ses()`]), the
/// load harness and schemathesis (each bounded), the smoke test of a local
/// API, a check that the fuzz targets compile, the policy checks (`cargo
/// xtask policy`: cfn-lint with the serverless rules, checkov) and `sam
/// validate --lint` on the template, and `sam build` of every function
/// (x86_64).
pub async fn run() -> anyhow::Result<()> {
    let bin = venv::ensure(venv::TEST_TOOLS, venv::TEST_TOOL_PROBES).await?;
    let tool = |name: &str| bin.join(name).to_string_lossy().into_owned();
    // This very binary, for the steps that are xtask subcommands.
    let xtask = std::env::current_exe()?.to_string_lossy().into_owned();
    // The fuzz targets compile (their logic runs over the corpus in `cargo
    // test`, dev/fuzzing). Not a fuzz run: cargo fuzz's instrumented release
    // build of the SDK took 5 to 10 minutes here, so `cargo xtask fuzz` is a
    // command of its own (RELIABILITY.md). Checked in the workspace's
    // target dir, where clippy already checked the same dependencies.
    let mut fuzz_check = step(
        "fuzz targets compile",
        "cargo",
        &["check", "--manifest-path", "fuzz/Cargo.toml", "--bins"],
    );
    fuzz_check.env = vec![(
        "CARGO_TARGET_DIR".to_owned(),
        std::env::current_dir()?
            .join("target")
            .to_string_lossy()
            .into_owned(),
    )];
    let sam_env = sam_env(&bin);
    let mut validate = step(
        "sam validate",
        &tool("sam"),
        &["validate", "--lint", "--template", "template.yaml"],
    );
    validate.env = sam_env.clone();
    validate.strips_colour = true;
    let overrides = format!("Architecture={SAM_BUILD_ARCHITECTURE}");
    let mut build = step(
        "sam build (x86_64)",
        &tool("sam"),
        &[
            "build",
            "--beta-features",
            "--template",
            "template.yaml",
            "--build-dir",
            SAM_BUILD_DIR,
            "--parameter-overrides",
            &overrides,
        ],
    );
    build.env = sam_env;
    build.strips_colour = true;
    run_steps(vec![
        step("format", "cargo", &["fmt", "--all", "--check"]),
        step(
            "clippy",
            "cargo",
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        ),
        step("tests", "cargo", &["test", "--workspace", "--all-targets"]),
        // The same test binaries (already built), on a stricter engine.
        step("tests against DynamoDB Local", &xtask, &["dynamodb-local"]),
        // The mailer's SES requests, on a real SES v2 implementation.
        step("mailer on moto's SES", &xtask, &["ses"]),
        step("doc tests", "cargo", &["test", "--workspace", "--doc"]),
        // The reliability harnesses, each bounded (RELIABILITY.md has their figures).
        step("load/race harness", &xtask, &["load"]),
        step("schemathesis", &xtask, &SCHEMATHESIS_ARGS),
        // The deploy section's two commands (credentials, smoke) against a
        // local API started and stopped by pid.
        step("smoke test (local API)", &xtask, &["smoke", "--local"]),
        fuzz_check,
        // cfn-lint (with the serverless rules) and checkov, with their counts.
        step("template policy checks", &xtask, &["policy"]),
        validate,
        build,
        in_process("sam build artifacts", crate::artifacts::check),
    ])
    .await
}

/// The environment of the SAM CLI: cargo-lambda and zig from the venv on
/// the PATH, no telemetry or update checks (no network), a region for the
/// template's intrinsic functions, and the workspace's own target dir so
/// `sam build` reuses what is already compiled.
fn sam_env(bin: &std::path::Path) -> Vec<(String, String)> {
    let target = std::env::current_dir()
        .map(|d| d.join("target"))
        .unwrap_or_else(|_| "target".into());
    [
        ("PATH", venv::path_with(bin).to_string_lossy().into_owned()),
        ("SAM_CLI_TELEMETRY", "0".to_owned()),
        ("SAM_CLI_DISABLE_UPDATE_CHECK", "1".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
        ("CARGO_TARGET_DIR", target.to_string_lossy().into_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The whole test suite against moto (a second DynamoDB implementation from
/// PyPI), served on a free 127.0.0.1 port one request at a time, and stopped
/// by pid.
pub async fn conformance() -> anyhow::Result<()> {
    let (moto, port) = start_moto().await?;
    let mut tests = step(
        "tests against moto_server",
        "cargo",
        &["test", "--workspace", "--tests", "--no-fail-fast"],
    );
    tests.env = vec![
        ("DYNAMODB_ENDPOINT".to_owned(), format!("http://127.0.0.1:{port}")),
        ("RUST_TEST_THREADS".to_owned(), "4".to_owned()),
    ];
    let result = run_steps(vec![tests]).await;
    moto.stop().await;
    println!("==> stopped moto_server");
    result
}

/// The mailer's SES tests (`functions/send-account-email/tests/ses.rs`,
/// ignored by a plain `cargo test`) against moto's SES v2 API, a real
/// implementation of it from PyPI, on a free 127.0.0.1 port, stopped by pid.
/// Selected with `--workspace --test ses`, not `-p send-account-email`: the
/// workspace's features are then those of the tests step, whose build it
/// reuses (with `-p` the SDK and every crate above it build again, ~2 min).
pub async fn ses() -> anyhow::Result<()> {
    let (moto, port) = start_moto().await?;
    let mut tests = step(
        "mailer tests against moto's SES",
        "cargo",
        &["test", "--workspace", "--test", "ses", "--", "--ignored"],
    );
    tests.env = vec![("SES_ENDPOINT".to_owned(), format!("http://127.0.0.1:{port}"))];
    let result = run_steps(vec![tests]).await;
    moto.stop().await;
    println!("==> stopped moto_server");
    result
}

/// moto's server (installed on first use), serving one request at a time
/// on a free 127.0.0.1 port: its process group and the port.
async fn start_moto() -> anyhow::Result<(process::Group, u16)> {
    let bin = venv::ensure(venv::MOTO, &["moto_server"]).await?;
    let port = process::free_port_from(5000);
    // Serialized: moto's threaded server does not isolate transactions
    // (see dev/conformance/moto_serial.py).
    let mut moto = Command::new(bin.join("python"));
    moto.args(["dev/conformance/moto_serial.py", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let moto = process::Group::spawn(moto)?;
    println!(
        "==> moto (pid {}) on 127.0.0.1:{port}, serving one request at a time",
        moto.pid()
    );
    if !process::wait_for_port(port, Duration::from_secs(60)).await {
        moto.stop().await;
        bail!("moto_server did not start");
    }
    Ok((moto, port))
}

/// Test threads on DynamoDB Local. The server is the bottleneck, so more
/// threads do not help: on 2 cores the suite took 50 s with 1 thread, 43 s
/// with 2 and 44 s with 4; 2 keeps the tests' own timings (TTLs, budgets)
/// least squeezed.
const DYNAMODB_LOCAL_TEST_THREADS: &str = "2";

/// The whole test suite against DynamoDB Local (AWS's emulator, a second
/// and stricter engine than dynoxide; installed on first use), every test
/// run even after a failure. The server is stopped by pid afterwards,
/// whether the tests pass, fail or are interrupted with Ctrl-C.
pub async fn dynamodb_local() -> anyhow::Result<()> {
    let server = dynamodb_local::Server::start().await?;
    let mut tests = step(
        "tests against DynamoDB Local",
        "cargo",
        &["test", "--workspace", "--tests", "--no-fail-fast"],
    );
    tests.env = vec![
        ("DYNAMODB_ENDPOINT".to_owned(), server.endpoint()),
        (
            "RUST_TEST_THREADS".to_owned(),
            DYNAMODB_LOCAL_TEST_THREADS.to_owned(),
        ),
    ];
    let result = tokio::select! {
        result = run_steps(vec![tests]) => result,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    server.stop().await;
    result
}

#[cfg(test)]
mod tests {
    use super::strip_ansi;

    #[test]
    fn colour_codes_are_stripped_and_text_kept() {
        assert_eq!(
            strip_ansi("\u{1b}[33mExperimental\u{1b}[0m ok"),
            "Experimental ok"
        );
        assert_eq!(strip_ansi("plain [text]"), "plain [text]");
        assert_eq!(strip_ansi("\u{1b}[1;31mred"), "red");
    }
}
