//! Email uniqueness and the verification budget under concurrency; the
//! marker invariant is checked after every race.

mod common;

use common::Fixture;
use serde_json::json;
use std::sync::Arc;
use testkit::concurrent::{concurrently, move_against_take, one_winner};
use update_current_account::store::budget::{
    MAX_CODES_PER_WINDOW, MAX_TRIES_PER_CHANGE, MAX_TRIES_PER_WINDOW,
};

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
    one_winner(&f, 20, |f, i| async move {
        f.patch(
            &format!("racer-token-{i:02}-0123456789"),
            json!({"email": "Prize@Example.com"}),
        )
        .await
    })
    .await;
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
        let moves = [(common::T1, next), (common::ADMIN, current.clone())];
        let took = move_against_take(&f, round, moves, |f, (token, email)| async move {
            f.patch(token, json!({ "email": email })).await
        })
        .await;
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
        .map(|i| format!("{:010}", (u64::from(i) * 7_919_000_003) % 10_000_000_000))
        .filter(|g| *g != code)
        .collect();
    let messages = concurrently(&f, guesses, |f, guess| async move {
        testkit::events::body_json(&f.confirm(common::T2, &guess).await)["message"]
            .as_str()
            .unwrap()
            .to_owned()
    })
    .await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_code_requests_cannot_exceed_the_code_budget() {
    let f = Arc::new(Fixture::new().await);
    let statuses = concurrently(&f, 0..12, |f, i| async move {
        f.patch(common::T2, json!({ "email": format!("burst{i}@example.com") }))
            .await
            .status()
            .as_u16()
    })
    .await;
    let max = MAX_CODES_PER_WINDOW as usize;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        max,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        12 - max,
        "{statuses:?}"
    );
    assert_eq!(f.count("acct_2", "verify_codes_sent").await, MAX_CODES_PER_WINDOW);
    f.assert_email_markers_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_confirms_and_re_requests_keep_the_bounds() {
    let f = Arc::new(Fixture::new().await);
    assert_eq!(
        f.patch(common::T2, json!({"email": "mixed@example.com"}))
            .await
            .status(),
        200
    );
    let code = f.outbox_code("acct_2").await.unwrap();
    let results: Vec<(u16, Option<String>)> = concurrently(&f, 0..30, |f, i| {
        let code = code.clone();
        let i = i as u64;
        async move {
            let response = match i % 6 {
                // Re-requests of the same and of other addresses.
                0 => f.patch(common::T2, json!({"email": "mixed@example.com"})).await,
                1 => {
                    f.patch(common::T2, json!({ "email": format!("other{i}@example.com") }))
                        .await
                }
                // The right code of the first change, and wrong guesses.
                2 => f.confirm(common::T2, &code).await,
                _ => f.confirm(common::T2, &format!("{:010}", i * 1_234_567 + 1)).await,
            };
            let status = response.status().as_u16();
            let message = testkit::events::body_json(&response)["message"]
                .as_str()
                .map(str::to_owned);
            (status, message)
        }
    })
    .await;
    for (status, _) in &results {
        assert!([200, 400, 429].contains(status), "{results:?}");
    }
    let compared = results
        .iter()
        .filter(|(_, m)| m.as_deref().is_some_and(|m| m.contains("not valid")))
        .count();
    assert!(compared <= MAX_TRIES_PER_WINDOW as usize, "{results:?}");
    assert!(f.count("acct_2", "verify_tries").await <= MAX_TRIES_PER_WINDOW);
    assert!(f.count("acct_2", "verify_codes_sent").await <= MAX_CODES_PER_WINDOW);
    assert!(f.count("acct_2", "pending_attempts").await <= MAX_TRIES_PER_CHANGE);
    f.assert_email_markers_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_confirmation_racing_a_claim_of_its_address_has_one_winner() {
    let f = Arc::new(Fixture::new().await);
    for round in 0..8 {
        f.end_verification_window("acct_2").await;
        let address = format!("race{round}@example.com");
        let requested = f.patch(common::T2, json!({ "email": address })).await;
        assert_eq!(requested.status(), 200, "round {round}");
        let code = f.outbox_code("acct_2").await.unwrap();
        // acct_2 confirms the address while acct_1 claims it.
        let statuses = concurrently(&f, 0..2, |f, i| {
            let (code, address) = (code.clone(), address.clone());
            async move {
                let response = match i {
                    0 => f.confirm(common::T2, &code).await,
                    _ => f.patch(common::T1, json!({ "email": address })).await,
                };
                response.status().as_u16()
            }
        })
        .await;
        let (confirmed, claimed) = (statuses[0], statuses[1]);
        assert!(
            (confirmed, claimed) == (200, 409) || (confirmed, claimed) == (409, 200),
            "round {round}: confirm {confirmed}, claim {claimed}"
        );
        let acct_2 = f.account("acct_2").await;
        assert!(!acct_2.contains_key("pending_email"), "round {round}");
        f.assert_email_markers_consistent().await;
        let holder = if confirmed == 200 { "acct_2" } else { "acct_1" };
        assert_eq!(
            f.account(holder).await["email"].as_s().unwrap(),
            &address,
            "round {round}"
        );
    }
}
