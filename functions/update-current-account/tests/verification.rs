//! Email verification cannot be brute-forced or squatted: the budget of
//! codes and tries per account and window, and addresses claimed only at
//! confirmation.

mod common;

use common::{ADMIN, Fixture, T1, T2, assert_error, ok, without_counters, wrong_code};
use lambda_http::{Body, Response};
use serde_json::json;
use testkit::events;
use update_current_account::{
    TABLE_LOGICAL_ID,
    store::budget::{MAX_CODES_PER_WINDOW, MAX_TRIES_PER_WINDOW, WINDOW_SECONDS},
    store::email_key,
};

/// Asserts a 429 in the envelope with `Retry-After` (seconds until the
/// window that started moments ago ends).
fn assert_rate_limited(response: &Response<Body>) {
    assert_error(response, 429, "too_many_requests");
    let retry_after: i64 = events::header(response, "retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!(
        (WINDOW_SECONDS - 120..=WINDOW_SECONDS).contains(&retry_after),
        "{retry_after}"
    );
}

#[tokio::test]
async fn re_requesting_a_code_does_not_reset_the_tries() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "first@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    for _ in 0..3 {
        assert_error(&f.confirm(T2, &wrong_code(&code)).await, 400, "invalid_request");
    }
    // The same address again, then another one: new codes, same count.
    ok(&f.patch(T2, json!({"email": "First@example.com"})).await);
    assert_eq!(f.count("acct_2", "pending_attempts").await, 3);
    ok(&f.patch(T2, json!({"email": "second@example.com"})).await);
    assert_eq!(f.count("acct_2", "pending_attempts").await, 3);
    assert_eq!(f.count("acct_2", "verify_tries").await, 3);
    assert_eq!(f.count("acct_2", "verify_codes_sent").await, 3);
    let code = f.outbox_code("acct_2").await.unwrap();
    for _ in 0..2 {
        let body = assert_error(&f.confirm(T2, &wrong_code(&code)).await, 400, "invalid_request");
        assert!(body["message"].as_str().unwrap().contains("not valid"), "{body}");
    }
    // Five tries in all: even the right code is refused and the change is gone.
    let body = assert_error(&f.confirm(T2, &code).await, 400, "invalid_request");
    assert!(body["message"].as_str().unwrap().contains("too many"), "{body}");
    let stored = f.account("acct_2").await;
    assert_eq!(stored["email"].as_s().unwrap(), "two@example.com");
    assert!(!stored.contains_key("pending_email"));
    assert!(f.outbox_code("acct_2").await.is_none());
    // And no new code until the window ends.
    let before = f.snapshot().await;
    assert_rate_limited(&f.patch(T2, json!({"email": "third@example.com"})).await);
    assert_eq!(f.snapshot().await, before);
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn a_code_past_the_window_budget_is_429_with_retry_after_and_stores_nothing() {
    let f = Fixture::new().await;
    for i in 0..MAX_CODES_PER_WINDOW {
        ok(&f
            .patch(T2, json!({ "email": format!("code{i}@example.com") }))
            .await);
    }
    let before = f.snapshot().await;
    let response = f
        .patch(T2, json!({"name": "Renamed", "email": "one.more@example.com"}))
        .await;
    assert_rate_limited(&response);
    let body = events::body_json(&response);
    assert!(
        body["message"].as_str().unwrap().contains("codes requested"),
        "{body}"
    );
    // Not even for the address already pending.
    assert_rate_limited(&f.patch(T2, json!({"email": "code2@example.com"})).await);
    assert_eq!(f.snapshot().await, before);
    // Changes without a code are not limited.
    assert_eq!(
        ok(&f.patch(T2, json!({"name": "Renamed"})).await)["name"],
        "Renamed"
    );
    // When the window has ended, codes can be sent again.
    f.end_verification_window("acct_2").await;
    ok(&f.patch(T2, json!({"email": "next.day@example.com"})).await);
    assert_eq!(f.count("acct_2", "verify_codes_sent").await, 1);
}

#[tokio::test]
async fn tries_past_the_window_budget_are_429_even_for_a_new_change() {
    let f = Fixture::new().await;
    // Change A: two wrong codes, then the right one (three tries).
    ok(&f.patch(T2, json!({"email": "a@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    for _ in 0..2 {
        assert_error(&f.confirm(T2, &wrong_code(&code)).await, 400, "invalid_request");
    }
    ok(&f.confirm(T2, &code).await);
    // Change B starts with no tries of its own but the account has two left.
    ok(&f.patch(T2, json!({"email": "b@example.com"})).await);
    assert_eq!(f.count("acct_2", "pending_attempts").await, 0);
    let code = f.outbox_code("acct_2").await.unwrap();
    for _ in 0..2 {
        assert_error(&f.confirm(T2, &wrong_code(&code)).await, 400, "invalid_request");
    }
    assert_eq!(f.count("acct_2", "verify_tries").await, MAX_TRIES_PER_WINDOW);
    let before = f.snapshot().await;
    let response = f.confirm(T2, &code).await;
    assert_rate_limited(&response);
    let body = events::body_json(&response);
    assert!(
        body["message"].as_str().unwrap().contains("codes tried"),
        "{body}"
    );
    assert_rate_limited(&f.patch(T2, json!({"email": "c@example.com"})).await);
    assert_eq!(
        f.snapshot().await,
        before,
        "the change stays pending, nothing counted"
    );
    // Once the window ends, the pending change can be confirmed.
    f.end_verification_window("acct_2").await;
    assert_eq!(ok(&f.confirm(T2, &code).await)["email"], "b@example.com");
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn another_account_can_take_a_pending_address_and_the_confirmation_is_409() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "contested@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    // The pending address blocks nobody.
    let body = ok(&f.patch(T1, json!({"email": "Contested@example.com"})).await);
    assert_eq!(body["email"], "Contested@example.com");
    f.assert_email_markers_consistent().await;
    let before = without_counters(f.snapshot().await);

    let body = assert_error(&f.confirm(T2, &code).await, 409, "email_exists");
    assert_eq!(
        body["message"],
        "This email is already linked to another account."
    );

    // The pending change is dropped (account fields and outbox message);
    // nothing else changed.
    let stored = f.account("acct_2").await;
    for name in [
        "pending_email",
        "pending_code_sha256",
        "pending_expires_at",
        "pending_attempts",
    ] {
        assert!(!stored.contains_key(name), "{name} left");
    }
    assert_eq!(stored["email"].as_s().unwrap(), "two@example.com");
    assert!(f.outbox_code("acct_2").await.is_none());
    let expected: Vec<_> = before
        .into_iter()
        .filter(|i| i["sk"].as_s().unwrap() != "OUTBOX#EMAIL_CHANGE")
        .map(|mut i| {
            for name in ["pending_email", "pending_code_sha256", "pending_expires_at"] {
                i.remove(name);
            }
            i
        })
        .collect();
    assert_eq!(without_counters(f.snapshot().await), expected);
    let marker =
        f.db.get(TABLE_LOGICAL_ID, &email_key("contested@example.com"))
            .await
            .unwrap();
    assert_eq!(marker["account_id"].as_s().unwrap(), "acct_1");
    f.assert_email_markers_consistent().await;
    // Nothing is pending any more.
    assert_error(&f.confirm(T2, &code).await, 400, "invalid_request");
}

#[tokio::test]
async fn an_address_in_use_is_409_when_requested_and_no_code_is_sent() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    for email in ["admin@example.com", "ONE@example.com"] {
        assert_error(
            &f.patch(T2, json!({"name": "x", "email": email})).await,
            409,
            "email_exists",
        );
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn pending_markers_of_earlier_versions_reserve_nothing() {
    let f = Fixture::new().await;
    let legacy = |address: &str| {
        let mut item = email_key(address).into_item_with(Default::default());
        item.insert(
            "account_id".into(),
            aws_sdk_dynamodb::types::AttributeValue::S("acct_admin".into()),
        );
        item.insert(
            "state".into(),
            aws_sdk_dynamodb::types::AttributeValue::S("pending".into()),
        );
        item.insert(
            "expires_at".into(),
            aws_sdk_dynamodb::types::AttributeValue::S("2999-01-01T00:00:00.000Z".into()),
        );
        item
    };
    f.db.put(
        TABLE_LOGICAL_ID,
        vec![legacy("old.one@example.com"), legacy("old.two@example.com")],
    )
    .await;
    ok(&f.patch(T1, json!({"email": "old.one@example.com"})).await);
    ok(&f.patch(T2, json!({"email": "old.two@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    ok(&f.confirm(T2, &code).await);
    f.assert_email_markers_consistent().await;
    // The admin account never held them, and can take neither now.
    assert_error(
        &f.patch(ADMIN, json!({"email": "old.one@example.com"})).await,
        409,
        "email_exists",
    );
}
