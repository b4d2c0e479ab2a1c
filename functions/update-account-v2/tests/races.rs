//! Email uniqueness under concurrency, with the marker invariant checked.

mod common;

use common::{ADMIN, Fixture};
use serde_json::json;
use std::sync::Arc;
use testkit::concurrent::{concurrently, move_against_take, one_winner};

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
    one_winner(&f, 20, |f, i| async move {
        f.patch(
            "racer-admin-0123456789",
            &format!("acc_race_{i}"),
            json!({"email": "prize@example.com"}),
        )
        .await
    })
    .await;
    f.assert_email_markers_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_email_freed_by_one_account_and_claimed_by_another_stays_consistent() {
    let f = Arc::new(Fixture::new().await);
    for round in 0..10 {
        let current = f.account("acc_1").await["email"].as_s().unwrap().clone();
        // acc_1 moves to a new address while acc_2 takes its current one.
        let moves = [("acc_1", format!("acme.{round}@acme.com")), ("acc_2", current)];
        move_against_take(&f, round, moves, |f, (id, email)| async move {
            f.patch(ADMIN, id, json!({ "email": email })).await
        })
        .await;
        f.assert_email_markers_consistent().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_metadata_keys_all_land() {
    let f = Arc::new(Fixture::new().await);
    let statuses = concurrently(&f, 0..30, |f, i| async move {
        f.patch(ADMIN, "acc_1", json!({"metadata": {format!("k{i}"): i}}))
            .await
            .status()
            .as_u16()
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let metadata = f.account("acc_1").await["metadata"].as_m().unwrap().clone();
    assert_eq!(metadata.len(), 31);
}
