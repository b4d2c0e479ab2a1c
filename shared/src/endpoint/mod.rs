//! What every endpoint is built on: the [`Endpoint`] trait (what differs
//! between contracts: method, table, state, work, envelope), its [`State`]
//! (made once per cold start), [`serve`] (a function's whole `main`),
//! [`handle`] and [`respond`], the frame that answers every request
//! (deadline, preconditions, Idempotency-Key, telemetry) and builds the
//! request's [`Ctx`], which it lends to the endpoint's work.

use crate::error::Common;
use crate::http::precondition::{self, Precondition};
use crate::store::context::{Claimed, Ctx};
use crate::store::idempotency::{self, Claim, Found};
use crate::store::scope::Scope;
use crate::store::write::{self, MAX_ATTEMPTS, Retry, staged::Commit};
use crate::store::{Table, client_from_env};
use lambda_http::http::Method;
use lambda_http::{Body, Request, RequestExt, Response, http::HeaderValue, request::RequestContext};
use std::future::Future;
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};
use std::time::{Duration, Instant, SystemTime};

pub use crate::store::context::REQUEST_BUDGET;

/// One endpoint: what differs between contracts, in the one shape every
/// handler has. The frame ([`handle`], [`respond`]) does the rest: the
/// method check, the deadline, preconditions, idempotency, ETags,
/// telemetry.
pub trait Endpoint: 'static {
    /// The route's method; any other is 405 before anything is read.
    const METHOD: Method;
    /// The table's logical id in `template.yaml` (its name locally; the
    /// deployed name comes from `TABLE_NAME`).
    const TABLE: &'static str;
    /// What the handler needs, built once per cold start from the shared
    /// [`State`].
    type State: From<State> + AsRef<Table> + Sync;
    /// What a request that did its work produces, for [`Endpoint::render`].
    type Output;
    /// The endpoint's error; every shared failure converts into it.
    type Error: From<Common>;

    /// The request's work, top to bottom: authenticate, parse, validate,
    /// plan one conditional write (through [`crate::store::write`]), given
    /// the request's context (`ctx`: its preconditions, idempotency claim
    /// and deadline; where authentication records the principal and the
    /// driver the version it wrote), which it passes on to what decides
    /// something. It may run more than once for one request (a keyed
    /// request whose commit was cancelled by a change runs again), so it
    /// makes no write of its own outside the driver.
    fn work(
        state: &Self::State,
        ctx: &Ctx,
        req: &Request,
    ) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send;

    /// What the endpoint refuses of a request before it reads a credential
    /// or its table: its path, query, headers and body, checked as `work`
    /// checks them for a caller allowed everything. `Err` is the refusal
    /// `work` would answer such a caller (400, 413 or 415, in the
    /// endpoint's envelope). It reads nothing and must not panic on any
    /// request: the fuzz targets run it on arbitrary bodies.
    fn check_request(req: &Request) -> Result<(), Self::Error>;

    /// The success, in the endpoint's envelope.
    fn render(output: Self::Output, req: &Request, request_id: &str) -> Response<Body>;

    /// An error, in the endpoint's envelope (its one mapping table).
    fn render_error(error: Self::Error, req: &Request, request_id: &str) -> Response<Body>;
}

/// Answers one request of endpoint `E` (see [`respond`]). Never fails:
/// every error becomes a response in the endpoint's envelope.
pub async fn handle<E: Endpoint>(state: &E::State, req: Request) -> Response<Body> {
    respond::<E>(state, &req).await
}

/// A function's whole `main`: logging (`E`'s crate may log at any level,
/// dependencies at most INFO: [`crate::telemetry`]), the state built once (the
/// connection to DynamoDB opened during init), then every invocation
/// answered by [`handle`].
pub async fn serve<E: Endpoint>() -> Result<(), lambda_http::Error> {
    crate::telemetry::init(&[crate::telemetry::crate_of::<E>()]);
    let state = E::State::from(State::from_env(E::TABLE).await);
    let state = &state;
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, lambda_http::Error>(handle::<E>(state, req).await)
    }))
    .await
}

/// The `main` of a function binary serving endpoint `$endpoint` (see
/// [`serve`]), with the functions' allocator ([`crate::allocator`]):
/// `shared::lambda_main!(my_crate::MyEndpoint);`.
#[macro_export]
macro_rules! lambda_main {
    ($endpoint:ty) => {
        $crate::global_allocator!();

        #[tokio::main]
        async fn main() -> Result<(), $crate::lambda_http::Error> {
            $crate::endpoint::serve::<$endpoint>().await
        }
    };
}

/// Kept free before Lambda's own deadline for the invocation, to render
/// and return the answer.
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(500);

/// How long this request may still take: [`REQUEST_BUDGET`], or less when
/// the invocation's deadline (from the Lambda context) comes sooner, less
/// [`DEADLINE_MARGIN`]. A deadline that has already passed when the
/// request starts is not one Lambda sets (it invokes with the whole
/// timeout ahead); local emulators do (`cargo lambda watch` sends one in
/// the past), so it is ignored and the request gets [`REQUEST_BUDGET`].
pub fn time_left(req: &Request) -> Duration {
    let Some(deadline) = req
        .lambda_context_ref()
        .filter(|ctx| ctx.deadline > 0)
        .map(|ctx| ctx.deadline())
    else {
        return REQUEST_BUDGET;
    };
    match deadline.duration_since(SystemTime::now()) {
        Ok(left) => left.saturating_sub(DEADLINE_MARGIN).min(REQUEST_BUDGET),
        Err(_) => {
            tracing::debug!("the invocation's deadline has passed already; using the request budget");
            REQUEST_BUDGET
        }
    }
}

/// Answers one request of endpoint `E`, the frame every handler shares:
///
/// 1. a method other than `E::METHOD` is [`Common::MethodNotAllowed`]
///    before anything is read; a malformed `If-Match`, `If-None-Match` or
///    `Idempotency-Key` is [`Common::Header`] (400);
/// 2. the request's [`Ctx`] is built from those headers and its deadline
///    ([`time_left`]), and `E::work` (authenticate, parse, validate, write)
///    runs with it until that deadline ([`within_deadline`]): the write
///    driver applies the preconditions ([`crate::http::precondition`]) it
///    holds to the write on `E::TABLE`'s table and records in it the
///    version written; the request's DynamoDB calls are counted in its
///    [`Scope`];
/// 3. its outcome is rendered by `E::render` or, for an error, by
///    `E::render_error` (the endpoint's envelope), each given the request
///    id ([`crate::http::request_id`]); a success that wrote gets an `ETag`
///    of the version written (weak when the endpoint said its body shows
///    more, [`Ctx::etag_is_weak`]);
/// 4. with an `Idempotency-Key` ([`crate::store::idempotency`]), the driver stages
///    the write instead of committing it, and it is committed here, after
///    the answer is rendered, in one transaction with the record that keeps
///    the answer; when that commit is cancelled by a change of the item,
///    `work` runs again (at most [`MAX_ATTEMPTS`] times, within the
///    deadline). A key that answers the request gets the first response,
///    marked `Idempotent-Replayed: true`;
/// 5. one JSON line with the request's telemetry and EMF metrics is
///    written ([`crate::metrics`]).
pub async fn respond<E: Endpoint>(state: &E::State, req: &Request) -> Response<Body> {
    let start = Start::now();
    let request_id = crate::http::request_id(req);
    let ctx = match request_context(req, &E::METHOD, start.at + time_left(req)) {
        Ok(ctx) => ctx,
        Err(e) => {
            let response = E::render_error(e.into(), req, &request_id);
            record(req, &request_id, &response, &start, None);
            return response;
        }
    };
    let ctx = &ctx;
    let scope = Scope::new();
    let render = |outcome: Result<E::Output, E::Error>| {
        let mut response = match outcome {
            Ok(done) => E::render(done, req, &request_id),
            Err(e) => E::render_error(e, req, &request_id),
        };
        if response.status().is_success()
            && let Some(version) = ctx.version()
        {
            let tag = match ctx.weak_etag() {
                true => precondition::weak_etag(version),
                false => precondition::etag(version),
            };
            if let Ok(tag) = HeaderValue::from_str(&tag) {
                response.headers_mut().insert(precondition::ETAG, tag);
            }
        }
        response
    };
    let work = || E::work(state, ctx, req);
    let response = match ctx.claimed() {
        None => {
            // On the heap: `work` is the endpoint's whole request
            // (authenticate, parse, write), and a future is moved by value
            // into each wrapper (scope, deadline); boxed, each move copies
            // a pointer.
            let outcome = scope.run(within(ctx.time_left(), Box::pin(work()))).await;
            render(outcome)
        }
        Some(claimed) => {
            let rendered = keyed(state.as_ref(), ctx, claimed, &scope, &work, render).await;
            match rendered {
                Keyed::Answer(response) => response,
                Keyed::Replay(first) => crate::http::with_request_id(first, &request_id),
                Keyed::Error(e) => E::render_error(e.into(), req, &request_id),
            }
        }
    };
    record(req, &request_id, &response, &start, Some((ctx, &scope)));
    response
}

/// How a keyed request ends.
enum Keyed {
    /// Its own answer (committed with its record, or nothing to commit).
    Answer(Response<Body>),
    /// The first answer under its key.
    Replay(Response<Body>),
    /// An answer of the frame's own, in the endpoint's envelope.
    Error(Common),
}

/// Runs a keyed request's `work`, commits its staged write with the
/// record of its answer, and runs it again when the commit was cancelled
/// by a change (see [`respond`], step 4).
async fn keyed<T, E, W, Fut>(
    table: &Table,
    ctx: &Ctx,
    claimed: &Claimed,
    scope: &Arc<Scope>,
    work: &W,
    render: impl Fn(Result<T, E>) -> Response<Body>,
) -> Keyed
where
    E: From<Common>,
    W: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let claim = claimed.claim();
    // Commits lost in a row to transaction conflicts or other items' changes.
    let mut retries = 0;
    for run in 0..=MAX_ATTEMPTS {
        ctx.begin_run();
        let outcome = scope.run(within(ctx.time_left(), Box::pin(work()))).await;
        if let Some(first) = claimed.take_replay() {
            return Keyed::Replay(first);
        }
        let response = render(outcome);
        let Some(staged) = claimed.take_staged() else {
            return Keyed::Answer(response);
        };
        if unavailable(&response) {
            // Nothing is committed with an answer that says "try again".
            return Keyed::Answer(response);
        }
        let now = SystemTime::now();
        let (record, not_kept) = idempotency::record_item(claim, &response, now);
        if let Some(idempotency::NotKept(body_len)) = not_kept {
            tracing::info!(
                body_len,
                "response too large to keep for replay; the change is recorded without it"
            );
        }
        let commit = write::staged::commit(table, staged, record, claim.free(now), retries);
        let Ok(committed) = tokio::time::timeout(ctx.time_left(), scope.run(commit)).await else {
            tracing::warn!("request ran out of time committing its write");
            return Keyed::Error(Common::Unavailable);
        };
        let retry = match committed {
            Commit::Done => return Keyed::Answer(response),
            Commit::Failed(e) => return Keyed::Error(e.into()),
            Commit::Record(record) => match record.and_then(|r| claim.found(&r, SystemTime::now())) {
                Some(Found::Ours) => return Keyed::Answer(response),
                Some(Found::Replay(first)) => return Keyed::Replay(first),
                Some(Found::Refused(refusal)) => return Keyed::Error(Common::Idempotency(refusal)),
                // Expired meanwhile, or not returned: read it again.
                None => Retry::Changed(0),
            },
            Commit::Retry(retry) => retry,
        };
        retries = match retry {
            Retry::Conflict(_) | Retry::Changed(1..) => retries + 1,
            _ => 0,
        };
        let last = run + 1 >= MAX_ATTEMPTS;
        claimed.set_retry(match (last, retry) {
            (true, Retry::Conflict(_)) => Retry::Exhausted { conflicted: true },
            (true, Retry::Changed(_)) => Retry::Exhausted { conflicted: false },
            (_, retry) => retry,
        });
    }
    Keyed::Error(Common::Contention)
}

/// Whether `response` says the service is unavailable (any 5xx, or 429):
/// such an answer is never committed with the write, so a retry runs again.
fn unavailable(response: &Response<Body>) -> bool {
    response.status().is_server_error()
        || response.status() == lambda_http::http::StatusCode::TOO_MANY_REQUESTS
}

/// Whether this container has answered no request yet.
static COLD: AtomicBool = AtomicBool::new(true);

/// When a request started, and whether it is the container's first.
struct Start {
    at: Instant,
    cold: bool,
}

impl Start {
    fn now() -> Self {
        Start {
            at: Instant::now(),
            cold: COLD.swap(false, Ordering::Relaxed),
        }
    }
}

/// The request's context from its method, headers and `deadline`, or why
/// it is refused.
fn request_context(req: &Request, method: &Method, deadline: Instant) -> Result<Ctx, Common> {
    if req.method() != method {
        return Err(Common::MethodNotAllowed {
            allowed: method.clone(),
        });
    }
    let precondition = Precondition::from_request(req).map_err(|e| Common::Header(e.to_string()))?;
    let claim = Claim::from_request(req).map_err(|e| Common::Header(e.to_string()))?;
    Ok(Ctx::new(precondition, claim, deadline))
}

/// Writes the request's telemetry line (`ran`: the context and counts of
/// a request whose work ran).
fn record(
    req: &Request,
    request_id: &str,
    response: &Response<Body>,
    start: &Start,
    ran: Option<(&Ctx, &Scope)>,
) {
    let route = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.route_key.clone(),
        _ => None,
    }
    .unwrap_or_else(|| format!("{} (no route)", req.method()));
    crate::metrics::emit(&crate::metrics::RequestRecord {
        request_id,
        route: &route,
        status: response.status().as_u16(),
        latency: start.at.elapsed(),
        stats: ran.map(|(_, scope)| scope.stats()).unwrap_or_default(),
        cold_start: start.cold,
        replay: response.headers().contains_key(idempotency::REPLAYED),
        throttled: ran.is_some_and(|(_, scope)| scope.throttled()),
        principal: ran.map(|(ctx, _)| ctx.principal()).unwrap_or_default(),
    });
}

/// Runs `work` (the whole request: authenticate, parse, validate, write)
/// within [`time_left`]; past it, the request is answered as
/// [`Common::Unavailable`] (503, or the contract's 429, with
/// `Retry-After`) instead of being killed by Lambda with API Gateway's bare
/// 5xx. Every DynamoDB call is atomic on its own, so stopping between two
/// calls leaves the table as one of them left it.
pub async fn within_deadline<T, E: From<Common>>(
    req: &Request,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    within(time_left(req), work).await
}

async fn within<T, E: From<Common>>(
    budget: Duration,
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    match tokio::time::timeout(budget, work).await {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::warn!(budget_ms = budget.as_millis() as u64, "request ran out of time");
            Err(Common::Unavailable.into())
        }
    }
}

/// What a handler needs, built once per cold start in `main` and passed by
/// reference: the endpoint's table (credentials and data live together).
#[derive(Debug, Clone)]
pub struct State {
    /// The endpoint's table.
    pub table: Table,
}

impl State {
    /// State from the environment: the SDK client from the standard AWS
    /// variables, and the table named by `TABLE_NAME` (locally, when unset,
    /// the table's logical id in `template.yaml`, which is also its name in
    /// the local DynamoDB); the connection to DynamoDB is opened before
    /// this returns ([`crate::auth::warm_up`]).
    pub async fn from_env(table_logical_id: &str) -> Self {
        let client = client_from_env();
        let table = Table::from_env(client, "TABLE_NAME", table_logical_id);
        // Connect during init, not in the first request (shared::auth::warm_up).
        crate::auth::warm_up(&table).await;
        State { table }
    }
}

impl AsRef<Table> for State {
    fn as_ref(&self) -> &Table {
        &self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::{Body, Context};

    fn request_with_deadline(in_ms: i64) -> Request {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let mut ctx = Context::default();
        ctx.deadline = (now + in_ms) as u64;
        lambda_http::http::Request::new(Body::Empty).with_lambda_context(ctx)
    }

    #[test]
    fn the_budget_is_capped_and_follows_the_invocation_deadline() {
        assert_eq!(
            time_left(&lambda_http::http::Request::new(Body::Empty)),
            REQUEST_BUDGET
        );
        assert_eq!(time_left(&request_with_deadline(60_000)), REQUEST_BUDGET);
        let left = time_left(&request_with_deadline(2_000));
        assert!(
            left <= Duration::from_millis(1_500) && left > Duration::from_millis(1_000),
            "{left:?}"
        );
        // A deadline already past (a local emulator's) is not trusted.
        assert_eq!(time_left(&request_with_deadline(-5)), REQUEST_BUDGET);
        assert_eq!(time_left(&request_with_deadline(100)), Duration::ZERO);
    }

    #[tokio::test]
    async fn work_past_the_deadline_is_answered_unavailable() {
        let req = request_with_deadline(DEADLINE_MARGIN.as_millis() as i64 + 50);
        let started = std::time::Instant::now();
        let outcome: Result<(), Common> = within_deadline(&req, std::future::pending()).await;
        assert!(matches!(outcome, Err(Common::Unavailable)), "{outcome:?}");
        assert!(started.elapsed() < Duration::from_millis(500));
        let done: Result<u8, Common> = within_deadline(&req, async { Ok(7) }).await;
        assert_eq!(done.unwrap(), 7);
    }
}
