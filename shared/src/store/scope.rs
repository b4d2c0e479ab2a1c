//! The request in flight, as the shared mechanisms see it: what its
//! headers ask of the write (`If-Match` / `If-None-Match`,
//! `Idempotency-Key`) and what the request did (the version it wrote, the
//! write it staged for a keyed commit, its DynamoDB calls, the principal it
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
use crate::store::idempotency::Claim;
use crate::store::write::{Retry, Staged};
use lambda_http::{Body, Response};
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
    /// The request's preconditions, as sent.
    sent: Precondition,
    /// What the next write must satisfy: [`Scope::sent`] until a write of
    /// this run commits or is staged.
    precondition: Mutex<Precondition>,
    claim: Option<Claim>,
    /// A keyed request's write, planned and not yet committed.
    staged: Mutex<Option<Staged>>,
    /// What the last commit of a keyed request's staged write said, for
    /// the driver of the next run.
    retry: Mutex<Option<Retry>>,
    /// A replayed response, found under the request's key.
    replay: Mutex<Option<Response<Body>>>,
    version: Mutex<Option<u64>>,
    calls: AtomicU32,
    attempts: AtomicU32,
    capacity: Mutex<f64>,
    throttled: std::sync::atomic::AtomicBool,
    principal: Mutex<Vec<(&'static str, String)>>,
    weak_etag: std::sync::atomic::AtomicBool,
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
    /// A scope for a request with these preconditions and idempotency claim.
    pub fn new(precondition: Precondition, claim: Option<Claim>) -> Arc<Self> {
        Arc::new(Scope {
            precondition: Mutex::new(precondition.clone()),
            sent: precondition,
            claim,
            ..Scope::default()
        })
    }

    /// Starts one run of a keyed request's work: the preconditions as
    /// sent, no version written, nothing staged or replayed (what the last
    /// commit said stays, for the driver).
    pub fn begin_run(&self) {
        *lock(&self.precondition) = self.sent.clone();
        *lock(&self.version) = None;
        *lock(&self.staged) = None;
        *lock(&self.replay) = None;
    }

    /// Whether the endpoint said its body shows more than the version
    /// covers ([`etag_is_weak`]).
    pub fn weak_etag(&self) -> bool {
        self.weak_etag.load(Ordering::Relaxed)
    }

    /// The request's idempotency claim, when it sent a key.
    pub fn claim(&self) -> Option<&Claim> {
        self.claim.as_ref()
    }

    /// The write the run staged, taken (the caller commits it).
    pub fn take_staged(&self) -> Option<Staged> {
        lock(&self.staged).take()
    }

    /// Tells the next run's driver what the commit of its staged write said.
    pub fn set_retry(&self, retry: Retry) {
        *lock(&self.retry) = Some(retry);
    }

    /// The response found under the request's key, taken.
    pub fn take_replay(&self) -> Option<Response<Body>> {
        lock(&self.replay).take()
    }

    /// Runs `work` inside this scope.
    pub async fn run<F: Future>(self: &Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(Arc::clone(self), work).await
    }

    /// The version the request's write left the item at, if it wrote.
    pub fn version(&self) -> Option<u64> {
        *lock(&self.version)
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
        *lock(&s.precondition) = Precondition::default();
    });
}

/// Whether the request's ETag is weak ([`etag_is_weak`]).
pub(crate) fn etag_weak() -> bool {
    with(|s| s.weak_etag()).unwrap_or(false)
}

/// The request's idempotency claim (none outside a scope or without a key).
pub(crate) fn claim() -> Option<Claim> {
    with(|s| s.claim.clone()).flatten()
}

/// Stages a keyed request's write for the frame to commit with its record.
pub(crate) fn stage(staged: Staged) {
    with(|s| *lock(&s.staged) = Some(staged));
}

/// Whether the running request has staged a write already.
pub(crate) fn has_staged() -> bool {
    with(|s| lock(&s.staged).is_some()).unwrap_or(false)
}

/// What the last commit of the request's staged write said, taken.
pub(crate) fn take_retry() -> Option<Retry> {
    with(|s| lock(&s.retry).take()).flatten()
}

/// Keeps the response found under the request's key, to answer with.
pub(crate) fn set_replay(response: Response<Body>) {
    with(|s| *lock(&s.replay) = Some(response));
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

/// Records, for the request's audit trail, the account a principal acts
/// on when it is not simply its own (an admin naming another account, a
/// token holding several) and the role that allowed it: the request line
/// then says who changed what (`target_account_id`, `role`).
pub fn record_acting(target: &str, role: &'static str) {
    with(|s| {
        let mut principal = lock(&s.principal);
        principal.retain(|(name, _)| !matches!(*name, "target_account_id" | "role"));
        principal.push(("target_account_id", target.to_owned()));
        principal.push(("role", role.to_owned()));
    });
}

/// Records that DynamoDB throttled the request past the SDK's retries.
pub fn note_throttled() {
    with(|s| s.throttled.store(true, Ordering::Relaxed));
}

/// Says that the request's success body shows data its item's `version`
/// does not cover (linked items that change on their own), so its ETag is
/// weak ([`crate::http::precondition::weak_etag`]).
pub fn etag_is_weak() {
    with(|s| s.weak_etag.store(true, Ordering::Relaxed));
}

/// Says that the request answers with `item` as it is, written by another
/// request (no write of its own): the response's ETag is that item's
/// `version`.
pub fn answer_shows(item: &crate::store::Item) {
    let version = item
        .get(crate::store::VERSION)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok());
    with(|s| *lock(&s.version) = version);
}
