//! `cargo xtask test` (every check CI runs) and `cargo xtask conformance`.

use crate::{process, venv};
use anyhow::bail;
use std::time::{Duration, Instant};
use tokio::process::Command;

struct Step {
    name: &'static str,
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn step(name: &'static str, program: &str, args: &[&str]) -> Step {
    Step {
        name,
        program: program.to_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
    }
}

async fn run_steps(steps: Vec<Step>) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    let mut summary = Vec::new();
    for step in steps {
        println!("==> {}: {} {}", step.name, step.program, step.args.join(" "));
        let started = Instant::now();
        let status = Command::new(&step.program)
            .args(&step.args)
            .envs(step.env.iter().map(|(k, v)| (k, v)))
            .status()
            .await;
        let ok = status.as_ref().is_ok_and(|s| s.success());
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

/// fmt, clippy, every test of the workspace, and cfn-lint on template.yaml.
pub async fn run() -> anyhow::Result<()> {
    let bin = venv::ensure(venv::CFN_LINT, "cfn-lint").await?;
    let cfn_lint = bin.join("cfn-lint").to_string_lossy().into_owned();
    run_steps(vec![
        step("format", "cargo", &["fmt", "--all", "--check"]),
        step(
            "clippy",
            "cargo",
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        ),
        step("tests", "cargo", &["test", "--workspace", "--all-targets"]),
        step("doc tests", "cargo", &["test", "--workspace", "--doc"]),
        step("template lint", &cfn_lint, &["template.yaml"]),
    ])
    .await
}

/// The whole test suite against moto (a second DynamoDB implementation from
/// PyPI), served on a free 127.0.0.1 port one request at a time, and stopped
/// by pid.
pub async fn conformance() -> anyhow::Result<()> {
    let bin = venv::ensure(venv::MOTO, "moto_server").await?;
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
