//! With the definitions cache on (as deployed: template.yaml sets
//! `FIELD_DEFINITIONS_CACHE_TTL_SECONDS`), a plain update with `custom`
//! from a tenant seen recently is one DynamoDB call, a refusal is always
//! checked against the definitions as stored, and what the cache trades
//! (an out-of-band narrowing is seen within the TTL) is what the module
//! docs say. This test binary is its own process, so installing the cache
//! here changes no other test.

mod common;

use common::{Fixture, assert_error};
use serde_json::json;
use shared::auth::{CredentialCache, cache::install_global};
use shared::seed::Section as _;
use shared::store::Table;
use std::time::Duration;
use testkit::SentRequests;
use update_crm_account::{
    State, TABLE_LOGICAL_ID,
    seed::Seed,
    store::{definition::field_key, definitions_cache},
};

/// Tenant `a`'s definitions partition, as it appears in a Query's body.
const FIELDS_PK: &str = "TENANT#a#FIELDS";

/// The fixture, its handler's calls recorded, both caches on (60 s).
async fn fixture() -> (Fixture, SentRequests) {
    // Both installs happen once per process; the second test finds them set.
    let _ = install_global(CredentialCache::new(Duration::from_secs(60), 1024));
    let _ = definitions_cache::install(Duration::from_secs(60));
    let mut f = Fixture::new().await;
    let calls = SentRequests::default();
    f.state = State {
        table: Table::new(
            calls.client(f.db.client()),
            f.db.table(TABLE_LOGICAL_ID).name().to_owned(),
        ),
    };
    (f, calls)
}

/// How many of `bodies` read tenant `a`'s definitions.
fn definition_reads(bodies: &[String]) -> usize {
    bodies.iter().filter(|b| b.contains(FIELDS_PK)).count()
}

/// One test, in two parts run one after the other: the cache is the
/// process's, keyed by table name and tenant, and every fixture's table
/// has the same name, so two fixtures at once would share entries.
#[tokio::test]
async fn the_definitions_cache() {
    a_tenant_seen_recently_costs_one_call_and_refusals_read_again().await;
    options_appended_here_are_usable_at_once_and_a_narrowing_is_seen_within_the_ttl().await;
}

async fn a_tenant_seen_recently_costs_one_call_and_refusals_read_again() {
    let (f, calls) = fixture().await;
    let r = f
        .patch("/accounts/1001", json!({"custom": {"region": "south"}}))
        .await;
    assert_eq!(r.status(), 200);
    let bodies = calls.take();
    assert_eq!(
        definition_reads(&bodies),
        1,
        "the first request reads the definitions"
    );
    for (i, region) in ["north", "south", "north"].into_iter().enumerate() {
        let r = f
            .patch(
                "/accounts/1002",
                json!({"custom": {"region": region, "note": format!("n{i}")}}),
            )
            .await;
        assert_eq!(r.status(), 200);
        let bodies = calls.take();
        assert_eq!(bodies.len(), 1, "the write only: {bodies:?}");
        assert_eq!(definition_reads(&bodies), 0);
    }
    assert_eq!(
        f.account("a", 1002).await["custom"].as_m().unwrap()["region"]
            .as_s()
            .unwrap(),
        "north"
    );

    // A field created a moment ago by another tool: the cached copy does
    // not know it, so the request is checked against a fresh read.
    f.seed(json!({"custom_fields": [{"tenant_id": "a", "key": "floor", "type": "number"}]}))
        .await;
    let r = f.patch("/accounts/1002", json!({"custom": {"floor": 3}})).await;
    assert_eq!(r.status(), 200, "a new field works at once");
    assert_eq!(definition_reads(&calls.take()), 1);
    // A value no definition allows is refused only after a fresh read.
    let r = f
        .patch("/accounts/1002", json!({"custom": {"region": "west"}}))
        .await;
    assert_eq!(assert_error(&r, 400, "BadRequestError")["field"], "custom.region");
    assert_eq!(definition_reads(&calls.take()), 1);
}

async fn options_appended_here_are_usable_at_once_and_a_narrowing_is_seen_within_the_ttl() {
    let (f, calls) = fixture().await;
    // The previous part's copy (same table name, same tenant) goes first.
    definitions_cache::forget(&f.state.table, "a");
    assert_eq!(
        f.patch("/accounts/1001", json!({"custom": {"region": "north"}}))
            .await
            .status(),
        200
    );
    // This container appends an option: it forgets its copy.
    let r = f
        .patch(
            "/accounts/1001?allow_new_options=true",
            json!({"custom": {"region": "east"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(f.options("a", "region").await.contains(&"east".to_owned()));
    calls.take();
    let r = f
        .patch("/accounts/1002", json!({"custom": {"region": "east"}}))
        .await;
    assert_eq!(r.status(), 200, "the new option, planned from a fresh read");
    assert_eq!(definition_reads(&calls.take()), 1);

    // Another tool narrows the definition (drops "north"). Within the TTL
    // this container still accepts "north": the documented trade.
    let seed: Seed = serde_json::from_value(json!({"custom_fields": [
        {"tenant_id": "a", "key": "region", "type": "dropdown", "options": ["south", "east"]}
    ]}))
    .unwrap();
    let mut item = seed.items().unwrap().remove(0);
    item.insert(
        "version".into(),
        aws_sdk_dynamodb::types::AttributeValue::N("9".into()),
    );
    assert_eq!(item["sk"].as_s().unwrap(), &field_key("a", "region").sk);
    f.put_raw(vec![item]).await;
    let r = f
        .patch("/accounts/1002", json!({"custom": {"region": "north"}}))
        .await;
    assert_eq!(
        r.status(),
        200,
        "accepted from the copy read less than the TTL ago"
    );
    assert_eq!(definition_reads(&calls.take()), 0);
}
