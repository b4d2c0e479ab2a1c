//! Child processes we start and must stop: each in a process group of its
//! own, stopped by process id (the whole group, so grandchildren such as
//! the functions cargo lambda runs go too).

use std::time::Duration;
use tokio::process::{Child, Command};

/// A started child process and its group.
pub struct Group {
    child: Child,
    pid: u32,
}

impl Group {
    /// Spawns `command` in a new process group.
    pub fn spawn(mut command: Command) -> anyhow::Result<Self> {
        command.process_group(0).kill_on_drop(true);
        let child = command.spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow::anyhow!("child exited at once"))?;
        Ok(Group { child, pid })
    }

    /// The child's pid (also its process group id).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The child's stdout, when it was piped (once).
    pub fn take_stdout(&mut self) -> Option<tokio::process::ChildStdout> {
        self.child.stdout.take()
    }

    /// Waits for the child to exit on its own.
    pub async fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.child.wait().await
    }

    /// Stops the group: SIGINT, then SIGTERM after 5 s, then SIGKILL.
    pub async fn stop(mut self) {
        for (signal, grace) in [("-INT", 5), ("-TERM", 3), ("-KILL", 1)] {
            signal_group(self.pid, signal).await;
            if tokio::time::timeout(Duration::from_secs(grace), self.child.wait())
                .await
                .is_ok()
            {
                // The leader is gone; make sure no grandchild is left behind.
                signal_group(self.pid, "-KILL").await;
                return;
            }
        }
    }
}

/// Sends `signal` (`-INT`, `-TERM`, `-KILL`) to process group `pgid`.
pub async fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pgid}")])
        .stderr(std::process::Stdio::null())
        .status()
        .await;
}

/// True when a process with this pid exists.
pub async fn alive(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
pub async fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// `port` if nothing listens on it, else the next free port above it.
pub fn free_port_from(port: u16) -> u16 {
    (port..port.saturating_add(100))
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .unwrap_or(0)
}

/// Runs `command`, its output passed through; an error when it cannot
/// start or exits unsuccessfully.
pub async fn run(command: &mut tokio::process::Command) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let status = command
        .status()
        .await
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        anyhow::bail!("{command:?} failed with {status}");
    }
    Ok(())
}
