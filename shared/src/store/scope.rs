//! What a request's DynamoDB calls cost, counted where they happen: the
//! operations, the HTTP attempts the SDK made for them, the capacity they
//! consumed and whether DynamoDB throttled one past the SDK's retries.
//!
//! These counts are ambient: [`crate::endpoint::respond`] opens one
//! [`Scope`] per request and runs the request's work inside it (a tokio
//! task-local), and the [`crate::store::Table`] calls, the HTTP client's
//! attempt counter ([`crate::store`]'s client wrapper, below the SDK) and
//! the error classification add to it without any signature naming it.
//! Passing it instead would thread a context through every `Table` call,
//! and through the SDK's HTTP client, for nothing but the telemetry line's
//! counters. Nothing here decides anything: no count is read back by the
//! request while it runs, only by the frame for its telemetry line once
//! the answer is rendered. Everything that decides something for the
//! request (preconditions, idempotency, staged write and retry state,
//! committed version, deadline, principal) is explicit, in the request's
//! [`crate::store::context::Ctx`]. Outside a scope (a test calling a store
//! function directly) counting is a no-op.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicU32, Ordering},
};

tokio::task_local! {
    static CURRENT: Arc<Scope>;
}

/// One request's counts. Every field is behind a lock or an atomic: the
/// counting functions take `&self`.
#[derive(Debug, Default)]
pub struct Scope {
    calls: AtomicU32,
    attempts: AtomicU32,
    capacity: Mutex<f64>,
    throttled: AtomicBool,
}

/// What a request's DynamoDB calls cost, for its telemetry line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallStats {
    /// Operations (GetItem, UpdateItem, ...), each counted once.
    pub calls: u32,
    /// HTTP attempts the SDK made for them; `attempts - calls` are retries.
    pub attempts: u32,
    /// Consumed capacity units reported by DynamoDB (read + write).
    pub capacity: f64,
}

impl Scope {
    /// A scope counting nothing yet.
    pub fn new() -> Arc<Self> {
        Arc::new(Scope::default())
    }

    /// Runs `work` inside this scope: its DynamoDB calls are counted here.
    pub async fn run<F: Future>(self: &Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(Arc::clone(self), work).await
    }

    /// The DynamoDB calls made so far.
    pub fn stats(&self) -> CallStats {
        CallStats {
            calls: self.calls.load(Ordering::Relaxed),
            attempts: self.attempts.load(Ordering::Relaxed),
            capacity: *lock(&self.capacity),
        }
    }

    /// Whether DynamoDB throttled the request past the SDK's retries.
    pub fn throttled(&self) -> bool {
        self.throttled.load(Ordering::Relaxed)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn with(f: impl FnOnce(&Scope)) {
    let _ = CURRENT.try_with(|scope| f(scope));
}

/// Counts one DynamoDB operation and the capacity it consumed.
pub fn count_call(capacity: Option<f64>) {
    with(|s| {
        s.calls.fetch_add(1, Ordering::Relaxed);
        if let Some(units) = capacity {
            *lock(&s.capacity) += units;
        }
    });
}

/// Counts one HTTP attempt of a DynamoDB operation (retries included).
pub fn count_attempt() {
    with(|s| {
        s.attempts.fetch_add(1, Ordering::Relaxed);
    });
}

/// Records that DynamoDB throttled the request past the SDK's retries.
pub fn note_throttled() {
    with(|s| s.throttled.store(true, Ordering::Relaxed));
}
