//! With the process's credential cache on (as deployed: template.yaml sets
//! `CREDENTIAL_CACHE_TTL_SECONDS`), a plain update from a caller seen
//! recently is one DynamoDB call; a revoked token keeps working within the
//! TTL. This test binary is its own process, so installing the cache here
//! changes no other test.

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use serde_json::json;
use shared::auth::{CredentialCache, cache::install_global};
use shared::store::Table;
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};
use std::time::Duration;
use testkit::{TestDb, events, isolation::revoke};
use update_account_metadata::{State, TABLE_LOGICAL_ID, handle, seed::Seed};

/// Counts the requests the SDK sends.
#[derive(Debug, Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "Calls"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

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
    let calls = Calls::default();
    let config = db
        .client()
        .config()
        .to_builder()
        .interceptor(calls.clone())
        .build();
    let state = State {
        table: Table::new(
            aws_sdk_dynamodb::Client::from_conf(config),
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
    assert_eq!(
        calls.0.swap(0, Ordering::SeqCst),
        2,
        "credential read, then the write"
    );
    for i in 0..3 {
        assert_eq!(handle(&state, patch(format!("again {i}"))).await.status(), 204);
        assert_eq!(calls.0.swap(0, Ordering::SeqCst), 1, "the write only");
    }

    revoke(&db, TABLE_LOGICAL_ID, "tok-sales-0123456789").await;
    assert_eq!(
        handle(&state, patch("revoked".into())).await.status(),
        204,
        "within the TTL, a revoked token still works in this container (the documented delay)"
    );
}
