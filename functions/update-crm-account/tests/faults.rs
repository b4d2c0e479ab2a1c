//! DynamoDB misbehaving between the SDK and the local server (never
//! answering, slow, reset, 500, throttling, a transaction conflict on the
//! number claim, unreachable): every request is answered 503 with
//! `Retry-After` in the contract's envelope, within the time budget, and
//! nothing is written, the transaction's entries included
//! (`testkit::check_faults`).

mod common;

use common::{Fixture, KEY_A, assert_error};
use testkit::{EVERY_FAULT, Fault, check_faults, events};
use update_crm_account::{State, TABLE_LOGICAL_ID, handle};

#[tokio::test]
async fn dynamodb_faults_are_503_in_budget_and_change_nothing() {
    let f = Fixture::new().await;
    let mut faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    faults.push((Fault::TransactionConflict, Some("TransactWriteItems")));
    let answers = check_faults(&f.db, TABLE_LOGICAL_ID, &faults, 503, |table| {
        // A new number: a transaction (account update + number claim).
        let req = events::api_request(
            "PATCH",
            "/accounts/1001",
            &[("accountId", "1001")],
            &[("x-api-key", KEY_A), ("content-type", "application/json")],
            Some(br#"{"title": "Faulted", "number": 98765}"#),
        );
        async move { handle(&State { table }, req).await }
    })
    .await;
    for answer in &answers {
        assert_error(answer, 503, "ServiceUnavailableError");
    }
}
