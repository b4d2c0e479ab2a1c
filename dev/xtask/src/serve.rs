//! `cargo xtask serve`: the API served in process ([`testkit::local_api`],
//! every route of template.yaml) on an empty in-memory DynamoDB with the
//! template's tables, both on ephemeral 127.0.0.1 ports, until SIGINT or
//! SIGTERM. What the test command's smoke step starts as a child process:
//! an API as freshly deployed, with no data and no credential.

use crate::functions;
use std::time::Duration;
use testkit::{LocalDynamo, local_api::LocalApi};
use tokio::signal::unix::SignalKind;

/// The line `serve` prints once both are listening: this, then a JSON
/// object `{"api": URL, "dynamodb": URL}`.
pub const READY_PREFIX: &str = "serving ";

/// Serves until stopped.
pub async fn run() -> anyhow::Result<()> {
    // The functions' per-request metric lines would fill the output.
    shared::metrics::set_sink(|_line| {});
    let dynamo = LocalDynamo::start_in_memory().map_err(anyhow::Error::msg)?;
    let client = testkit::local_client_with(&dynamo.endpoint(), shared::store::TimeBudget::PRODUCTION);
    crate::dev::create_tables(&client).await?;
    let api = LocalApi::start_template(functions::handlers(&client))
        .await
        .map_err(anyhow::Error::msg)?;
    println!(
        "{READY_PREFIX}{}",
        serde_json::json!({"api": api.url(), "dynamodb": dynamo.endpoint()})
    );
    let mut terminate = tokio::signal::unix::signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tokio::time::timeout(Duration::from_secs(5), api.stop())
        .await
        .ok();
    dynamo.stop();
    Ok(())
}
