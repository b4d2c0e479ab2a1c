//! DynamoDB misbehaving between the SDK and the local server (never
//! answering, slow, reset, 500, throttling, a transaction conflict on the
//! email claim, unreachable): every request is answered 429 (the status
//! contract 004 lists for "retry later") with `Retry-After` in the
//! contract's envelope, within the time budget, and nothing is written,
//! the transaction's entries included (`testkit::check_faults`).

mod common;

use common::{ACC, ADMIN, Fixture, assert_error};
use testkit::{EVERY_FAULT, Fault, check_faults, events};
use update_account_v2::{State, TABLE_LOGICAL_ID, handle};

#[tokio::test]
async fn dynamodb_faults_are_429_in_budget_and_change_nothing() {
    let f = Fixture::new().await;
    let path = format!("/v2/accounts/{ACC}");
    let mut faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    faults.push((Fault::TransactionConflict, Some("TransactWriteItems")));
    let answers = check_faults(&f.db, TABLE_LOGICAL_ID, &faults, 429, |table| {
        // A new address: a transaction (account, new marker, old marker).
        let req = events::api_request(
            "PATCH",
            &path,
            &[("accountId", ACC)],
            &[("x-auth-token", ADMIN), ("content-type", "application/json")],
            Some(br#"{"email": "faulted@example.com", "displayName": "Faulted"}"#),
        );
        async move { handle(&State { table }, req).await }
    })
    .await;
    for answer in &answers {
        assert_error(answer, 429, "RATE_LIMITED");
    }
}
