//! The fault proxy between the SDK and the real local DynamoDB, and what
//! the SDK, configured with a time budget, makes of each fault: every call
//! ends within its operation timeout, classified for the endpoints
//! (throttling apart from everything else), and a faulted transaction
//! lands whole or not at all.

use shared::Ctx;
use shared::store::write::{Failure, Plan, Transaction, write};
use shared::store::{Key, StoreError, Table, TimeBudget, Update};
use std::time::{Duration, Instant};
use testkit::{Fault, FaultProxy, TestDb, local_client_with, refused_endpoint};

/// The tests' short budget (see `testkit::TEST_BUDGET`).
const BUDGET: TimeBudget = testkit::TEST_BUDGET;

/// How late past the operation timeout a call may end (scheduling slack).
const SLACK: Duration = Duration::from_millis(700);

const TABLE: &str = "OrgAccountsTable";

fn key() -> Key {
    Key::new("ACCOUNT#a", "ACCOUNT")
}

async fn setup() -> (TestDb, FaultProxy, Table) {
    let db = TestDb::start().await;
    db.put(
        TABLE,
        vec![
            key().into_item_with(
                [(
                    "name".to_owned(),
                    aws_sdk_dynamodb::types::AttributeValue::S("A".into()),
                )]
                .into(),
            ),
        ],
    )
    .await;
    let proxy = FaultProxy::start(db.endpoint()).await;
    let table = Table::new(
        local_client_with(proxy.endpoint(), BUDGET),
        db.table(TABLE).name().to_owned(),
    );
    (db, proxy, table)
}

async fn timed_get(table: &Table) -> (Result<Option<shared::store::Item>, StoreError>, Duration) {
    let started = Instant::now();
    let result = table.get(&key(), true).await;
    (result, started.elapsed())
}

#[tokio::test]
async fn requests_pass_through_until_a_fault_is_set() {
    let (_db, proxy, table) = setup().await;
    let (result, _) = timed_get(&table).await;
    assert!(result.unwrap().is_some());
    assert_eq!((proxy.requests(), proxy.faulted()), (1, 0));
}

#[tokio::test]
async fn a_server_that_never_answers_costs_one_operation_timeout() {
    let (_db, proxy, table) = setup().await;
    proxy.set(Fault::Blackhole, None);
    let (result, took) = timed_get(&table).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    assert!(took < BUDGET.operation + SLACK, "{took:?}");
    assert!(proxy.requests() >= 2, "attempts time out and are retried");
}

#[tokio::test]
async fn a_slow_answer_past_the_attempt_timeout_fails_in_budget() {
    let (_db, proxy, table) = setup().await;
    proxy.set(Fault::Slow(BUDGET.attempt * 2), None);
    let (result, took) = timed_get(&table).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    assert!(took < BUDGET.operation + SLACK, "{took:?}");
}

#[tokio::test]
async fn a_reset_mid_response_and_a_refused_connection_fail_in_budget() {
    let (_db, proxy, table) = setup().await;
    proxy.set(Fault::ResetMidResponse, None);
    let (result, took) = timed_get(&table).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    assert!(took < BUDGET.operation + SLACK, "{took:?}");

    let refused = Table::new(local_client_with(&refused_endpoint().await, BUDGET), TABLE);
    let (result, took) = timed_get(&refused).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    assert!(took < BUDGET.operation + SLACK, "{took:?}");
}

#[tokio::test]
async fn server_errors_are_retried_then_failed_and_throttling_is_told_apart() {
    let (_db, proxy, table) = setup().await;
    proxy.set(Fault::InternalServerError, None);
    let (result, took) = timed_get(&table).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{result:?}");
    assert_eq!(proxy.faulted(), BUDGET.max_attempts as usize, "500s are retried");
    assert!(took < BUDGET.operation + SLACK, "{took:?}");

    proxy.set(Fault::Throttling, None);
    let (result, _) = timed_get(&table).await;
    assert!(matches!(result, Err(StoreError::Throttled(_))), "{result:?}");
}

#[tokio::test]
async fn a_conflicted_transaction_lands_nothing_and_says_why() {
    let (db, proxy, table) = setup().await;
    let before = db.snapshot(TABLE).await;
    proxy.set(Fault::TransactionConflict, Some("TransactWriteItems"));
    let result = write(&Ctx::detached(), &table, &key(), None, |_| -> Result<Plan, ()> {
        let mut update = Update::new();
        update.set(&["name"], aws_sdk_dynamodb::types::AttributeValue::S("B".into()));
        let mut transaction = Transaction::new(&table, &key(), update);
        transaction.put(
            Key::new("MARKER#x", "MARKER").into_item_with(Default::default()),
            None,
        );
        Ok(transaction.into())
    })
    .await;
    match result {
        Err(Failure::Store(StoreError::Unavailable(why))) => {
            assert!(why.contains("TransactionConflict"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(db.snapshot(TABLE).await, before, "nothing landed");
}

/// The telemetry line's `dynamodb_calls` and `dynamodb_retries` come from
/// the request's counts: one call per operation, one attempt per request
/// the SDK transmits (its retries of a 500 included).
#[tokio::test]
async fn every_attempt_the_sdk_transmits_is_counted_into_the_request() {
    use shared::scope::Scope;
    let (_db, proxy, table) = setup().await;
    let scope = Scope::new();
    let (result, _) = scope.run(timed_get(&table)).await;
    assert!(result.unwrap().is_some());
    assert_eq!((scope.stats().calls, scope.stats().attempts), (1, 1));

    proxy.set(Fault::InternalServerError, None);
    let scope = Scope::new();
    let (result, _) = scope.run(timed_get(&table)).await;
    assert!(result.is_err());
    assert_eq!(proxy.faulted(), BUDGET.max_attempts as usize);
    assert_eq!(
        (scope.stats().calls, scope.stats().attempts),
        (1, BUDGET.max_attempts),
        "each retry is an attempt of the one call"
    );
}
