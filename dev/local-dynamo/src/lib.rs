//! dynoxide, served over HTTP on 127.0.0.1 from a thread of its own.
//!
//! A crate of its own, with no AWS SDK, so that a tool needing only a
//! local DynamoDB (the bench, `cargo perf`) compiles only this and
//! dynoxide; `testkit` re-exports it for the tests.

use std::{net::SocketAddr, path::Path, thread::JoinHandle};
use tokio::sync::oneshot;

/// A running dynoxide server. Dropping it (or calling [`LocalDynamo::stop`])
/// stops the server; it never outlives the process that started it.
pub struct LocalDynamo {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LocalDynamo {
    /// An in-memory database on an ephemeral port (tests).
    pub fn start_in_memory() -> Result<Self, String> {
        let db = dynoxide::Database::memory().map_err(|e| e.to_string())?;
        Self::serve(db, 0)
    }

    /// A database persisted in `path` (created if missing), on `port` when
    /// it is free, else on an ephemeral port. See [`LocalDynamo::endpoint`].
    pub fn start_on_file(path: &Path, port: u16) -> Result<Self, String> {
        let path = path.to_str().ok_or("database path is not UTF-8")?;
        let db = dynoxide::Database::new(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        Self::serve(db, port).or_else(|_| {
            let db = dynoxide::Database::new(path).map_err(|e| format!("cannot open {path}: {e}"))?;
            Self::serve(db, 0)
        })
    }

    fn serve(db: dynoxide::Database, port: u16) -> Result<Self, String> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("cannot bind 127.0.0.1:{port}: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("dynoxide-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime for dynoxide");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    let shutdown = async move {
                        let _ = stopped.await;
                    };
                    if let Err(e) = dynoxide::server::serve_with_shutdown(listener, db, shutdown).await {
                        eprintln!("dynoxide stopped: {e}");
                    }
                });
            })
            .map_err(|e| e.to_string())?;
        Ok(LocalDynamo {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Stops the server and waits for it to finish the requests in flight.
    pub fn stop(mut self) {
        self.shutdown(true);
    }

    fn shutdown(&mut self, wait: bool) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && wait
        {
            let _ = thread.join();
        }
    }
}

impl Drop for LocalDynamo {
    fn drop(&mut self) {
        self.shutdown(false);
    }
}
