//! Python tools from PyPI, in a git-ignored project-local venv (`.venv`),
//! installed on first use at pinned versions.

use crate::process::run;
use anyhow::bail;
use std::path::{Path, PathBuf};
use tokio::process::Command;

/// cargo-lambda (the `cargo lambda` subcommand) and zig for cross builds.
pub const CARGO_LAMBDA: &[&str] = &["cargo-lambda==1.9.2"];
/// What the test command needs: cfn-lint (lints template.yaml offline),
/// the SAM CLI (`sam validate --lint`, `sam build`), cargo-lambda with
/// zig, which `sam build` runs for each function, and schemathesis (tests
/// the local API against openapi.yaml). Installed together so pip resolves
/// one consistent set.
pub const TEST_TOOLS: &[&str] = &[
    "cfn-lint==1.58.0",
    "aws-sam-cli==1.170.0",
    "cargo-lambda==1.9.2",
    "schemathesis==4.32.5",
];
/// The executables [`TEST_TOOLS`] installs: one missing means installing.
pub const TEST_TOOL_PROBES: &[&str] = &["cfn-lint", "sam", "cargo-lambda", "st"];
/// moto's standalone server: a second DynamoDB implementation.
pub const MOTO: &[&str] = &["moto[server]==5.2.5"];

/// The venv's `bin` directory, after installing `packages` when one of
/// `probes` (executables in it) is missing.
pub async fn ensure(packages: &[&str], probes: &[&str]) -> anyhow::Result<PathBuf> {
    let venv = PathBuf::from(".venv");
    let bin = venv.join("bin");
    if probes.iter().all(|probe| bin.join(probe).exists()) {
        return Ok(bin);
    }
    if !bin.join("pip").exists() {
        println!("==> creating .venv (python3 -m venv)");
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).await?;
    }
    println!(
        "==> installing {} into .venv (first use only; about a minute)",
        packages.join(" ")
    );
    // pip prints a line per package it fetches; no progress bars, which
    // would fill a log file with control characters.
    run(Command::new(bin.join("pip"))
        .args(["install", "--progress-bar", "off", "--disable-pip-version-check"])
        .args(packages))
    .await?;
    if let Some(probe) = probes.iter().find(|probe| !bin.join(probe).exists()) {
        bail!(
            "{probe} is still missing from .venv after installing {}",
            packages.join(" ")
        );
    }
    Ok(bin)
}

/// `PATH` with the venv's bin directory first (so `cargo lambda` finds
/// `cargo-lambda`).
pub fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut paths = vec![std::fs::canonicalize(bin).unwrap_or_else(|_| bin.to_path_buf())];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}
