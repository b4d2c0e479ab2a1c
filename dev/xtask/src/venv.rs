//! Python tools from PyPI, in a git-ignored project-local venv (`.venv`),
//! installed on first use at pinned versions.

use crate::process::run;
use anyhow::bail;
use std::path::{Path, PathBuf};
use tokio::process::Command;

/// cargo-lambda (the `cargo lambda` subcommand) and zig for cross builds.
pub const CARGO_LAMBDA: &[&str] = &["cargo-lambda==1.9.2"];
/// The project's venv (git-ignored).
pub const VENV: &str = ".venv";
/// What the test command needs: cfn-lint (lints template.yaml offline)
/// with the serverless rules (cfn-lint-serverless), the SAM CLI (`sam
/// validate --lint`, `sam build`), cargo-lambda with zig, which `sam
/// build` runs for each function, and schemathesis (tests the local API
/// against openapi.yaml). Installed together so pip resolves one
/// consistent set.
pub const TEST_TOOLS: &[&str] = &[
    "cfn-lint==1.58.0",
    "cfn-lint-serverless==0.3.6",
    "aws-sam-cli==1.170.0",
    "cargo-lambda==1.9.2",
    "schemathesis==4.32.5",
];
/// The executables [`TEST_TOOLS`] installs: one missing means installing.
pub const TEST_TOOL_PROBES: &[&str] = &["cfn-lint", "sam", "cargo-lambda", "st"];
/// The Python modules of [`TEST_TOOLS`] that have no executable.
pub const TEST_TOOL_MODULES: &[&str] = &["cfn_lint_serverless"];
/// checkov, in a venv of its own inside [`VENV`]: it pins boto3 to a
/// version the SAM CLI refuses, so pip cannot install both in one.
pub const CHECKOV: &[&str] = &["checkov==3.3.30"];
/// Where [`CHECKOV`] is installed.
pub const CHECKOV_VENV: &str = ".venv/checkov";
/// moto's standalone server: a second DynamoDB implementation.
pub const MOTO: &[&str] = &["moto[server]==5.2.5"];

/// The venv's `bin` directory, after installing `packages` when one of
/// `probes` (executables in it) is missing ([`pyvenv::ensure`]).
pub async fn ensure(
    packages: &'static [&'static str],
    probes: &'static [&'static str],
) -> anyhow::Result<PathBuf> {
    ensure_in(Path::new(VENV), packages, probes, &[]).await
}

/// [`ensure`] for the venv at `venv`, installing also when one of
/// `modules` (Python modules without an executable) cannot be imported.
pub async fn ensure_in(
    venv: &Path,
    packages: &'static [&'static str],
    probes: &'static [&'static str],
    modules: &[&str],
) -> anyhow::Result<PathBuf> {
    let dir = venv.to_path_buf();
    let bin = tokio::task::spawn_blocking(move || pyvenv::ensure(&dir, packages, probes))
        .await?
        .map_err(anyhow::Error::msg)?;
    if imports(&bin, modules).await {
        return Ok(bin);
    }
    println!(
        "==> installing {} into {} (a module was missing)",
        packages.join(" "),
        venv.display()
    );
    run(Command::new(bin.join("pip"))
        .args(["install", "--progress-bar", "off", "--disable-pip-version-check"])
        .args(packages))
    .await?;
    if !imports(&bin, modules).await {
        bail!("{} still cannot import {}", venv.display(), modules.join(", "));
    }
    Ok(bin)
}

/// Whether the venv's Python imports every one of `modules`.
async fn imports(bin: &Path, modules: &[&str]) -> bool {
    if modules.is_empty() {
        return true;
    }
    Command::new(bin.join("python"))
        .args(["-c", &format!("import {}", modules.join(", "))])
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

pub use pyvenv::path_with;
