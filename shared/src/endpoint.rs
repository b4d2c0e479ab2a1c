//! What every endpoint's handler is built on: its [`State`] (made once per
//! cold start) and the table-driven rendering of its errors.

use crate::error::Common;
use crate::store::{Table, client_from_env};
use lambda_http::{Request, RequestExt};
use std::future::Future;
use std::time::{Duration, SystemTime};

/// The longest a request may take: the functions' timeout in
/// template.yaml (10 s) less time to answer, log and flush.
pub const REQUEST_BUDGET: Duration = Duration::from_secs(8);

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

/// Answers one request, the frame every handler shares: a method other
/// than `method` is [`Common::MethodNotAllowed`] before anything is read;
/// otherwise `work` (authenticate, parse, validate, write) runs
/// [`within_deadline`]; its outcome is rendered by `ok` or, for an error,
/// by `err` (the endpoint's envelope), each given the request id
/// ([`crate::http::request_id`]).
pub async fn respond<T, E: From<Common>>(
    req: &Request,
    method: lambda_http::http::Method,
    work: impl Future<Output = Result<T, E>>,
    ok: impl FnOnce(T, &str) -> lambda_http::Response<lambda_http::Body>,
    err: impl FnOnce(E, &str) -> lambda_http::Response<lambda_http::Body>,
) -> lambda_http::Response<lambda_http::Body> {
    let request_id = crate::http::request_id(req);
    let outcome = if req.method() == method {
        within_deadline(req, work).await
    } else {
        Err(Common::MethodNotAllowed { allowed: method }.into())
    };
    match outcome {
        Ok(done) => ok(done, &request_id),
        Err(e) => err(e, &request_id),
    }
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
    let budget = time_left(req);
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
    /// the local DynamoDB).
    pub async fn from_env(table_logical_id: &str) -> Self {
        let client = client_from_env().await;
        State {
            table: Table::from_env(client, "TABLE_NAME", table_logical_id),
        }
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
