//! `cargo xtask smoke --local` (a step of `cargo xtask test`): the deploy
//! section's two commands against a local API. It starts `cargo xtask
//! serve` as a child process (an API with empty tables, as freshly
//! deployed), provisions the smoke credentials with `cargo xtask
//! credentials smoke --endpoint ...`, runs `cargo xtask smoke --url ...`
//! with what that printed, and stops the server by its process id, whatever
//! happened.

use crate::{process, serve};
use anyhow::{Context, bail};
use std::{process::Stdio, time::Duration};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

/// How long the server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the steps above.
pub async fn run() -> anyhow::Result<()> {
    let xtask = std::env::current_exe()?;
    let mut command = Command::new(&xtask);
    command.arg("serve").stdout(Stdio::piped());
    let mut server = process::Group::spawn(command)?;
    println!("==> local API (cargo xtask serve, pid {})", server.pid());
    let result = async {
        let (api, dynamodb) = tokio::time::timeout(START_TIMEOUT, addresses(&mut server))
            .await
            .context("the local API did not start")??;
        println!("==> API at {api}, DynamoDB at {dynamodb}");
        let provisioned = Command::new(&xtask)
            .args(["credentials", "smoke", "--endpoint", &dynamodb])
            .stderr(Stdio::inherit())
            .output()
            .await?;
        if !provisioned.status.success() {
            bail!("cargo xtask credentials smoke failed");
        }
        let exports = exports(&String::from_utf8(provisioned.stdout)?)?;
        let smoked = Command::new(&xtask)
            .args(["smoke", "--url", &api])
            .envs(exports)
            .status()
            .await?;
        if !smoked.success() {
            bail!("the smoke test failed");
        }
        Ok(())
    }
    .await;
    server.stop().await;
    println!("==> stopped the local API");
    result
}

/// The API's and DynamoDB's URLs, from the server's ready line.
async fn addresses(server: &mut process::Group) -> anyhow::Result<(String, String)> {
    let stdout = server.take_stdout().context("the server's output")?;
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        if let Some(ready) = line.strip_prefix(serve::READY_PREFIX) {
            let ready: serde_json::Value = serde_json::from_str(ready)?;
            let url = |name: &str| ready[name].as_str().map(str::to_owned).context("ready line");
            // Keep reading, so the server never writes to a closed pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok((url("api")?, url("dynamodb")?));
        }
    }
    bail!("the server exited before it was ready")
}

/// The variables of `export NAME=value` lines.
pub fn exports(text: &str) -> anyhow::Result<Vec<(String, String)>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .with_context(|| "not an export line")?;
            Ok((name.to_owned(), value.to_owned()))
        })
        .collect()
}
