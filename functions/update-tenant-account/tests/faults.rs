//! DynamoDB misbehaving between the SDK and the local server (never
//! answering, slow, reset, 500, throttling, unreachable): every request is
//! answered 503 with `Retry-After` in the contract's envelope, within the
//! time budget, and nothing is written (`testkit::check_faults`).

mod common;

use common::{ACME, Fixture, KEY_A, assert_error};
use testkit::{EVERY_FAULT, check_faults, events};
use update_tenant_account::{State, TABLE_LOGICAL_ID, handle};

#[tokio::test]
async fn dynamodb_faults_are_503_in_budget_and_change_nothing() {
    let f = Fixture::new().await;
    let path = format!("/v0/accounts/{ACME}");
    let faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    let answers = check_faults(&f.db, TABLE_LOGICAL_ID, &faults, 503, |table| {
        let req = events::api_request(
            "PATCH",
            &path,
            &[("account_id", ACME)],
            &[("x-api-key", KEY_A), ("content-type", "application/json")],
            Some(br#"{"name": "Faulted"}"#),
        );
        async move {
            let state = State {
                table,
                prospect_page_size: None,
            };
            handle(&state, req).await
        }
    })
    .await;
    for answer in &answers {
        assert_error(answer, 503, "unavailable");
    }
}
