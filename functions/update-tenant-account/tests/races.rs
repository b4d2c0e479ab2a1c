//! Concurrent renames: every one answers, updatedAt is strictly increasing
//! across them, and the stored state is the last writer's.

mod common;

use common::{ACME, Fixture};
use futures::future::join_all;
use serde_json::json;
use std::sync::Arc;
use testkit::events;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_renames_get_distinct_increasing_timestamps() {
    let f = Arc::new(Fixture::new().await);
    let tasks = (0..20).map(|i| {
        let f = Arc::clone(&f);
        tokio::spawn(async move {
            events::body_json(&f.patch(ACME, json!({"name": format!("Writer {i}")})).await)
        })
    });
    let bodies: Vec<_> = join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    let mut stamps: Vec<String> = bodies
        .iter()
        .map(|b| b["updatedAt"].as_str().unwrap().to_owned())
        .collect();
    stamps.sort();
    stamps.dedup();
    assert_eq!(stamps.len(), 20, "two renames share an updatedAt");
    let latest = bodies
        .iter()
        .max_by_key(|b| b["updatedAt"].as_str().unwrap().to_owned())
        .unwrap();
    let stored = f.account(ACME).await;
    assert_eq!(stored["name"].as_s().unwrap(), latest["name"].as_str().unwrap());
    assert_eq!(stored["version"].as_n().unwrap(), "20");
}
