//! Concurrency: the key limit and every key hold under simultaneous
//! requests. Run against the embedded server by default, or any
//! DynamoDB-compatible server with `DYNAMODB_ENDPOINT`.

mod common;

use common::{Fixture, assert_no_content};
use serde_json::{Value, json};
use std::sync::Arc;
use testkit::concurrent::concurrently;

/// Sends every body to `acct_race` at once; each status with its body.
async fn statuses(f: &Arc<Fixture>, bodies: Vec<Value>) -> Vec<(u16, String)> {
    concurrently(f, bodies, |f, body| async move {
        let tag = body.to_string();
        (f.patch("acct_race", body).await.status().as_u16(), tag)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_requests_each_setting_a_key_all_land() {
    let f = Arc::new(Fixture::new().await);
    f.account_with_keys("acct_race", 0).await;
    let bodies = (0..50)
        .map(|i| json!({"metadata": {format!("key{i}"): i}}))
        .collect();
    let results = statuses(&f, bodies).await;
    assert!(results.iter().all(|(s, _)| *s == 204), "{results:?}");
    let stored = f.metadata("acct_race").await;
    assert_eq!(stored.len(), 50);
    for i in 0..50 {
        assert_eq!(stored[&format!("key{i}")], json!(i));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn key_limit_holds_exactly_when_requests_race_for_the_last_slots() {
    let f = Arc::new(Fixture::new().await);
    f.account_with_keys("acct_race", 45).await;
    let bodies = (0..20)
        .map(|i| json!({"metadata": {format!("new{i}"): i}}))
        .collect();
    let results = statuses(&f, bodies).await;
    let winners: Vec<&String> = results
        .iter()
        .filter(|(s, _)| *s == 204)
        .map(|(_, t)| t)
        .collect();
    let refused = results.iter().filter(|(s, _)| *s == 413).count();
    assert_eq!(winners.len(), 5, "{results:?}");
    assert_eq!(refused, 15, "{results:?}");
    let stored = f.metadata("acct_race").await;
    assert_eq!(stored.len(), 50);
    for tag in winners {
        let body: Value = serde_json::from_str(tag).unwrap();
        let (key, value) = body["metadata"].as_object().unwrap().iter().next().unwrap();
        assert_eq!(&stored[key], value, "a winner's key is missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn swaps_at_the_limit_all_succeed_and_pure_additions_all_fail() {
    let f = Arc::new(Fixture::new().await);
    f.account_with_keys("acct_race", 50).await;
    let mut bodies = Vec::new();
    for i in 0..10 {
        // Each swap removes a distinct existing key and adds a new one.
        bodies.push(json!({"metadata": {format!("k{i}"): null, format!("swap{i}"): i}}));
        bodies.push(json!({"metadata": {format!("add{i}"): i}}));
    }
    let results = statuses(&f, bodies).await;
    for (status, tag) in &results {
        let expected = if tag.contains("swap") { 204 } else { 413 };
        assert_eq!(*status, expected, "{tag}");
    }
    let stored = f.metadata("acct_race").await;
    assert_eq!(stored.len(), 50);
    for i in 0..10 {
        assert!(stored.contains_key(&format!("swap{i}")));
        assert!(!stored.contains_key(&format!("k{i}")));
        assert!(!stored.contains_key(&format!("add{i}")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn name_and_metadata_change_together_under_concurrent_writers() {
    let f = Arc::new(Fixture::new().await);
    f.account_with_keys("acct_race", 49).await;
    // Writers at the limit take the exact (read-compute-write) path, the
    // riskiest for atomicity.
    let bodies = (0..20)
        .map(|i| json!({"name": format!("Writer {i}"), "metadata": {"writer": i}}))
        .collect();
    let results = statuses(&f, bodies).await;
    assert!(results.iter().all(|(s, _)| *s == 204), "{results:?}");
    let name = f.text("acct_race", "name").await;
    let writer = f.metadata("acct_race").await["writer"].clone();
    assert_eq!(
        name,
        format!("Writer {writer}"),
        "name and metadata came from different requests"
    );
    assert_eq!(f.metadata("acct_race").await.len(), 50);
}

#[tokio::test]
async fn version_counts_every_write() {
    let f = Fixture::new().await;
    for i in 0..3 {
        assert_no_content(&f.patch("acct_1", json!({"metadata": {"i": i}})).await);
    }
    assert_eq!(
        f.account("acct_1").await["version"],
        aws_sdk_dynamodb::types::AttributeValue::N("3".into())
    );
}
