//! The request in flight, as what decides it sees it: [`Ctx`], built by
//! the frame ([`crate::endpoint::respond`]) from the request's headers and
//! deadline, and passed by reference to the endpoint's work and from there
//! to everything that decides something for the request:
//!
//! - the write driver ([`crate::store::write`]) reads the preconditions
//!   (`If-Match` / `If-None-Match`) and the idempotency claim, records the
//!   version it committed, and stages a keyed request's write (and reads
//!   what the last commit of it said) here;
//! - authentication records the principal the request acts for, for the
//!   audit trail and the telemetry line;
//! - the frame reads the deadline, the version for the ETag, and the
//!   staged write and replay it commits or answers with.
//!
//! Outside the frame (a test calling a store function directly),
//! [`Ctx::detached`] is a request that asks nothing of its write: no
//! preconditions, no idempotency key, the whole [`REQUEST_BUDGET`] ahead.
//!
//! What is only counted (DynamoDB calls, attempts, capacity, throttling)
//! is not here but in the ambient [`crate::store::scope`].

use crate::http::precondition::Precondition;
use crate::store::idempotency::Claim;
use crate::store::write::{Retry, Staged};
use crate::store::{Item, VERSION};
use lambda_http::{Body, Response};
use std::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicBool, Ordering},
};
use std::time::{Duration, Instant};

/// The longest a request may take: the functions' timeout in
/// template.yaml (10 s) less time to answer, log and flush.
pub const REQUEST_BUDGET: Duration = Duration::from_secs(8);

/// One request's context. The frame owns it and lends it (`&Ctx`) to the
/// work; what the work records is behind a lock or an atomic, so every
/// method takes `&self` and the work's future stays `Send`.
#[derive(Debug)]
pub struct Ctx {
    /// The request's preconditions, as sent.
    sent: Precondition,
    /// What the next write must satisfy: [`Ctx::sent`] until a write of
    /// this run commits or is staged.
    precondition: Mutex<Precondition>,
    /// What a request with an `Idempotency-Key` has beyond others.
    claimed: Option<Claimed>,
    /// When the request must have its answer.
    deadline: Instant,
    version: Mutex<Option<u64>>,
    weak_etag: AtomicBool,
    principal: Mutex<Vec<(&'static str, String)>>,
}

impl Default for Ctx {
    /// [`Ctx::detached`].
    fn default() -> Self {
        Ctx::detached()
    }
}

impl Ctx {
    /// The context of a request with these preconditions and idempotency
    /// claim, to be answered by `deadline`.
    pub fn new(precondition: Precondition, claim: Option<Claim>, deadline: Instant) -> Self {
        Ctx {
            precondition: Mutex::new(precondition.clone()),
            sent: precondition,
            claimed: claim.map(|claim| Claimed {
                claim,
                staged: Mutex::new(None),
                retry: Mutex::new(None),
                replay: Mutex::new(None),
            }),
            deadline,
            version: Mutex::new(None),
            weak_etag: AtomicBool::new(false),
            principal: Mutex::new(Vec::new()),
        }
    }

    /// A context outside any request (a test, a tool calling the store
    /// directly): no preconditions, no idempotency claim, so the driver
    /// commits every write at once; [`REQUEST_BUDGET`] from now.
    pub fn detached() -> Self {
        Ctx::new(Precondition::default(), None, Instant::now() + REQUEST_BUDGET)
    }

    /// When the request must have its answer.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// How long the request may still take (zero once its deadline has
    /// passed).
    pub fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The request's idempotency claim, when it sent a key: the driver
    /// then stages its write for the frame to commit with the record.
    pub fn claim(&self) -> Option<&Claim> {
        self.claimed.as_ref().map(|claimed| &claimed.claim)
    }

    /// What the request has for its `Idempotency-Key`, when it sent one.
    pub(crate) fn claimed(&self) -> Option<&Claimed> {
        self.claimed.as_ref()
    }

    /// The precondition the request's next write must satisfy (none after
    /// the request's first committed or staged write).
    pub fn precondition(&self) -> Precondition {
        lock(&self.precondition).clone()
    }

    /// Records a committed (or staged) write of the request's subject
    /// item, at `version`: the response's ETag, and the end of the
    /// precondition (it applied to the item as the client saw it, not to
    /// the request's own later writes).
    pub fn committed(&self, version: Option<u64>) {
        *lock(&self.version) = version;
        *lock(&self.precondition) = Precondition::default();
    }

    /// Says that the request answers with `item` as it is, written by
    /// another request (no write of its own): the response's ETag is that
    /// item's `version`.
    pub fn answer_shows(&self, item: &Item) {
        let version = item
            .get(VERSION)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok());
        *lock(&self.version) = version;
    }

    /// The version the request's write left the item at (or the item it
    /// answers with shows), if any: the success's ETag.
    pub fn version(&self) -> Option<u64> {
        *lock(&self.version)
    }

    /// Says that the request's success body shows data its item's
    /// `version` does not cover (linked items that change on their own),
    /// so its ETag is weak ([`crate::http::precondition::weak_etag`]) and
    /// its preconditions compare weakly.
    pub fn etag_is_weak(&self) {
        self.weak_etag.store(true, Ordering::Relaxed);
    }

    /// Whether the endpoint said its body shows more than the version
    /// covers ([`Ctx::etag_is_weak`]).
    pub fn weak_etag(&self) -> bool {
        self.weak_etag.load(Ordering::Relaxed)
    }

    /// Records the principal's scoping ids: whichever of `tenant_id`,
    /// `ou_id` and `account_id` the credential holds. Never a secret: these
    /// are the ids every write is scoped to.
    pub fn record_principal(&self, ids: Vec<(&'static str, String)>) {
        *lock(&self.principal) = ids;
    }

    /// Records, for the request's audit trail, the account a principal
    /// acts on when it is not simply its own (an admin naming another
    /// account, a token holding several) and the role that allowed it: the
    /// request line then says who changed what (`target_account_id`,
    /// `role`).
    pub fn record_acting(&self, target: &str, role: &'static str) {
        let mut principal = lock(&self.principal);
        principal.retain(|(name, _)| !matches!(*name, "target_account_id" | "role"));
        principal.push(("target_account_id", target.to_owned()));
        principal.push(("role", role.to_owned()));
    }

    /// The principal's ids as recorded ([`Ctx::record_principal`],
    /// [`Ctx::record_acting`]).
    pub fn principal(&self) -> Vec<(&'static str, String)> {
        lock(&self.principal).clone()
    }

    /// Starts one run of the request's work: the preconditions as sent,
    /// no version written, nothing staged or replayed (what the last
    /// commit said stays, for the driver).
    pub(crate) fn begin_run(&self) {
        *lock(&self.precondition) = self.sent.clone();
        *lock(&self.version) = None;
        if let Some(claimed) = &self.claimed {
            *lock(&claimed.staged) = None;
            *lock(&claimed.replay) = None;
        }
    }
}

/// What a request with an `Idempotency-Key` has beyond others, so that
/// only such a request can stage a write or be answered by a replay: its
/// claim, the write its run staged for the frame to commit with the
/// record, what the last commit of it said, and the response found under
/// the key.
#[derive(Debug)]
pub(crate) struct Claimed {
    claim: Claim,
    /// The run's write, planned and not yet committed.
    staged: Mutex<Option<Staged>>,
    /// What the last commit of a staged write said, for the driver of the
    /// next run.
    retry: Mutex<Option<Retry>>,
    /// A replayed response, found under the request's key.
    replay: Mutex<Option<Response<Body>>>,
}

impl Claimed {
    /// The request's idempotency claim.
    pub(crate) fn claim(&self) -> &Claim {
        &self.claim
    }

    /// Stages the run's write for the frame to commit with the record.
    pub(crate) fn stage(&self, staged: Staged) {
        *lock(&self.staged) = Some(staged);
    }

    /// Whether the run has staged a write already.
    pub(crate) fn has_staged(&self) -> bool {
        lock(&self.staged).is_some()
    }

    /// The write the run staged, taken (the caller commits it).
    pub(crate) fn take_staged(&self) -> Option<Staged> {
        lock(&self.staged).take()
    }

    /// Tells the next run's driver what the commit of its staged write said.
    pub(crate) fn set_retry(&self, retry: Retry) {
        *lock(&self.retry) = Some(retry);
    }

    /// What the last commit of the staged write said, taken.
    pub(crate) fn take_retry(&self) -> Option<Retry> {
        lock(&self.retry).take()
    }

    /// Keeps the response found under the request's key, to answer with.
    pub(crate) fn set_replay(&self, response: Response<Body>) {
        *lock(&self.replay) = Some(response);
    }

    /// The response found under the request's key, taken.
    pub(crate) fn take_replay(&self) -> Option<Response<Body>> {
        lock(&self.replay).take()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detached_context_asks_nothing_of_a_write() {
        let ctx = Ctx::detached();
        assert!(ctx.precondition().is_none());
        assert!(ctx.claim().is_none() && ctx.claimed().is_none());
        assert!(ctx.time_left() <= REQUEST_BUDGET && ctx.time_left() > Duration::ZERO);
        assert_eq!(ctx.version(), None);
    }

    #[test]
    fn a_commit_ends_the_precondition_and_a_new_run_restores_it() {
        let sent = Precondition::parse(Some("\"3\""), None).unwrap();
        let ctx = Ctx::new(sent.clone(), None, Instant::now());
        assert_eq!(ctx.precondition(), sent);
        ctx.committed(Some(4));
        assert!(ctx.precondition().is_none());
        assert_eq!(ctx.version(), Some(4));
        ctx.begin_run();
        assert_eq!(ctx.precondition(), sent);
        assert_eq!(ctx.version(), None);
        assert_eq!(ctx.time_left(), Duration::ZERO, "its deadline has passed");
    }

    #[test]
    fn the_acting_account_replaces_the_one_recorded_before() {
        let ctx = Ctx::detached();
        ctx.record_principal(vec![("account_id", "a".to_owned())]);
        ctx.record_acting("b", "admin");
        ctx.record_acting("c", "manager");
        assert_eq!(
            ctx.principal(),
            [
                ("account_id", "a".to_owned()),
                ("target_account_id", "c".to_owned()),
                ("role", "manager".to_owned()),
            ]
        );
    }
}
