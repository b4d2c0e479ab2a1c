//! Races on the unique number and on new custom options.

mod common;

use common::{Fixture, n};
use serde_json::json;
use std::sync::Arc;
use testkit::concurrent::{concurrently, one_winner};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_of_one_number_have_one_winner() {
    let f = Arc::new(Fixture::new().await);
    // Ten accounts race for number 7777.
    let accounts: Vec<serde_json::Value> = (0..10)
        .map(|i| json!({"tenant_id": "a", "id": 3000 + i, "number": 8000 + i, "title": format!("Racer {i}")}))
        .collect();
    f.seed(json!({"accounts": accounts})).await;
    let id = |i: usize| 3000 + i as i64;
    let statuses = one_winner(&f, 10, |f, i| async move {
        f.patch(&format!("/accounts/{}", id(i)), json!({"number": 7777}))
            .await
    })
    .await;
    for (i, status) in statuses.iter().enumerate() {
        let number = if *status == 200 { 7777 } else { 8000 + i as i64 };
        assert_eq!(n(&f.account("a", id(i)).await, "number"), number, "{statuses:?}");
    }
    f.assert_claims_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_accounts_claiming_the_same_number_one_200_one_409() {
    let f = Arc::new(Fixture::new().await);
    one_winner(&f, 2, |f, i| async move {
        let path = ["/accounts/1001", "/accounts/1002"][i];
        f.patch(path, json!({"number": 4242})).await
    })
    .await;
    f.assert_claims_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_adding_one_new_option_leave_it_once() {
    let f = Arc::new(Fixture::new().await);
    let accounts: Vec<serde_json::Value> = (0..8)
        .map(|i| json!({"tenant_id": "a", "id": 4000 + i, "number": 9000 + i, "title": format!("Opt {i}")}))
        .collect();
    f.seed(json!({"accounts": accounts})).await;
    let statuses = concurrently(&f, 0..8, |f, i| async move {
        f.patch(
            &format!("/accounts/{}?allow_new_options=true", 4000 + i),
            json!({"custom": {"region": "west", "services": ["solar"]}}),
        )
        .await
        .status()
        .as_u16()
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(f.options("a", "region").await, ["north", "south", "west"]);
    assert_eq!(f.options("a", "services").await, ["plumbing", "hvac", "solar"]);
    for i in 0..8 {
        let account = f.account("a", 4000 + i).await;
        assert_eq!(
            account["custom"].as_m().unwrap()["region"].as_s().unwrap(),
            "west"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn number_swaps_and_renames_interleave_without_losing_claims() {
    let f = Arc::new(Fixture::new().await);
    let statuses = concurrently(&f, 0..20, |f, i| async move {
        let (id, number) = if i % 2 == 0 {
            (1001, 6000 + i)
        } else {
            (1002, 6000 + i)
        };
        f.patch(
            &format!("/accounts/{id}"),
            json!({"number": number, "title": format!("T{i}")}),
        )
        .await
        .status()
        .as_u16()
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    f.assert_claims_consistent().await;
}
