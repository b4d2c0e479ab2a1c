//! Credentials are read with a strongly consistent GetItem, so a revoked
//! key stops at once: checked on the request the SDK actually sends.

use aws_sdk_dynamodb::config::{
    ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef,
};
use serde::Deserialize;
use shared::auth::{SecretHash, credential_item, credential_key, find_principal};
use shared::store::{Item, Table};
use std::sync::{Arc, Mutex};
use testkit::TestDb;

/// Keeps the body of every request the SDK sends.
#[derive(Debug, Clone, Default)]
struct Bodies(Arc<Mutex<Vec<String>>>);

impl Intercept for Bodies {
    fn name(&self) -> &'static str {
        "Bodies"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let body = context.request().body().bytes().unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(body).into_owned());
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct Principal {
    ou_id: String,
}

#[tokio::test]
async fn credentials_are_read_consistently_and_revocation_is_immediate() {
    let db = TestDb::start().await;
    let hash = SecretHash::of("token-to-revoke");
    let principal: Item = [(
        "ou_id".to_owned(),
        aws_sdk_dynamodb::types::AttributeValue::S("ou_1".to_owned()),
    )]
    .into();
    db.put("OrgAccountsTable", vec![credential_item(&hash, principal)])
        .await;

    let bodies = Bodies::default();
    let config = db
        .client()
        .config()
        .to_builder()
        .interceptor(bodies.clone())
        .build();
    let table = Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        db.table("OrgAccountsTable").name().to_owned(),
    );
    let found: Option<Principal> = find_principal(&table, "token-to-revoke").await.unwrap();
    assert_eq!(found.unwrap().ou_id, "ou_1");

    // Revoke, then authenticate again at once.
    db.client()
        .delete_item()
        .table_name(table.name())
        .set_key(Some(credential_key(&hash).into_item_with(Item::new())))
        .send()
        .await
        .unwrap();
    let found: Option<Principal> = find_principal(&table, "token-to-revoke").await.unwrap();
    assert!(found.is_none());

    let bodies = bodies.0.lock().unwrap();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    for body in bodies.iter() {
        let request: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(request["ConsistentRead"], true, "{body}");
        assert!(
            !body.contains("token-to-revoke"),
            "the clear token never leaves the function"
        );
    }
}
