//! Concurrent requests for race tests: one task per input, each on its own
//! tokio task, so that on a multi-thread runtime they really race
//! ([`concurrently`]); the races for a unique value that every endpoint
//! with one runs ([`one_winner`], [`move_against_take`]).

use lambda_http::{Body, Response};
use std::future::Future;
use std::sync::Arc;

/// Runs `task(fixture, input)` for every one of `inputs` at once (such as
/// `0..n`, or one request each), each on its own tokio task, and returns
/// their outputs in the order of `inputs`. Fails when a task panicked.
pub async fn concurrently<F, I, T, Fut>(
    fixture: &Arc<F>,
    inputs: impl IntoIterator<Item = I>,
    task: impl Fn(Arc<F>, I) -> Fut,
) -> Vec<T>
where
    F: Send + Sync + 'static,
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| tokio::spawn(task(Arc::clone(fixture), input)))
        .collect();
    futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("a racing task panicked"))
        .collect()
}

/// Races `n` claims of one unique value: runs `claim(fixture, i)` for
/// every `i` in `0..n` at once ([`concurrently`]) and asserts that exactly
/// one was answered `200` and every other `409`. Returns the statuses in
/// the order of `i`.
pub async fn one_winner<F, Fut>(fixture: &Arc<F>, n: usize, claim: impl Fn(Arc<F>, usize) -> Fut) -> Vec<u16>
where
    F: Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    let statuses = concurrently(fixture, 0..n, |f, i| {
        let claimed = claim(f, i);
        async move { claimed.await.status().as_u16() }
    })
    .await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        n - 1,
        "{statuses:?}"
    );
    statuses
}

/// Races a move against a take of the value moved away from: at once,
/// `send(fixture, mover)` moves its holder to a new value and
/// `send(fixture, taker)` claims the value it held. Asserts that the move
/// succeeded (`200`) and that the take either won (`200`) or lost as a
/// conflict (`409`); `round` names the attempt in a failure. Returns the
/// take's status.
pub async fn move_against_take<F, I, Fut>(
    fixture: &Arc<F>,
    round: usize,
    [mover, taker]: [I; 2],
    send: impl Fn(Arc<F>, I) -> Fut,
) -> u16
where
    F: Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    let statuses = concurrently(fixture, [mover, taker], |f, request| {
        let sent = send(f, request);
        async move { sent.await.status().as_u16() }
    })
    .await;
    let (moved, took) = (statuses[0], statuses[1]);
    assert_eq!(moved, 200, "round {round}");
    assert!(took == 200 || took == 409, "round {round}: {took}");
    took
}
