//! Seeding: every field the contract's response shows is kept as given,
//! and a later seed file is checked against what the table already holds.

mod common;

use common::{Fixture, KEY_A, n};
use serde_json::{Value, json};
use shared::seed::Section as _;
use testkit::events;
use update_crm_account::seed::Seed;

fn account(id: i64, custom: Value) -> Value {
    json!({"accounts": [{"tenant_id": "a", "id": id, "number": id, "title": "Later", "custom": custom}]})
}

#[tokio::test]
async fn a_later_seed_file_uses_the_custom_fields_already_stored() {
    // File 1 (the fixture's seed) defined tenant a's fields; file 2 has only accounts.
    let f = Fixture::new().await;
    f.try_seed(account(
        3001,
        json!({"region": "south", "services": ["hvac"], "since": "2024-01-31"}),
    ))
    .await
    .expect("values valid against the stored definitions load");
    let stored = f.account("a", 3001).await;
    let custom = stored["custom"].as_m().unwrap();
    assert_eq!(custom["region"].as_s().unwrap(), "south");
    assert_eq!(custom.len(), 3);
    // The seeded account is served like any other.
    let response = f
        .patch_raw(
            "/accounts/3001",
            Some(KEY_A),
            br#"{"custom": {"region": "north"}}"#,
        )
        .await;
    assert_eq!(response.status(), 200, "{}", events::body_json(&response));
}

#[tokio::test]
async fn a_later_seed_file_with_values_the_stored_fields_refuse_is_refused() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    for (custom, field) in [
        (json!({"region": "west"}), "custom.region"),
        (json!({"sqft": "big"}), "custom.sqft"),
        (json!({"undefined": 1}), "custom.undefined"),
    ] {
        let error = f.try_seed(account(3001, custom.clone())).await.unwrap_err();
        assert!(
            error.contains("account 3001 of a") && error.contains(field),
            "{custom}: {error}"
        );
    }
    // Another tenant's definitions do not count.
    let error = f
        .try_seed(
            json!({"accounts": [{"tenant_id": "b", "id": 3002, "number": 1, "title": "B",
                                        "custom": {"region": "north"}}]}),
        )
        .await
        .unwrap_err();
    assert!(error.contains("custom.region"), "{error}");
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn a_seed_file_may_define_fields_for_its_own_accounts_and_override_stored_ones() {
    let f = Fixture::new().await;
    f.try_seed(json!({
        "custom_fields": [
            {"tenant_id": "a", "key": "floors", "type": "number"},
            {"tenant_id": "a", "key": "region", "type": "dropdown", "options": ["west"]}
        ],
        "accounts": [{"tenant_id": "a", "id": 3001, "number": 3001, "title": "New",
                      "custom": {"floors": 3, "region": "west", "vip": true}}]
    }))
    .await
    .expect("own and stored definitions together");
    assert_eq!(f.options("a", "region").await, ["west"]);
}

#[tokio::test]
async fn seeded_timestamps_are_kept_as_given() {
    let f = Fixture::new().await;
    f.seed(json!({"accounts": [
        {"tenant_id": "a", "id": 3001, "number": 3001, "title": "Both",
         "createdAt": "2023-11-07T05:31:56Z", "updatedAt": "2024-02-01T10:00:00.250+01:00"},
        {"tenant_id": "a", "id": 3002, "number": 3002, "title": "Created only",
         "createdAt": "2023-11-07T05:31:56Z"}
    ]}))
    .await;
    let both = f.account("a", 3001).await;
    assert_eq!(both["createdAt"].as_s().unwrap(), "2023-11-07T05:31:56Z");
    assert_eq!(both["updatedAt"].as_s().unwrap(), "2024-02-01T10:00:00.250+01:00");
    let created_only = f.account("a", 3002).await;
    assert_eq!(created_only["createdAt"].as_s().unwrap(), "2023-11-07T05:31:56Z");
    assert_eq!(created_only["updatedAt"].as_s().unwrap(), "2023-11-07T05:31:56Z");
    assert_eq!(n(&created_only, "version"), 0);
    // A PATCH keeps createdAt and moves updatedAt.
    let response = f
        .patch_raw("/accounts/3001", Some(KEY_A), br#"{"title": "Renamed"}"#)
        .await;
    let body = events::body_json(&response);
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(body["createdAt"], "2023-11-07T05:31:56Z");
    assert_ne!(body["updatedAt"], "2024-02-01T10:00:00.250+01:00");
}

#[tokio::test]
async fn every_response_field_is_accepted_by_the_seed() {
    let f = Fixture::new().await;
    let full = json!({"id": 3001, "createdAt": "2023-11-07T05:31:56Z", "updatedAt": "2023-11-08T05:31:56Z",
        "title": "Full", "description": "All fields", "address": ["1 Main St", "Springfield"], "isActive": false,
        "primaryEmail": "full@example.com", "primaryPhone": "+12175550101", "number": 77,
        "custom": {"region": "north"}, "accountType": "residential",
        "contacts": [{"name": "Ann", "email": "ann@example.com", "phone": "+12175550102", "role": "Owner"}]});
    let mut record = full.clone();
    record["tenant_id"] = json!("a");
    f.seed(json!({ "accounts": [record] })).await;
    // What the endpoint shows for the seeded account is what was seeded.
    let response = f
        .patch_raw("/accounts/3001", Some(KEY_A), br#"{"isActive": false}"#)
        .await;
    let mut body = events::body_json(&response);
    assert_eq!(response.status(), 200, "{body}");
    body["updatedAt"] = full["updatedAt"].clone();
    assert_eq!(body, full);
}

#[test]
fn seeded_timestamps_must_be_rfc_3339_and_in_order() {
    for (fields, says) in [
        (json!({"createdAt": "2023-11-07"}), "createdAt"),
        (json!({"createdAt": "yesterday"}), "createdAt"),
        (json!({"updatedAt": 1699335116}), "updatedAt"),
        (json!({"createdAt": null}), "createdAt"),
        (
            json!({"createdAt": "2024-01-02T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}),
            "earlier",
        ),
    ] {
        let mut record = json!({"tenant_id": "a", "id": 1, "number": 1, "title": "T"});
        for (k, v) in fields.as_object().unwrap() {
            record[k] = v.clone();
        }
        let seed: Seed = serde_json::from_value(json!({ "accounts": [record] })).unwrap();
        let error = seed.items().unwrap_err().to_string();
        assert!(error.contains(says), "{fields}: {error}");
    }
}
