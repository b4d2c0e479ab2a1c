//! Credentials are read with a strongly consistent GetItem, so a revoked
//! key stops at once: checked on the request the SDK actually sends.

use serde::Deserialize;
use shared::auth::{SecretHash, credential_item, credential_key, find_principal};
use shared::store::{Item, Table};
use testkit::{SentRequests, TestDb};

#[derive(Debug, Clone, Deserialize)]
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

    let sent = SentRequests::default();
    let table = Table::new(
        sent.client(db.client()),
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

    let bodies = sent.take();
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
