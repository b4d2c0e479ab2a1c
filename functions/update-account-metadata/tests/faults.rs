//! DynamoDB misbehaving between the SDK and the local server (never
//! answering, slow, reset, 500, throttling, unreachable): every request is
//! answered 503 with `Retry-After` in problem+json, within the time budget,
//! and nothing is written (`testkit::check_faults`).

mod common;

use common::{Fixture, SALES, assert_problem};
use testkit::{EVERY_FAULT, check_faults, events};
use update_account_metadata::{State, TABLE_LOGICAL_ID, handle};

#[tokio::test]
async fn dynamodb_faults_are_503_in_budget_and_change_nothing() {
    let f = Fixture::new().await;
    let auth = format!("Bearer {SALES}");
    let faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    let answers = check_faults(&f.db, TABLE_LOGICAL_ID, &faults, 503, |table| {
        let req = events::api_request(
            "PATCH",
            "/accounts/acct_1/metadata",
            &[("accountId", "acct_1")],
            &[("authorization", &auth), ("content-type", "application/json")],
            Some(br#"{"name": "Faulted", "metadata": {"k": 1}}"#),
        );
        async move { handle(&State { table }, req).await }
    })
    .await;
    // EVERY_FAULT, then "connection refused": only throttling says so.
    let codes = [
        "unavailable",
        "unavailable",
        "unavailable",
        "unavailable",
        "throttled",
        "unavailable",
    ];
    assert_eq!(answers.len(), codes.len());
    for (answer, code) in answers.iter().zip(codes) {
        assert_problem(answer, 503, code);
    }
}
