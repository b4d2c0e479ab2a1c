//! The local mailbox: each message becomes an RFC 5322 `.eml` file in a
//! directory (`.local/mail/` under `cargo xtask dev`) and one printed line
//! saying where it is. Nothing leaves the machine. The line shows the code
//! a message carries: it is a developer's own mailbox, never a deployed
//! function's log.

use super::{SendError, Transport};
use crate::mail::Mail;
use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// A directory receiving every message as a file.
#[derive(Debug)]
pub struct Mailbox {
    dir: PathBuf,
    count: AtomicU64,
    announce: fn(&str),
}

impl Mailbox {
    /// Messages go to `dir` (created when missing); each is announced by
    /// `announce` with one line (`println!` under `cargo xtask dev`).
    pub fn new(dir: impl Into<PathBuf>, announce: fn(&str)) -> Self {
        Mailbox {
            dir: dir.into(),
            count: AtomicU64::new(0),
            announce,
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Transport for Mailbox {
    async fn send(&self, mail: &Mail, raw: Vec<u8>) -> Result<(), SendError> {
        let n = self.count.fetch_add(1, Ordering::Relaxed);
        let at = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let recipient: String = mail
            .to
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@.-_".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self
            .dir
            .join(format!("{at}-{n}-{}-{recipient}.eml", mail.kind.as_str()));
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| SendError::Unavailable(e.kind().to_string()))?;
        tokio::fs::write(&path, raw)
            .await
            .map_err(|e| SendError::Unavailable(e.kind().to_string()))?;
        let code = mail
            .code
            .as_deref()
            .map(|c| format!(" code {c}"))
            .unwrap_or_default();
        (self.announce)(&format!(
            "mail to {} ({}){code}: {}",
            mail.to,
            mail.kind.as_str(),
            path.display()
        ));
        Ok(())
    }
}
