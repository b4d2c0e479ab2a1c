//! Email uniqueness under concurrency, with the marker invariant checked.

mod common;

use common::{ADMIN, Fixture};
use futures::future::join_all;
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_accounts_claiming_one_email_have_one_winner() {
    let f = Arc::new(Fixture::new().await);
    let ids: Vec<String> = (0..20).map(|i| format!("acc_race_{i}")).collect();
    let accounts: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| json!({"id": id, "name": id, "plan": "starter", "displayName": id, "email": format!("{id}@example.com")}))
        .collect();
    f.seed(json!({"tokens": [{"token": "racer-admin-0123456789", "role": "admin", "account_ids": ids}], "accounts": accounts}))
        .await;
    let tasks = (0..20).map(|i| {
        let f = Arc::clone(&f);
        tokio::spawn(async move {
            f.patch(
                "racer-admin-0123456789",
                &format!("acc_race_{i}"),
                json!({"email": "prize@example.com"}),
            )
            .await
            .status()
            .as_u16()
        })
    });
    let statuses: Vec<u16> = join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19, "{statuses:?}");
    f.assert_email_markers_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_email_freed_by_one_account_and_claimed_by_another_stays_consistent() {
    let f = Arc::new(Fixture::new().await);
    for round in 0..10 {
        let current = f.account("acc_1").await["email"].as_s().unwrap().clone();
        let mover = tokio::spawn({
            let f = Arc::clone(&f);
            async move {
                f.patch(ADMIN, "acc_1", json!({"email": format!("acme.{round}@acme.com")}))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let taker = tokio::spawn({
            let f = Arc::clone(&f);
            let current = current.clone();
            async move {
                f.patch(ADMIN, "acc_2", json!({ "email": current }))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let (moved, took) = (mover.await.unwrap(), taker.await.unwrap());
        assert_eq!(moved, 200, "round {round}");
        assert!(took == 200 || took == 409, "round {round}: {took}");
        f.assert_email_markers_consistent().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_metadata_keys_all_land() {
    let f = Arc::new(Fixture::new().await);
    let tasks = (0..30).map(|i| {
        let f = Arc::clone(&f);
        tokio::spawn(async move {
            f.patch(ADMIN, "acc_1", json!({"metadata": {format!("k{i}"): i}}))
                .await
                .status()
                .as_u16()
        })
    });
    let statuses: Vec<u16> = join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let metadata = f.account("acc_1").await["metadata"].as_m().unwrap().clone();
    assert_eq!(metadata.len(), 31);
}
