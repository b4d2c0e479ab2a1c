//! DynamoDB misbehaving between the SDK and the local server (never
//! answering, slow, reset, 500, throttling, a transaction conflict on the
//! email claim, unreachable): every request to either route is answered
//! 503 `service_unavailable` with `Retry-After`, within the time budget,
//! and nothing is written, the transaction's entries included
//! (`testkit::check_faults`).

mod common;

use common::{Fixture, T1, T2, assert_error};
use testkit::{EVERY_FAULT, Fault, check_faults, events};
use update_current_account::{State, TABLE_LOGICAL_ID, handle, handle_confirm};

#[tokio::test]
async fn dynamodb_faults_are_503_in_budget_and_change_nothing() {
    let f = Fixture::new().await;
    let auth = format!("Bearer {T1}");
    let mut faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    faults.push((Fault::TransactionConflict, Some("TransactWriteItems")));
    let answers = check_faults(&f.db, TABLE_LOGICAL_ID, &faults, 503, |table| {
        // A new address: a transaction (account, new marker, old marker).
        let req = events::api_request(
            "PATCH",
            "/v1/account",
            &[],
            &[("authorization", &auth), ("content-type", "application/json")],
            Some(br#"{"email": "faulted@example.com"}"#),
        );
        async move { handle(&State { table }, req).await }
    })
    .await;
    for answer in &answers {
        assert_error(answer, 503, "service_unavailable");
    }
}

#[tokio::test]
async fn dynamodb_faults_on_confirmation_are_503_in_budget_and_change_nothing() {
    let f = Fixture::new().await;
    let auth = format!("Bearer {T2}");
    let faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    let answers = check_faults(&f.db, TABLE_LOGICAL_ID, &faults, 503, |table| {
        let req = events::api_request(
            "POST",
            "/v1/account/email/confirm",
            &[],
            &[("authorization", &auth), ("content-type", "application/json")],
            Some(br#"{"code": "1234567890"}"#),
        );
        async move { handle_confirm(&State { table }, req).await }
    })
    .await;
    for answer in &answers {
        assert_error(answer, 503, "service_unavailable");
    }
}
