//! Concurrent renames: every one answers, updatedAt is strictly increasing
//! across them, and the stored state is the last writer's.

mod common;

use common::{ACME, Fixture};
use serde_json::json;
use std::sync::Arc;
use testkit::{concurrent::concurrently, events};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_renames_get_distinct_increasing_timestamps() {
    let f = Arc::new(Fixture::new().await);
    let bodies = concurrently(&f, 0..20, |f, i| async move {
        events::body_json(&f.patch(ACME, json!({"name": format!("Writer {i}")})).await)
    })
    .await;
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
