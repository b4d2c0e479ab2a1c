//! Concurrent requests for race tests: many copies of one task, each on
//! its own tokio task, so that on a multi-thread runtime they really race.

use std::future::Future;
use std::sync::Arc;

/// Runs `task(fixture, i)` for every `i` in `0..n` at once, each on its own
/// tokio task, and returns their outputs in the order of `i`. Fails when a
/// task panicked.
pub async fn concurrently<F, T, Fut>(
    fixture: &Arc<F>,
    n: usize,
    task: impl Fn(Arc<F>, usize) -> Fut,
) -> Vec<T>
where
    F: Send + Sync + 'static,
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let tasks: Vec<_> = (0..n)
        .map(|i| tokio::spawn(task(Arc::clone(fixture), i)))
        .collect();
    futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("a racing task panicked"))
        .collect()
}
