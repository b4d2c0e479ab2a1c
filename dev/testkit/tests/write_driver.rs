//! The shared write driver against a real DynamoDB-compatible server:
//! after-images equal what is stored, claims are classified by role (not
//! by position), a changed item is planned again, a missing one is the
//! plan's own refusal, and concurrent claims of one value have one winner.

use aws_sdk_dynamodb::types::AttributeValue;
use shared::Ctx;
use shared::store::{
    Cond, Item, Key, Table, Update,
    claims::{Owner, marker_key},
    write::{Failure, Plan, Transaction, write},
};
use std::sync::atomic::{AtomicUsize, Ordering};
use testkit::TestDb;

const TABLE: &str = "OrgAccountsTable";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn account_key(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

async fn seeded() -> (TestDb, Table) {
    let db = TestDb::start().await;
    let items = ["a", "b"]
        .iter()
        .map(|id| {
            account_key(id).into_item_with(
                [
                    ("name".to_owned(), s(id)),
                    ("version".to_owned(), n(1)),
                    (
                        "tags".to_owned(),
                        AttributeValue::M([("keep".to_owned(), s("x"))].into()),
                    ),
                ]
                .into(),
            )
        })
        .collect();
    db.put(TABLE, items).await;
    let table = db.table(TABLE);
    (db, table)
}

#[derive(Debug, PartialEq)]
enum Refusal {
    Missing,
}

/// A plan that renames `id`, claims `email` for it (with an unrelated
/// entry pushed before the claim), conditioned on the version read.
fn rename_and_claim<'a>(
    table: &'a Table,
    id: &'a str,
    email: &'a str,
    plans: &'a AtomicUsize,
) -> impl FnMut(Option<&Item>) -> Result<Plan, Refusal> + 'a {
    move |item| {
        plans.fetch_add(1, Ordering::SeqCst);
        let item = item.ok_or(Refusal::Missing)?;
        let mut update = Update::new();
        update
            .set(&["name"], s(&format!("{id} renamed")))
            .set(&["tags", "added"], s("y"))
            .remove(&["tags", "keep"])
            .increment("version", 1)
            .require(Cond::unchanged(item, "version"));
        let owner = Owner::new("owner", s(id));
        let mut tx = Transaction::new(table, &account_key(id), update);
        tx.put(
            Key::new(format!("AUDIT#{id}"), "AUDIT").into_item_with(Item::new()),
            None,
        );
        tx.claim(&owner, &marker_key("EMAIL", email), Item::new());
        Ok(tx.into())
    }
}

#[tokio::test]
async fn a_committed_transaction_returns_exactly_what_is_stored() {
    let (db, table) = seeded().await;
    let plans = AtomicUsize::new(0);
    let after = write(
        &Ctx::detached(),
        &table,
        &account_key("a"),
        None,
        rename_and_claim(&table, "a", "a@example.com", &plans),
    )
    .await
    .unwrap();
    let stored = db.get(TABLE, &account_key("a")).await.unwrap();
    assert_eq!(after, stored);
    assert_eq!(stored["version"], n(2));
    assert_eq!(
        stored["tags"],
        AttributeValue::M([("added".to_owned(), s("y"))].into())
    );
    assert_eq!(plans.load(Ordering::SeqCst), 1);
    let marker = db
        .get(TABLE, &marker_key("EMAIL", "a@example.com"))
        .await
        .unwrap();
    assert_eq!(marker["owner"], s("a"));
}

#[tokio::test]
async fn a_claim_taken_is_reported_by_its_number_not_its_position() {
    let (db, table) = seeded().await;
    let plans = AtomicUsize::new(0);
    write(
        &Ctx::detached(),
        &table,
        &account_key("a"),
        None,
        rename_and_claim(&table, "a", "x@example.com", &plans),
    )
    .await
    .unwrap();
    let before = db.snapshot(TABLE).await;
    let plans = AtomicUsize::new(0);
    let failure = write(
        &Ctx::detached(),
        &table,
        &account_key("b"),
        None,
        rename_and_claim(&table, "b", "x@example.com", &plans),
    )
    .await
    .unwrap_err();
    // The claim is entry 2 (after the audit put) but claim number 0.
    assert!(matches!(failure, Failure::Taken(0)), "{failure:?}");
    assert_eq!(plans.load(Ordering::SeqCst), 1, "a taken value is not retried");
    assert_eq!(
        db.snapshot(TABLE).await,
        before,
        "nothing of the transaction landed"
    );
}

#[tokio::test]
async fn a_missing_item_is_the_plans_refusal() {
    let (db, table) = seeded().await;
    let before = db.snapshot(TABLE).await;
    let plans = AtomicUsize::new(0);
    let failure = write(
        &Ctx::detached(),
        &table,
        &account_key("nobody"),
        None,
        rename_and_claim(&table, "nobody", "n@example.com", &plans),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(failure, Failure::Refused(Refusal::Missing)),
        "{failure:?}"
    );
    assert_eq!(db.snapshot(TABLE).await, before);
}

#[tokio::test]
async fn a_changed_item_is_planned_again_from_what_is_stored() {
    let (db, table) = seeded().await;
    let plans = AtomicUsize::new(0);
    let key = account_key("a");
    // The first plan sees version 1; before it commits, another writer
    // moves the item to version 2 (simulated by planning from a stale copy).
    let stale = db.get(TABLE, &key).await.unwrap();
    let mut bump = Update::new();
    bump.increment("version", 1);
    write(
        &Ctx::detached(),
        &table,
        &key,
        Some(bump),
        |_| -> Result<Plan, Refusal> { unreachable!("the bump is unconditional") },
    )
    .await
    .unwrap();
    let mut first_plan = true;
    let mut inner = rename_and_claim(&table, "a", "a@example.com", &plans);
    let after = write(&Ctx::detached(), &table, &key, None, |item| {
        // The driver read version 2; hand the first plan the stale item.
        if std::mem::take(&mut first_plan) {
            inner(Some(&stale))
        } else {
            inner(item)
        }
    })
    .await
    .unwrap();
    assert_eq!(plans.load(Ordering::SeqCst), 2, "planned again after the change");
    assert_eq!(after["version"], n(3));
    assert_eq!(after, db.get(TABLE, &key).await.unwrap());
}

#[tokio::test]
async fn a_single_item_plan_returns_all_new() {
    let (db, table) = seeded().await;
    let mut first = Update::new();
    first.set(&["name"], s("fast")).require(Cond::exists("pk"));
    let after = write(
        &Ctx::detached(),
        &table,
        &account_key("a"),
        Some(first),
        |_| -> Result<Plan, Refusal> { unreachable!("the speculative update succeeds") },
    )
    .await
    .unwrap();
    assert_eq!(after["name"], s("fast"));
    assert_eq!(after, db.get(TABLE, &account_key("a")).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_of_one_value_have_one_winner() {
    let (db, table) = seeded().await;
    let (key_a, key_b) = (account_key("a"), account_key("b"));
    let (plans_a, plans_b) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let (ctx_a, ctx_b) = (Ctx::detached(), Ctx::detached());
    let (a, b) = tokio::join!(
        write(
            &ctx_a,
            &table,
            &key_a,
            None,
            rename_and_claim(&table, "a", "same@example.com", &plans_a)
        ),
        write(
            &ctx_b,
            &table,
            &key_b,
            None,
            rename_and_claim(&table, "b", "same@example.com", &plans_b)
        ),
    );
    let winner = match (&a, &b) {
        (Ok(_), Err(Failure::Taken(0))) => "a",
        (Err(Failure::Taken(0)), Ok(_)) => "b",
        other => panic!("expected one winner and one Taken(0): {other:?}"),
    };
    let marker = db
        .get(TABLE, &marker_key("EMAIL", "same@example.com"))
        .await
        .unwrap();
    assert_eq!(marker["owner"], s(winner));
}
