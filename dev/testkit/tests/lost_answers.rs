//! The lost-answer fault with the bare SDK: a write through the proxy
//! reaches DynamoDB and commits, yet the call fails at the client, because
//! its answer and those of the SDK's retries within the window are lost;
//! each of those retries commits too; other operations pass meanwhile;
//! after the window calls succeed again.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::store::{Key, TimeBudget};
use std::time::{Duration, Instant};
use testkit::{AnswerLoss, FaultProxy, LostAnswer, TestDb, local_client_with, lose_write_answers};

/// The tests' short budget (see `testkit::TEST_BUDGET`), with room for a
/// slower engine's answers (DynamoDB Local's JVM answers its first calls in
/// hundreds of milliseconds): still well inside [`WINDOW`], so every
/// resend of a lost write falls in it.
const BUDGET: TimeBudget = TimeBudget {
    attempt: Duration::from_millis(300),
    operation: Duration::from_millis(1000),
    ..testkit::TEST_BUDGET
};

/// A window past the whole of one SDK call (its operation timeout), with
/// room for a second call.
const WINDOW: Duration = Duration::from_millis(1500);

const TABLE: &str = "OrgAccountsTable";

fn key(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A database with account `a` at version 1 and count 0, a proxy in front
/// of it, a bare SDK client through the proxy, and the table's name.
async fn setup() -> (TestDb, FaultProxy, Client, String) {
    let db = TestDb::start().await;
    db.put(
        TABLE,
        vec![key("a").into_item_with([("version".to_owned(), n(1)), ("count".to_owned(), n(0))].into())],
    )
    .await;
    let proxy = FaultProxy::start(db.endpoint()).await;
    let client = local_client_with(proxy.endpoint(), BUDGET);
    let name = db.table(TABLE).name().to_owned();
    (db, proxy, client, name)
}

/// A number attribute of an item read directly from DynamoDB (not through
/// the proxy).
async fn stored_number(db: &TestDb, id: &str, attribute: &str) -> i64 {
    let item = db.get(TABLE, &key(id)).await.expect("item stored");
    match item.get(attribute) {
        Some(AttributeValue::N(v)) => v.parse().expect("a number"),
        other => panic!("{attribute}: {other:?}"),
    }
}

fn lost(operation: &str, status: u16) -> LostAnswer {
    LostAnswer {
        operation: operation.to_owned(),
        status,
    }
}

/// Adds 1 to account `a`'s count (no condition: every attempt that reaches
/// DynamoDB adds 1).
async fn increment(client: &Client, name: &str) -> Result<(), String> {
    client
        .update_item()
        .table_name(name)
        .set_key(Some(key("a").to_item()))
        .update_expression("ADD #c :one")
        .expression_attribute_names("#c", "count")
        .expression_attribute_values(":one", n(1))
        .send()
        .await
        .map(drop)
        .map_err(|e| format!("{:?}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))
}

#[tokio::test]
async fn a_put_whose_answers_are_lost_fails_at_the_client_yet_is_stored() {
    for how in [AnswerLoss::Reset, AnswerLoss::Unanswered] {
        let (db, proxy, client, name) = setup().await;
        proxy.lose_answers(&["PutItem"], WINDOW, how);
        let started = Instant::now();
        let result = client
            .put_item()
            .table_name(&name)
            .set_item(Some(
                key("new").into_item_with([("version".to_owned(), n(1))].into()),
            ))
            .send()
            .await;
        let took = started.elapsed();
        assert!(result.is_err(), "{how:?}: {result:?}");
        assert!(
            took < BUDGET.operation + Duration::from_millis(700),
            "{how:?}: {took:?}"
        );
        assert_eq!(stored_number(&db, "new", "version").await, 1, "{how:?}");
        let answers = proxy.lost_answers();
        match how {
            // A reset is retried at once, so every attempt is lost.
            AnswerLoss::Reset => assert_eq!(answers.len(), BUDGET.max_attempts as usize, "{how:?}"),
            // Each attempt waits for its timeout first: at least one retry.
            AnswerLoss::Unanswered => assert!(answers.len() >= 2, "{how:?}: {answers:?}"),
        }
        assert!(
            answers.iter().all(|a| *a == lost("PutItem", 200)),
            "{how:?}: {answers:?}"
        );
        assert_eq!(proxy.lost(), answers.len());
        assert_eq!(
            proxy.requests(),
            answers.len(),
            "{how:?}: every request lost its answer"
        );
        assert_eq!(proxy.faulted(), answers.len(), "{how:?}");
    }
}

#[tokio::test]
async fn without_a_window_the_sdk_retry_meets_the_committed_write() {
    let (db, proxy, client, name) = setup().await;
    proxy.lose_answers(&["UpdateItem"], Duration::ZERO, AnswerLoss::Reset);
    // A conditional update from version 1 to 2: the first attempt commits,
    // its answer is lost, and the SDK's retry finds version 2.
    let result = client
        .update_item()
        .table_name(&name)
        .set_key(Some(key("a").to_item()))
        .update_expression("SET version = :next")
        .condition_expression("version = :read")
        .expression_attribute_values(":read", n(1))
        .expression_attribute_values(":next", n(2))
        .send()
        .await;
    let err = result
        .expect_err("the retry's condition fails")
        .into_service_error();
    assert!(err.is_conditional_check_failed_exception(), "{err:?}");
    assert_eq!(stored_number(&db, "a", "version").await, 2);
    assert_eq!(proxy.lost_answers(), vec![lost("UpdateItem", 200)]);
    assert_eq!(
        proxy.requests(),
        2,
        "the lost attempt and the retry that got its answer"
    );
}

#[tokio::test]
async fn inside_the_window_each_call_commits_and_fails_after_it_calls_pass() {
    let (db, proxy, client, name) = setup().await;
    proxy.lose_answers(&["UpdateItem"], WINDOW, AnswerLoss::Reset);

    let first = increment(&client, &name).await;
    // The window opened when the first request arrived, before this.
    let first_returned = Instant::now();
    assert!(first.is_err(), "{first:?}");
    let after_first = proxy.lost();
    assert_eq!(after_first, BUDGET.max_attempts as usize);
    assert_eq!(
        stored_number(&db, "a", "count").await,
        after_first as i64,
        "every attempt committed"
    );

    // Other operations pass within the window.
    let read = client
        .get_item()
        .table_name(&name)
        .set_key(Some(key("a").to_item()))
        .consistent_read(true)
        .send()
        .await
        .expect("a read passes");
    assert_eq!(
        read.item.and_then(|i| i.get("count").cloned()),
        Some(n(after_first as i64))
    );

    // A second call inside the window: committed, and failed.
    let second = increment(&client, &name).await;
    assert!(second.is_err(), "{second:?}");
    let in_window = proxy.lost();
    assert_eq!(in_window, 2 * after_first);
    assert_eq!(stored_number(&db, "a", "count").await, in_window as i64);
    assert!(
        proxy.lost_answers().iter().all(|a| *a == lost("UpdateItem", 200)),
        "{:?}",
        proxy.lost_answers()
    );

    // After the window: answered.
    tokio::time::sleep_until((first_returned + WINDOW + Duration::from_millis(50)).into()).await;
    increment(&client, &name)
        .await
        .expect("answered after the window");
    assert_eq!(proxy.lost(), in_window, "nothing lost after the window");
    assert_eq!(stored_number(&db, "a", "count").await, in_window as i64 + 1);
}

#[tokio::test]
async fn clear_disarms_the_lost_answer_fault() {
    let (db, proxy, client, name) = setup().await;
    proxy.lose_answers(&["UpdateItem"], WINDOW, AnswerLoss::Reset);
    proxy.clear();
    increment(&client, &name).await.expect("answered");
    assert_eq!((proxy.lost(), proxy.faulted()), (0, 0));
    assert_eq!(stored_number(&db, "a", "count").await, 1);
}

#[tokio::test]
async fn lose_write_answers_hands_back_the_answer_of_a_committed_write() {
    let (db, _proxy, _client, _name) = setup().await;
    let outcome = lose_write_answers(
        &db,
        TABLE,
        &["UpdateItem"],
        BUDGET.operation,
        |table| async move {
            // A stand-in handler: reads (passes), writes (lost), answers 503
            // when the write failed.
            table.get(&key("a"), true).await.expect("the read passes");
            let status = match increment(table.client(), table.name()).await {
                Ok(()) => 200,
                Err(_) => 503,
            };
            lambda_http::Response::builder()
                .status(status)
                .body(lambda_http::Body::Empty)
                .expect("response")
        },
    )
    .await;
    assert_eq!(outcome.response.status(), 503);
    assert_eq!(
        outcome.lost.len(),
        BUDGET.max_attempts as usize,
        "{:?}",
        outcome.lost
    );
    assert_eq!(outcome.lost[0], lost("UpdateItem", 200));
    assert_eq!(
        outcome.requests,
        outcome.lost.len() + 1,
        "the read, and the lost attempts"
    );
    assert_eq!(
        stored_number(&db, "a", "count").await,
        outcome.lost.len() as i64,
        "the write committed"
    );
}
