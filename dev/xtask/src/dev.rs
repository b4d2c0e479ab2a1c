//! `cargo xtask dev`: the API on http://127.0.0.1:9000, the mailer on the
//! local table's stream writing to a local mailbox, and `cargo xtask seed`.

use crate::{functions, process, venv};
use anyhow::{Context, bail};
use aws_sdk_dynamodb::Client;
use std::{
    path::{Path, PathBuf},
    time::Duration,
};
use testkit::{LocalDynamo, local_client, seed::SeedFile, template};
use tokio::{process::Command, signal::unix::SignalKind};

/// Where the local run keeps its state (git-ignored).
const LOCAL_DIR: &str = ".local";
const DB_FILE: &str = ".local/dynamodb.sqlite";
const STATE_FILE: &str = ".local/dev.json";
/// The local mailbox: every message the mailer sends, as an `.eml` file.
const MAIL_DIR: &str = ".local/mail";
/// The sender of local messages (nothing is sent anywhere).
const LOCAL_SENDER: &str = "no-reply@localhost.localdomain";
/// How often the local mailer reads the stream (Lambda polls a stream
/// shard about 4 times a second).
const STREAM_POLL: Duration = Duration::from_millis(250);

/// Options of `cargo xtask dev`.
pub struct Options {
    pub port: u16,
    pub dynamodb_port: u16,
    pub seed: Option<PathBuf>,
    pub fresh: bool,
}

/// Runs the API until Ctrl-C (or SIGTERM), then stops what it started.
pub async fn run(options: Options) -> anyhow::Result<()> {
    std::fs::create_dir_all(LOCAL_DIR)?;
    stop_stale_run().await?;
    let bin = venv::ensure(venv::CARGO_LAMBDA, &["cargo-lambda"]).await?;

    if options.fresh {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{DB_FILE}{suffix}"));
        }
    }
    let dynamo =
        LocalDynamo::start_on_file(Path::new(DB_FILE), options.dynamodb_port).map_err(anyhow::Error::msg)?;
    let endpoint = dynamo.endpoint();
    println!("==> DynamoDB (dynoxide) at {endpoint}, data in {DB_FILE}");
    let client = local_client(&endpoint);
    create_tables(&client).await?;
    seed(&client, options.seed.as_deref()).await?;
    let mailer = start_mailer(&endpoint, &client).await?;

    println!("==> building the functions (cargo build)");
    let status = Command::new("cargo")
        .args(["build", "--quiet", "--workspace", "--bins", "--exclude", "xtask"])
        .status()
        .await?;
    if !status.success() {
        bail!("cargo build failed");
    }

    let port = process::free_port_from(options.port);
    if port != options.port {
        println!("==> port {} is taken; using {port}", options.port);
    }
    let mut watch = Command::new(bin.join("cargo-lambda"));
    watch
        .args([
            "lambda",
            "watch",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
        ])
        .arg(port.to_string())
        .args(["--env-var", &format!("AWS_ENDPOINT_URL_DYNAMODB={endpoint}")])
        .args(["--env-var", "AWS_REGION=us-east-1"])
        .args(["--env-var", "AWS_ACCESS_KEY_ID=local"])
        .args(["--env-var", "AWS_SECRET_ACCESS_KEY=local"])
        .args(["--env-var", "RUST_LOG=info"])
        .env("PATH", venv::path_with(&bin));
    let mut watch = process::Group::spawn(watch).context("starting cargo lambda watch")?;
    std::fs::write(
        STATE_FILE,
        serde_json::json!({"pid": std::process::id(), "watch_pgid": watch.pid(), "dynamodb": endpoint,
                           "api": format!("http://127.0.0.1:{port}")})
        .to_string(),
    )?;

    if !process::wait_for_port(port, Duration::from_secs(120)).await {
        watch.stop().await;
        dynamo.stop();
        bail!("cargo lambda watch did not start listening on port {port}");
    }
    print_examples(port);

    let mut terminate = tokio::signal::unix::signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => println!("\n==> stopping"),
        _ = terminate.recv() => println!("==> stopping (SIGTERM)"),
        status = watch.wait() => println!("==> cargo lambda watch exited ({status:?}); stopping"),
    }
    watch.stop().await;
    mailer.abort();
    dynamo.stop();
    let _ = std::fs::remove_file(STATE_FILE);
    println!("==> stopped cargo lambda watch and DynamoDB");
    Ok(())
}

/// The mailer's own handler (`send_account_email`) on the user-accounts
/// table's stream, read through the template's filter from the records
/// written from now on, as the deployed event source mapping does; its
/// transport is the local mailbox ([`MAIL_DIR`]), which prints one line per
/// message (with the code: this is the developer's own mailbox). Runs until
/// aborted.
async fn start_mailer(endpoint: &str, client: &Client) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use send_account_email::{Mailer, mail::Letterhead, transport::mailbox::Mailbox};
    use testkit::streams::{From, StreamReader, template_filters};
    let filters = template_filters(Path::new("template.yaml"), "SendAccountEmailFunction")
        .map_err(anyhow::Error::msg)?;
    let table = send_account_email::TABLE_LOGICAL_ID;
    let mut stream = StreamReader::open(endpoint, client, table, From::Now, filters)
        .await
        .map_err(anyhow::Error::msg)?;
    let mailer = Mailer {
        table: shared::store::Table::new(client.clone(), table),
        transport: Mailbox::new(MAIL_DIR, |line| println!("==> {line}")),
        letterhead: Letterhead {
            from: shared::validate::EmailAddress::parse(LOCAL_SENDER).map_err(|e| anyhow::anyhow!("{e}"))?,
            code_subject: send_account_email::mail::DEFAULT_CODE_SUBJECT.to_owned(),
            notice_subject: send_account_email::mail::DEFAULT_NOTICE_SUBJECT.to_owned(),
        },
    };
    println!("==> mailer on the {table} stream; messages go to {MAIL_DIR}/ (nothing is sent)");
    Ok(tokio::spawn(async move {
        loop {
            match stream.next_batch().await {
                Ok(event) if !event.records.is_empty() => {
                    let deadline = std::time::Instant::now() + send_account_email::INVOCATION_BUDGET;
                    let failed = mailer.handle(event, deadline).await.batch_item_failures.len();
                    if failed > 0 {
                        println!("==> mailer: {failed} record(s) failed (see the log above)");
                    }
                }
                Ok(_) => {}
                Err(e) => println!("==> mailer: reading the stream failed: {e}"),
            }
            tokio::time::sleep(STREAM_POLL).await;
        }
    }))
}

/// A previous run that was killed without cleaning up may have left
/// `cargo lambda watch` running: stop that process group if its parent is gone.
async fn stop_stale_run() -> anyhow::Result<()> {
    let Ok(text) = std::fs::read_to_string(STATE_FILE) else {
        return Ok(());
    };
    let state: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let pid = state["pid"].as_u64().unwrap_or(0) as u32;
    let pgid = state["watch_pgid"].as_u64().unwrap_or(0) as u32;
    if pid != 0 && process::alive(pid).await {
        bail!(
            "`cargo xtask dev` is already running (pid {pid}) at {}; stop it with Ctrl-C first",
            state["api"].as_str().unwrap_or("?")
        );
    }
    if pgid != 0 && process::alive(pgid).await {
        println!("==> stopping cargo lambda watch left over from an earlier run (pgid {pgid})");
        process::signal_group(pgid, "-KILL").await;
    }
    let _ = std::fs::remove_file(STATE_FILE);
    Ok(())
}

pub(crate) async fn create_tables(client: &Client) -> anyhow::Result<()> {
    let defs = template::tables(Path::new("template.yaml")).map_err(anyhow::Error::msg)?;
    for def in &defs {
        def.create(client, "").await.map_err(anyhow::Error::msg)?;
    }
    let names: Vec<&str> = defs.iter().map(|d| d.logical_id.as_str()).collect();
    println!("==> tables from template.yaml: {}", names.join(", "));
    Ok(())
}

pub(crate) async fn seed(client: &Client, file: Option<&Path>) -> anyhow::Result<()> {
    let (seed, source) = match file {
        Some(file) => (SeedFile::load(file), file.display().to_string()),
        None => (
            SeedFile::demo(&testkit::workspace_root()),
            "the demo seed (functions/*/demo.json)".to_owned(),
        ),
    };
    let seed = seed.map_err(anyhow::Error::msg)?;
    let total = seeding::seed_into(&seed, client, "")
        .await
        .map_err(anyhow::Error::msg)?;
    println!("==> seeded {total} items from {source}");
    Ok(())
}

/// `cargo xtask seed <file> [--endpoint URL]`.
pub async fn seed_command(file: &Path, endpoint: Option<String>) -> anyhow::Result<()> {
    let endpoint = match endpoint {
        Some(e) => e,
        None => running_dynamodb()?,
    };
    let client = local_client(&endpoint);
    create_tables(&client).await?;
    seed(&client, Some(file)).await
}

/// The endpoint of the DynamoDB a running `cargo xtask dev` serves.
pub fn running_dynamodb() -> anyhow::Result<String> {
    let text = std::fs::read_to_string(STATE_FILE)
        .context("no --endpoint given and `cargo xtask dev` is not running")?;
    let state: serde_json::Value = serde_json::from_str(&text)?;
    Ok(state["dynamodb"]
        .as_str()
        .context("malformed .local/dev.json")?
        .to_owned())
}

fn print_examples(port: u16) {
    let base = format!("http://127.0.0.1:{port}");
    println!("\n==> the API is up at {base} (Ctrl-C stops everything). Try:\n");
    for example in functions::EXAMPLES {
        println!("# {}", example.what);
        let mut line = format!("curl -i -X {} '{base}{}'", example.method, example.path);
        for header in example.headers {
            line.push_str(&format!(" \\\n  -H '{header}'"));
        }
        line.push_str(&format!(" \\\n  -d '{}'\n", example.body));
        println!("{line}");
    }
}
