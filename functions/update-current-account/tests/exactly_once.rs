//! Exactly once on `PATCH /v1/account` and `POST /v1/account/email/confirm`
//! where the generic checks (`testkit::suite::safe_edits`) cannot reach: an admin's
//! target account in the fingerprint, and a verification code or a
//! confirmation try whose commit's answer is lost (sent, counted once).

mod common;

use common::{ADMIN, Fixture, T2, assert_error, ok, wrong_code};
use lambda_http::{Body, Response};
use serde_json::json;
use shared::idempotency::REPLAYED;
use shared::store::Table;
use std::time::Duration;
use testkit::{AnswerLoss, FaultProxy, TEST_BUDGET, events};
use update_current_account::{State, handle, handle_confirm};

/// The operations that commit writes.
const WRITES: [&str; 2] = ["UpdateItem", "TransactWriteItems"];

/// A state whose table is reached through `proxy`.
fn through(f: &Fixture, proxy: &FaultProxy) -> State {
    let client = testkit::local_client_with(proxy.endpoint(), TEST_BUDGET);
    State {
        table: Table::new(client, f.state.table.name().to_owned()),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn confirm_via(state: &State, token: &str, key: Option<&str>, code: &str) -> Response<Body> {
    let auth = bearer(token);
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    if let Some(key) = key {
        headers.push(("idempotency-key", key));
    }
    let body = json!({ "code": code }).to_string();
    let req = events::api_request(
        "POST",
        "/v1/account/email/confirm",
        &[],
        &headers,
        Some(body.as_bytes()),
    );
    Box::pin(handle_confirm(state, req)).await
}

async fn patch_via(state: &State, token: &str, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    let auth = bearer(token);
    let mut all = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    all.extend_from_slice(headers);
    let req = events::api_request("PATCH", "/v1/account", &[], &all, Some(body.as_bytes()));
    Box::pin(handle(state, req)).await
}

#[tokio::test]
async fn one_key_for_two_target_accounts_is_422_never_the_other_accounts_replay() {
    let f = Fixture::new().await;
    let body = r#"{"name": "Renamed by admin"}"#;
    let first = patch_via(
        &f.state,
        ADMIN,
        &[("x-account-id", "acct_1"), ("idempotency-key", "admin-1")],
        body,
    )
    .await;
    assert_eq!(ok(&first)["id"], "acct_1");
    let before = f.account("acct_2").await;
    let second = patch_via(
        &f.state,
        ADMIN,
        &[("x-account-id", "acct_2"), ("idempotency-key", "admin-1")],
        body,
    )
    .await;
    assert_error(&second, 422, "idempotency_key_reused");
    assert!(events::header(&second, REPLAYED).is_none());
    assert_eq!(f.account("acct_2").await, before, "acct_2 untouched");
}

#[tokio::test]
async fn an_email_change_whose_answer_is_lost_sends_one_code() {
    let f = Fixture::new().await;
    let proxy = FaultProxy::start(f.db.endpoint()).await;
    let key = [("idempotency-key", "email-1")];
    let body = r#"{"email": "new-two@example.com"}"#;
    proxy.lose_answers(&WRITES, TEST_BUDGET.operation * 2, AnswerLoss::Reset);
    let lost = patch_via(&through(&f, &proxy), T2, &key, body).await;
    assert!(proxy.lost() >= 1, "the change reached DynamoDB");
    assert_error(&lost, 503, "service_unavailable");
    proxy.clear();
    let code = f.outbox_code("acct_2").await.expect("a code was written");
    assert_eq!(f.count("acct_2", "verify_codes_sent").await, 1);

    let retry = patch_via(&f.state, T2, &key, body).await;
    assert_eq!(ok(&retry)["pending_email"], "new-two@example.com");
    assert_eq!(events::header(&retry, REPLAYED), Some("true"));
    assert_eq!(f.count("acct_2", "verify_codes_sent").await, 1, "one code sent");
    assert_eq!(f.outbox_code("acct_2").await, Some(code), "the same code");
}

#[tokio::test]
async fn a_confirmation_whose_answer_is_lost_is_replayed_and_counted_once() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "confirmed@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    let proxy = FaultProxy::start(f.db.endpoint()).await;
    proxy.lose_answers(&WRITES, TEST_BUDGET.operation * 2, AnswerLoss::Reset);
    let lost = confirm_via(&through(&f, &proxy), T2, Some("confirm-1"), &code).await;
    assert!(proxy.lost() >= 1);
    assert_error(&lost, 503, "service_unavailable");
    proxy.clear();
    assert_eq!(
        f.account("acct_2").await["email"].as_s().unwrap(),
        "confirmed@example.com",
        "the confirmation committed"
    );

    let retry = confirm_via(&f.state, T2, Some("confirm-1"), &code).await;
    assert_eq!(ok(&retry)["email"], "confirmed@example.com");
    assert_eq!(events::header(&retry, REPLAYED), Some("true"));
    assert_eq!(f.count("acct_2", "verify_tries").await, 1, "one try counted");
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn a_wrong_code_is_counted_once_when_resent_with_or_without_a_key() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "guess@example.com"})).await);
    let wrong = wrong_code(&f.outbox_code("acct_2").await.unwrap());

    // With a key: the 400 that followed a counted try is kept and replayed.
    let first = confirm_via(&f.state, T2, Some("wrong-1"), &wrong).await;
    assert_error(&first, 400, "invalid_request");
    let again = confirm_via(&f.state, T2, Some("wrong-1"), &wrong).await;
    assert_error(&again, 400, "invalid_request");
    assert_eq!(events::header(&again, REPLAYED), Some("true"));
    assert_eq!(f.count("acct_2", "pending_attempts").await, 1);

    // Without a key: the try's answer is lost once and the SDK sends it
    // again; the resend is recognised as the committed try.
    let proxy = FaultProxy::start(f.db.endpoint()).await;
    proxy.lose_answers(&WRITES, Duration::ZERO, AnswerLoss::Reset);
    let resent = confirm_via(&through(&f, &proxy), T2, None, &wrong).await;
    assert_eq!(proxy.lost(), 1);
    assert_error(&resent, 400, "invalid_request");
    assert_eq!(f.count("acct_2", "pending_attempts").await, 2, "counted once");
    assert_eq!(f.count("acct_2", "verify_tries").await, 2);
}
