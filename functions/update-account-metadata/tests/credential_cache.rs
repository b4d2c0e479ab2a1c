//! With the process's credential cache on (as deployed: template.yaml sets
//! `CREDENTIAL_CACHE_TTL_SECONDS`), a plain update from a caller seen
//! recently is one DynamoDB call; a revoked token keeps working within the
//! TTL. This test binary is its own process, so installing the cache here
//! changes no other test.

use serde_json::json;
use shared::auth::{CredentialCache, cache::install_global};
use shared::seed::Section as _;
use shared::store::Table;
use std::time::Duration;
use testkit::{SentRequests, TestDb, events, isolation::revoke};
use update_account_metadata::{State, TABLE_LOGICAL_ID, handle, seed::Seed};

#[tokio::test]
async fn a_caller_seen_recently_costs_one_call_per_plain_update() {
    install_global(CredentialCache::new(Duration::from_secs(60), 1024))
        .expect("the first credential lookup of this process");
    let db = TestDb::start().await;
    let seed: Seed = serde_json::from_value(json!({
        "tokens": [{"token": "tok-sales-0123456789", "ou_id": "ou_sales"}],
        "accounts": [{"id": "acct_1", "ou_id": "ou_sales", "name": "Acme", "domain": "acme.com"}]
    }))
    .unwrap();
    db.put(TABLE_LOGICAL_ID, seed.items().unwrap()).await;
    let calls = SentRequests::default();
    let state = State {
        table: Table::new(
            calls.client(db.client()),
            db.table(TABLE_LOGICAL_ID).name().to_owned(),
        ),
    };
    let patch = |name: String| {
        let body = json!({ "name": name }).to_string();
        events::api_request(
            "PATCH",
            "/accounts/acct_1/metadata",
            &[("accountId", "acct_1")],
            &[
                ("authorization", "Bearer tok-sales-0123456789"),
                ("content-type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
    };

    assert_eq!(handle(&state, patch("first".into())).await.status(), 204);
    assert_eq!(calls.take().len(), 2, "credential read, then the write");
    for i in 0..3 {
        assert_eq!(handle(&state, patch(format!("again {i}"))).await.status(), 204);
        assert_eq!(calls.take().len(), 1, "the write only");
    }

    revoke(&db, TABLE_LOGICAL_ID, "tok-sales-0123456789").await;
    assert_eq!(
        handle(&state, patch("revoked".into())).await.status(),
        204,
        "within the TTL, a revoked token still works in this container (the documented delay)"
    );
}
