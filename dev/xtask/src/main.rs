//! The project's dev tooling, one command per task:
//!
//! - `cargo xtask dev`: run the API locally at http://127.0.0.1:9000
//!   (installs cargo-lambda on first use, starts the embedded DynamoDB on a
//!   persistent file, creates the tables from template.yaml, seeds the demo
//!   data, runs `cargo lambda watch`, stops everything on Ctrl-C).
//! - `cargo xtask test`: every check CI runs (fmt, clippy, tests, cfn-lint,
//!   `sam validate --lint`, `sam build` for x86_64 and its artifacts).
//! - `cargo xtask seed <file>`: load a seed file into a running DynamoDB.
//! - `cargo xtask conformance`: the test suite against moto_server.
//! - `cargo xtask bench`: latency and round-trip figures per endpoint.

mod artifacts;
mod bench;
mod check;
mod dev;
mod functions;
mod process;
mod venv;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Dev tooling for the update-account APIs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API locally (DynamoDB, tables, demo data, cargo lambda watch).
    Dev {
        /// Port of the API (cargo lambda watch); the next free one if taken.
        #[arg(long, default_value_t = 9000)]
        port: u16,
        /// Port of the local DynamoDB; the next free one if taken.
        #[arg(long, default_value_t = 8000)]
        dynamodb_port: u16,
        /// Seed file to load at start.
        #[arg(long, default_value = "seed/demo.json")]
        seed: PathBuf,
        /// Start from an empty database (deletes .local/dynamodb.sqlite).
        #[arg(long)]
        fresh: bool,
    },
    /// Every check: cargo fmt --check, clippy -D warnings, all tests, cfn-lint,
    /// sam validate --lint, sam build (x86_64) and its artifacts.
    Test,
    /// Load a seed file (see README) into a DynamoDB, creating tables first.
    Seed {
        /// The seed file.
        file: PathBuf,
        /// DynamoDB endpoint; default: the one `cargo xtask dev` is running.
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Run the whole test suite against moto_server (installed from PyPI).
    Conformance,
    /// Measure latency and DynamoDB round trips per request.
    Bench {
        /// Requests per scenario.
        #[arg(long, default_value_t = 2000)]
        requests: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let root = testkit::workspace_root();
    std::env::set_current_dir(&root)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Dev {
                port,
                dynamodb_port,
                seed,
                fresh,
            } => {
                dev::run(dev::Options {
                    port,
                    dynamodb_port,
                    seed,
                    fresh,
                })
                .await
            }
            Command::Test => check::run().await,
            Command::Seed { file, endpoint } => dev::seed_command(&file, endpoint).await,
            Command::Conformance => check::conformance().await,
            Command::Bench { requests } => bench::run(requests).await,
        }
    })
}
