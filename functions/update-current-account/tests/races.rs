//! Email uniqueness under concurrency; the marker invariant is checked
//! after every race.

mod common;

use common::Fixture;
use futures::future::join_all;
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_accounts_claiming_one_new_email_have_one_winner() {
    let f = Arc::new(Fixture::new().await);
    let tokens: Vec<serde_json::Value> = (0..20)
        .map(|i| json!({"token": format!("racer-token-{i:02}-0123456789"), "account_id": format!("racer_{i}"), "role": "owner"}))
        .collect();
    let accounts: Vec<serde_json::Value> = (0..20)
        .map(|i| json!({"id": format!("racer_{i}"), "email": format!("racer{i}@example.com"), "name": format!("Racer {i}"), "type": "individual"}))
        .collect();
    f.seed(json!({"tokens": tokens, "accounts": accounts})).await;
    let tasks = (0..20).map(|i| {
        let f = Arc::clone(&f);
        tokio::spawn(async move {
            f.patch(
                &format!("racer-token-{i:02}-0123456789"),
                json!({"email": "Prize@Example.com"}),
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
async fn changing_an_email_while_another_claims_the_old_one_stays_consistent() {
    let f = Arc::new(Fixture::new().await);
    for round in 0..10 {
        // acct_1 moves from its address to a new one while the admin's
        // account tries to take acct_1's current address.
        let current = f.account("acct_1").await["email"].as_s().unwrap().clone();
        let next = format!("one.{round}@example.com");
        let mover = tokio::spawn({
            let f = Arc::clone(&f);
            async move {
                f.patch(common::T1, json!({ "email": next }))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let taker = tokio::spawn({
            let f = Arc::clone(&f);
            let current = current.clone();
            async move {
                f.patch(common::ADMIN, json!({ "email": current }))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let (moved, took) = (mover.await.unwrap(), taker.await.unwrap());
        assert_eq!(moved, 200, "round {round}");
        assert!(took == 200 || took == 409, "round {round}: {took}");
        f.assert_email_markers_consistent().await;
        let admin_email = f.account("acct_admin").await["email"].as_s().unwrap().clone();
        assert_eq!(took == 200, admin_email == current, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_cannot_exceed_the_attempt_budget() {
    let f = Arc::new(Fixture::new().await);
    assert_eq!(
        f.patch(common::T2, json!({"email": "guarded@example.com"}))
            .await
            .status(),
        200
    );
    let code = f.outbox_code("acct_2").await.unwrap();
    let guesses: Vec<String> = (0..40u32)
        .map(|i| format!("{:06}", (i * 7919) % 1_000_000))
        .filter(|g| *g != code)
        .collect();
    let tasks = guesses.into_iter().map(|guess| {
        let f = Arc::clone(&f);
        tokio::spawn(async move {
            testkit::events::body_json(&f.confirm(common::T2, &guess).await)["message"]
                .as_str()
                .unwrap()
                .to_owned()
        })
    });
    let messages: Vec<String> = join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    let compared = messages.iter().filter(|m| m.contains("not valid")).count();
    assert!(compared <= 5, "{compared} guesses were compared: {messages:?}");
    // The budget is spent: even the right code is refused now.
    assert_eq!(f.confirm(common::T2, &code).await.status(), 400);
    assert_eq!(
        f.account("acct_2").await["email"].as_s().unwrap(),
        "two@example.com"
    );
    f.assert_email_markers_consistent().await;
}
