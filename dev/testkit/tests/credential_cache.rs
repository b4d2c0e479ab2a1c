//! The credential cache (`shared::auth::cache`) against the embedded
//! DynamoDB: what a revocation does with the cache off and with a TTL, and
//! that unknown credentials and errors are never kept.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;
use shared::auth::{CredentialCache, SecretHash, credential_item, find_principal_in};
use shared::cache::manual_clock;
use shared::store::{Item, StoreError, Table};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use testkit::{SentRequests, TestDb, isolation::revoke};

const TABLE: &str = "OrgAccountsTable";

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Principal {
    ou_id: String,
}

struct Fixture {
    db: TestDb,
    table: Table,
    calls: SentRequests,
}

async fn fixture() -> Fixture {
    let db = TestDb::start().await;
    let calls = SentRequests::default();
    let table = Table::new(calls.client(db.client()), db.table(TABLE).name().to_owned());
    Fixture { db, table, calls }
}

fn principal_item(ou: &str) -> Item {
    [("ou_id".to_owned(), AttributeValue::S(ou.to_owned()))].into()
}

async fn store(f: &Fixture, secret: &str, attributes: Item) {
    f.db.put(TABLE, vec![credential_item(&SecretHash::of(secret), attributes)])
        .await;
}

async fn find(f: &Fixture, cache: &CredentialCache, secret: &str) -> Option<Principal> {
    find_principal_in(cache, &f.table, secret).await.unwrap()
}

#[tokio::test]
async fn with_ttl_zero_a_revoked_credential_is_refused_on_the_next_call() {
    let f = fixture().await;
    store(&f, "tok-a", principal_item("ou_1")).await;
    let cache = CredentialCache::new(Duration::ZERO, 1024);
    for _ in 0..3 {
        assert_eq!(find(&f, &cache, "tok-a").await.unwrap().ou_id, "ou_1");
    }
    assert_eq!(f.calls.take().len(), 3, "every lookup reads the table");
    revoke(&f.db, TABLE, "tok-a").await;
    assert_eq!(find(&f, &cache, "tok-a").await, None);
    assert!(cache.is_empty());
}

#[tokio::test]
async fn with_a_ttl_a_revoked_credential_works_until_the_ttl_has_passed() {
    let f = fixture().await;
    store(&f, "tok-a", principal_item("ou_1")).await;
    let (clock, now_ms) = manual_clock();
    let cache = CredentialCache::with_clock(Duration::from_secs(60), 1024, clock);

    assert_eq!(find(&f, &cache, "tok-a").await.unwrap().ou_id, "ou_1");
    assert_eq!(f.calls.take().len(), 1);
    now_ms.store(30_000, Ordering::SeqCst);
    assert_eq!(find(&f, &cache, "tok-a").await.unwrap().ou_id, "ou_1");
    assert_eq!(
        f.calls.take().len(),
        0,
        "a caller seen recently costs no credential read"
    );

    revoke(&f.db, TABLE, "tok-a").await;
    f.calls.take().len();
    now_ms.store(59_999, Ordering::SeqCst);
    assert_eq!(
        find(&f, &cache, "tok-a").await.unwrap().ou_id,
        "ou_1",
        "the revocation delay: still served from the cache within the TTL"
    );
    assert_eq!(f.calls.take().len(), 0);
    now_ms.store(60_000, Ordering::SeqCst);
    assert_eq!(
        find(&f, &cache, "tok-a").await,
        None,
        "refused once the TTL has passed"
    );
    assert_eq!(find(&f, &cache, "tok-a").await, None);
    assert_eq!(
        f.calls.take().len(),
        2,
        "an unknown credential is read every time"
    );
}

/// With the real clock: a revoked credential is still served while its
/// entry is younger than the TTL, and refused once it is older. "Younger"
/// is proven only when the read, the revocation and the second read took
/// less than the TTL; a slower server (DynamoDB Local on a busy machine can
/// take longer than 300 ms for them) runs the case again with the TTL
/// doubled, up to 4.8 s.
#[tokio::test]
async fn with_a_real_short_ttl_a_revocation_takes_effect_after_it() {
    let mut ttl = Duration::from_millis(300);
    loop {
        let f = fixture().await;
        store(&f, "tok-a", principal_item("ou_1")).await;
        let cache = CredentialCache::new(ttl, 1024);
        let started = Instant::now();
        assert!(find(&f, &cache, "tok-a").await.is_some());
        revoke(&f.db, TABLE, "tok-a").await;
        let served = find(&f, &cache, "tok-a").await.is_some();
        let took = started.elapsed();
        if took >= ttl {
            assert!(
                ttl < Duration::from_millis(4800),
                "the read, the revocation and the cached read took {took:?}, longer than the TTL"
            );
            ttl *= 2;
            continue;
        }
        assert!(served, "within the TTL ({took:?} of {ttl:?})");
        tokio::time::sleep(ttl + Duration::from_millis(50)).await;
        assert_eq!(find(&f, &cache, "tok-a").await, None, "after the TTL");
        return;
    }
}

#[tokio::test]
async fn an_unknown_credential_added_later_works_at_once() {
    let f = fixture().await;
    let cache = CredentialCache::new(Duration::from_secs(60), 1024);
    assert_eq!(find(&f, &cache, "tok-new").await, None);
    assert!(cache.is_empty(), "unknown credentials are never cached");
    store(&f, "tok-new", principal_item("ou_2")).await;
    assert_eq!(find(&f, &cache, "tok-new").await.unwrap().ou_id, "ou_2");
}

#[tokio::test]
async fn a_malformed_credential_is_an_error_and_is_not_cached() {
    let f = fixture().await;
    store(
        &f,
        "tok-bad",
        [("ou_id".to_owned(), AttributeValue::N("5".to_owned()))].into(),
    )
    .await;
    let cache = CredentialCache::new(Duration::from_secs(60), 1024);
    let err = find_principal_in::<Principal>(&cache, &f.table, "tok-bad")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err:?}");
    assert!(cache.is_empty());
    // Fixed in the table: the next request sees it.
    store(&f, "tok-bad", principal_item("ou_3")).await;
    assert_eq!(find(&f, &cache, "tok-bad").await.unwrap().ou_id, "ou_3");
}

#[tokio::test]
async fn a_store_failure_is_not_cached() {
    let f = fixture().await;
    let cache = CredentialCache::new(Duration::from_secs(60), 1024);
    let missing_table = Table::new(f.table.client().clone(), "NoSuchTable");
    assert!(
        find_principal_in::<Principal>(&cache, &missing_table, "tok-a")
            .await
            .is_err()
    );
    assert!(cache.is_empty());
}
