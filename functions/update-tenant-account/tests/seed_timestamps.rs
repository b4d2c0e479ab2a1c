//! Seeded timestamps are kept (the instant given, in canonical form), and a
//! rename moves only `updatedAt`, strictly past the seeded one.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{Fixture, KEY_A};
use serde_json::json;
use shared::clock::Timestamp;
use testkit::events;

const SEEDED: &str = "account_01jfrt4z00fay8vvr14d2pf2dd";

#[tokio::test]
async fn seeded_timestamps_are_kept_and_a_rename_moves_only_updated_at() {
    let f = Fixture::new().await;
    // The contract's camelCase names are accepted too.
    f.seed(json!({
        "accounts": [{"accountId": SEEDED, "tenantId": "tenant_a", "domain": "initech.com",
                      "name": "Initech", "createdAt": "2023-11-07T05:31:56Z",
                      "updatedAt": "2024-01-01T00:00:00+01:00",
                      "latestActivityAt": "2024-06-30T12:00:00.250Z"}],
        "prospects": [{"prospectId": "prospect_01jfrt4z00fay8vvrh4d2pf2dd", "accountId": SEEDED,
                       "tenantId": "tenant_a", "name": "Peter Gibbons", "phoneNumber": "+15550100",
                       "linkedinProfileUrl": "https://www.linkedin.com/in/peter",
                       "createdAt": "2023-12-01T10:00:00Z", "updatedAt": "2023-12-02T10:00:00.5Z"}]
    }))
    .await;
    let stored = f.account(SEEDED).await;
    assert_eq!(
        stored["createdAt"],
        AttributeValue::S("2023-11-07T05:31:56.000Z".into())
    );
    assert_eq!(
        stored["updatedAt"],
        AttributeValue::S("2023-12-31T23:00:00.000Z".into())
    );

    let before = Timestamp::now().to_string();
    let response = f.patch_raw(SEEDED, Some(KEY_A), br#"{"name": "Initrode"}"#).await;
    let body = events::body_json(&response);
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(body["createdAt"], "2023-11-07T05:31:56.000Z");
    assert_eq!(body["latestActivityAt"], "2024-06-30T12:00:00.250Z");
    let updated = body["updatedAt"].as_str().unwrap();
    assert!(
        updated > "2023-12-31T23:00:00.000Z" && updated >= before.as_str(),
        "{updated}"
    );

    let prospect = &body["linkedProspects"][0];
    assert_eq!(prospect["prospectId"], "prospect_01jfrt4z00fay8vvrh4d2pf2dd");
    assert_eq!(prospect["tenantId"], "tenant_a");
    assert_eq!(prospect["createdAt"], "2023-12-01T10:00:00.000Z");
    assert_eq!(prospect["updatedAt"], "2023-12-02T10:00:00.500Z");

    let stored = f.account(SEEDED).await;
    assert_eq!(
        stored["createdAt"],
        AttributeValue::S("2023-11-07T05:31:56.000Z".into())
    );
    assert_eq!(stored["updatedAt"], AttributeValue::S(updated.into()));
}

#[tokio::test]
async fn a_seeded_future_updated_at_is_still_passed_by_a_rename() {
    let f = Fixture::new().await;
    f.seed(
        json!({"accounts": [{"id": SEEDED, "tenant_id": "tenant_a", "domain": "initech.com",
                                "created_at": "2024-01-01T00:00:00Z",
                                "updated_at": "2999-01-01T00:00:00Z"}]}),
    )
    .await;
    let body = events::body_json(&f.patch_raw(SEEDED, Some(KEY_A), br#"{"name": "Later"}"#).await);
    assert_eq!(body["updatedAt"], "2999-01-01T00:00:00.001Z");
    assert_eq!(body["createdAt"], "2024-01-01T00:00:00.000Z");
}
