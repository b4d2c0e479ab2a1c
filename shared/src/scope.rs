//! The request in flight, as the shared mechanisms see it: what its
//! headers ask of the write (`If-Match`, `Idempotency-Key`) and what the
//! request did (the version it wrote, its DynamoDB calls, the principal it
//! acted for).
//!
//! [`crate::endpoint::respond`] opens one [`Scope`] per request and runs
//! the endpoint's work inside it (a tokio task-local), so the write driver
//! ([`crate::store::write`]), the [`crate::store::Table`] calls and the
//! credential lookup find it without every endpoint threading it through
//! its functions: an endpoint gains ETags, preconditions, idempotency and
//! telemetry by calling `respond`, and nothing else. Outside a scope (a
//! test calling a store function directly) every hook here is a no-op.

use crate::http::precondition::Precondition;
use crate::idempotency::Claim;
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU32, Ordering},
};

tokio::task_local! {
    static CURRENT: Arc<Scope>;
}

/// One request's shared state. Every field is behind a lock or an atomic:
/// the hooks take `&self`.
#[derive(Debug, Default)]
pub struct Scope {
    precondition: Mutex<Precondition>,
    claim: Mutex<Claim>,
    version: Mutex<Option<u64>>,
    calls: AtomicU32,
    attempts: AtomicU32,
    capacity: Mutex<f64>,
    throttled: std::sync::atomic::AtomicBool,
    principal: Mutex<Vec<(&'static str, String)>>,
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
    /// A scope for a request with this precondition and idempotency claim.
    pub fn new(precondition: Precondition, claim: Claim) -> Arc<Self> {
        Arc::new(Scope {
            precondition: Mutex::new(precondition),
            claim: Mutex::new(claim),
            ..Scope::default()
        })
    }

    /// Runs `work` inside this scope.
    pub async fn run<F: Future>(self: &Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(Arc::clone(self), work).await
    }

    /// The version the request's write left the item at, if it wrote.
    pub fn version(&self) -> Option<u64> {
        *lock(&self.version)
    }

    /// The idempotency claim as it stands (taken: the caller finishes it).
    pub fn take_claim(&self) -> Claim {
        std::mem::take(&mut *lock(&self.claim))
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

    /// The principal's scoping ids (`tenant_id`, `ou_id`, `account_id`),
    /// as the credential lookup recorded them.
    pub fn principal(&self) -> Vec<(&'static str, String)> {
        lock(&self.principal).clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn with<R>(f: impl FnOnce(&Scope) -> R) -> Option<R> {
    CURRENT.try_with(|scope| f(scope)).ok()
}

/// The precondition the request's next write must satisfy (none outside
/// a scope, and none after the request's first committed write).
pub fn precondition() -> Precondition {
    with(|s| lock(&s.precondition).clone()).unwrap_or_default()
}

/// Records a committed write of the request's subject item, at `version`:
/// the response's ETag, and the end of the precondition (it applied to the
/// item as the client saw it, not to the request's own later writes).
pub fn committed(version: Option<u64>) {
    with(|s| {
        *lock(&s.version) = version;
        *lock(&s.precondition) = Precondition::None;
    });
}

/// Runs `f` on the request's idempotency claim (a no-op outside a scope).
pub(crate) fn with_claim<R>(f: impl FnOnce(&mut Claim) -> R) -> Option<R> {
    with(|s| f(&mut lock(&s.claim)))
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
    with(|s| s.attempts.fetch_add(1, Ordering::Relaxed));
}

/// Records the principal's scoping ids: whichever of `tenant_id`, `ou_id`
/// and `account_id` the credential holds. Never a secret: these are the
/// ids every write is scoped to.
pub fn record_principal(ids: Vec<(&'static str, String)>) {
    with(|s| *lock(&s.principal) = ids);
}

/// Records that DynamoDB throttled the request past the SDK's retries.
pub fn note_throttled() {
    with(|s| s.throttled.store(true, Ordering::Relaxed));
}
