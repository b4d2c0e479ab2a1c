//! PATCH /v0/accounts/{account_id} against a real local DynamoDB.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{ACME, Fixture, GLOBEX, KEY_A, KEY_B, assert_error};
use serde_json::{Value, json};
use testkit::events;
use testkit::refusals::{hidden_like_missing, refused_writing_nothing};
use update_tenant_account::{handle, response::TRUNCATED_HEADER};

/// The contract's date-time pattern, verbatim.
const DATE_TIME: &str = r"^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z))$";

fn assert_date_time(value: &Value) {
    let re = regex::Regex::new(DATE_TIME).unwrap();
    assert!(
        value.as_str().is_some_and(|s| re.is_match(s)),
        "{value} does not match the contract's pattern"
    );
}

#[tokio::test]
async fn rename_returns_200_with_the_account_and_its_prospects() {
    let f = Fixture::new().await;
    let response = f.patch(ACME, json!({"name": "Acme Corporation"})).await;
    let body = events::body_json(&response);
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(
        events::header(&response, "content-type"),
        Some("application/json")
    );

    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "accountId",
        "tenantId",
        "domain",
        "name",
        "createdAt",
        "updatedAt",
        "latestActivityAt",
        "linkedProspects",
        "linkedProspectsTruncated",
    ];
    expected.sort();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    assert_eq!(keys_sorted, expected);

    assert_eq!(body["accountId"], ACME);
    assert_eq!(body["tenantId"], "tenant_a");
    assert_eq!(body["domain"], "acme.com");
    assert_eq!(body["name"], "Acme Corporation");
    assert_eq!(body["createdAt"], "2024-02-29T10:00:00.000Z");
    assert_eq!(body["latestActivityAt"], "2025-06-01T12:00:00.000Z");
    for field in ["createdAt", "updatedAt", "latestActivityAt"] {
        assert_date_time(&body[field]);
    }
    assert!(body["updatedAt"].as_str() > body["createdAt"].as_str());

    assert_eq!(body["linkedProspectsTruncated"], false);
    assert_eq!(events::header(&response, TRUNCATED_HEADER), Some("false"));
    let prospects = body["linkedProspects"].as_array().unwrap();
    assert_eq!(prospects.len(), 2);
    // Newest createdAt first.
    let jane = &prospects[0];
    assert_eq!(
        jane.as_object().unwrap().keys().count(),
        10,
        "prospect fields: {jane}"
    );
    assert_eq!(jane["prospectId"], "prospect_01jfrt4z00fay8vvrh4d2pf2db");
    assert_eq!(jane["tenantId"], "tenant_a");
    assert_eq!(jane["email"], "jane@acme.com");
    assert_eq!(jane["phoneNumber"], "+15550100199");
    assert_eq!(jane["linkedinProfileUrl"], "https://www.linkedin.com/in/jane");
    assert_eq!(jane["createdAt"], "2024-03-01T09:00:00.000Z");
    assert_eq!(jane["updatedAt"], "2025-05-05T05:05:05.500Z");
    assert_date_time(&jane["createdAt"]);
    assert_date_time(&jane["updatedAt"]);
    assert_eq!(prospects[1]["name"], "Raj Patel");
    assert_eq!(prospects[1]["email"], Value::Null);
    assert_eq!(prospects[1]["createdAt"], "2024-03-01T08:00:00.000Z");
    assert_eq!(prospects[1]["updatedAt"], "2024-03-01T08:00:00.000Z");

    let stored = f.account(ACME).await;
    assert_eq!(stored["name"], AttributeValue::S("Acme Corporation".into()));
    assert_eq!(
        stored["updatedAt"],
        AttributeValue::S(body["updatedAt"].as_str().unwrap().into())
    );
    assert_eq!(
        stored["createdAt"],
        AttributeValue::S("2024-02-29T10:00:00.000Z".into())
    );
    assert_eq!(
        stored["latestActivityAt"],
        AttributeValue::S("2025-06-01T12:00:00.000Z".into())
    );
}

#[tokio::test]
async fn unnamed_account_and_missing_activity_render_as_null_until_renamed() {
    let f = Fixture::new().await;
    let response = f.patch_raw(GLOBEX, Some(KEY_B), br#"{"name": "Globex"}"#).await;
    let body = events::body_json(&response);
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(body["name"], "Globex");
    assert_eq!(body["latestActivityAt"], Value::Null);
    assert_eq!(body["linkedProspects"], json!([]));
}

#[tokio::test]
async fn updated_at_moves_forward_on_every_rename() {
    let f = Fixture::new().await;
    let mut last = String::new();
    for i in 0..20 {
        let body = events::body_json(&f.patch(ACME, json!({"name": format!("Acme {i}")})).await);
        let updated = body["updatedAt"].as_str().unwrap().to_owned();
        assert!(updated > last, "{updated} is not after {last}");
        assert_eq!(body["createdAt"], "2024-02-29T10:00:00.000Z");
        last = updated;
    }
}

#[tokio::test]
async fn updated_at_stays_ahead_of_a_stored_future_timestamp() {
    let f = Fixture::new().await;
    // Another writer's clock ran ahead: the stored updatedAt is in the future.
    let mut item = f.account(ACME).await;
    item.insert(
        "updatedAt".into(),
        AttributeValue::S("2999-01-01T00:00:00.000Z".into()),
    );
    f.db.put(update_tenant_account::TABLE_LOGICAL_ID, vec![item])
        .await;
    let body = events::body_json(&f.patch(ACME, json!({"name": "Later"})).await);
    assert_eq!(body["updatedAt"], "2999-01-01T00:00:00.001Z");
    assert_eq!(body["name"], "Later");
}

#[tokio::test]
async fn every_linked_prospect_under_the_bound_is_returned_newest_first_across_pages() {
    let mut f = Fixture::new().await;
    let prospects: Vec<Value> = (0..23)
        .map(|i| {
            json!({"account_id": ACME, "name": format!("P{i}"), "email": format!("p{i}@acme.com"),
                   "created_at": format!("2025-01-01T00:00:{i:02}Z")})
        })
        .collect();
    f.seed(json!({"accounts": [{"id": ACME, "tenant_id": "tenant_a", "domain": "acme.com", "name": "Acme"}], "prospects": prospects}))
        .await;
    // A prospect of another account must not appear.
    f.seed(
        json!({"accounts": [{"id": GLOBEX, "tenant_id": "tenant_b", "domain": "globex.com"}],
                  "prospects": [{"account_id": GLOBEX, "name": "Not linked"}]}),
    )
    .await;
    f.state.prospect_page_size = Some(4);
    let response = f.patch(ACME, json!({"name": "Paged"})).await;
    let body = events::body_json(&response);
    let names: Vec<&str> = body["linkedProspects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut expected: Vec<String> = (0..23).rev().map(|i| format!("P{i}")).collect();
    // The fixture's two prospects are older (2024).
    expected.extend(["Jane Doe".to_owned(), "Raj Patel".to_owned()]);
    assert_eq!(names, expected);
    assert_eq!(body["linkedProspectsTruncated"], false);
    assert_eq!(events::header(&response, TRUNCATED_HEADER), Some("false"));
}

#[tokio::test]
async fn missing_or_unknown_api_key_is_401_and_changes_nothing() {
    let f = Fixture::new().await;
    let keys = [None, Some("nope"), Some("")];
    let requests = keys.map(|key| f.patch_raw(ACME, key, br#"{"name": "x"}"#));
    refused_writing_nothing(&f, 401, "unauthorized", requests).await;
}

#[tokio::test]
async fn another_tenants_account_is_404_like_a_missing_one() {
    let f = Fixture::new().await;
    hidden_like_missing(
        &f,
        "not_found",
        f.patch(GLOBEX, json!({"name": "Mine now"})),
        f.patch("account_01jfrt4z00fay8vvr14d2pf2dz", json!({"name": "x"})),
    )
    .await;
}

#[tokio::test]
async fn malformed_account_ids_are_400_with_the_pattern() {
    let f = Fixture::new().await;
    for bad in [
        "acct_123",
        "account_01JFRT4Z00FAY8VVR14D2PF2DB",
        "account_short",
        "account_01jfrt4z00fay8vvr14d2pf2db0",
        "%20",
    ] {
        let body = assert_error(
            &f.patch(bad, json!({"name": "x"})).await,
            400,
            "invalid_account_id",
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("^account_[a-z0-9]{26}$"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn bad_bodies_are_400_and_change_nothing() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", b"".to_vec()),
        ("empty object", b"{}".to_vec()),
        ("null name", br#"{"name": null}"#.to_vec()),
        ("number name", br#"{"name": 42}"#.to_vec()),
        ("array name", br#"{"name": ["a"]}"#.to_vec()),
        ("blank name", br#"{"name": "  "}"#.to_vec()),
        ("empty name", br#"{"name": ""}"#.to_vec()),
        (
            "256 chars",
            format!("{{\"name\": \"{}\"}}", "n".repeat(256)).into_bytes(),
        ),
        (
            "unknown field",
            br#"{"name": "x", "domain": "evil.com"}"#.to_vec(),
        ),
        ("not json", b"name=x".to_vec()),
        ("array", b"[]".to_vec()),
        ("invalid utf-8", b"{\"name\": \"\xff\xfe\"}".to_vec()),
        (
            "deep",
            format!("{}{}", "[".repeat(500), "]".repeat(500)).into_bytes(),
        ),
    ];
    for (what, body) in cases {
        let response = f.patch_raw(ACME, Some(KEY_A), &body).await;
        assert_eq!(response.status(), 400, "{what}: {}", events::body_json(&response));
        assert_error(&response, 400, "invalid_request");
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn name_length_boundaries() {
    let f = Fixture::new().await;
    for len in [1, 255] {
        let name = "é".repeat(len);
        let body = events::body_json(&f.patch(ACME, json!({ "name": name })).await);
        assert_eq!(body["name"], name.as_str());
    }
}

#[tokio::test]
async fn oversized_body_is_413() {
    let f = Fixture::new().await;
    let body = json!({"name": "x".repeat(70 * 1024)}).to_string();
    assert_error(
        &f.patch_raw(ACME, Some(KEY_A), body.as_bytes()).await,
        413,
        "body_too_large",
    );
}

#[tokio::test]
async fn other_methods_are_405() {
    let f = Fixture::new().await;
    let req = events::api_request(
        "GET",
        &format!("/v0/accounts/{ACME}"),
        &[("account_id", ACME)],
        &[("x-api-key", KEY_A)],
        None,
    );
    assert_error(&handle(&f.state, req).await, 405, "method_not_allowed");
}
