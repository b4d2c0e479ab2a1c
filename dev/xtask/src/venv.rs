//! Python tools from PyPI, in a git-ignored project-local venv (`.venv`),
//! installed on first use at pinned versions.

use std::path::{Path, PathBuf};

/// The tools' venv (git-ignored).
pub const VENV: &str = ".venv";

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
/// `probes` (executables in it) is missing ([`pyvenv::ensure`]).
pub async fn ensure(
    packages: &'static [&'static str],
    probes: &'static [&'static str],
) -> anyhow::Result<PathBuf> {
    tokio::task::spawn_blocking(move || pyvenv::ensure(Path::new(VENV), packages, probes))
        .await?
        .map_err(anyhow::Error::msg)
}

pub use pyvenv::path_with;
