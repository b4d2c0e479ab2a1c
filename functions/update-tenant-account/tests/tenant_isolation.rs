//! Tenant isolation: another tenant's account answers exactly like a
//! missing one, costs the same DynamoDB calls, and none of its items is
//! ever read.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{ACME, Call, Fixture, GLOBEX, KEY_A, Recorder, assert_error};
use serde_json::json;
use testkit::events;
use update_tenant_account::{State, handle};

const MISSING: &str = "account_01jfrt4z00fay8vvr14d2pf2dz";

async fn patch(state: &State, id: &str) -> lambda_http::Response<lambda_http::Body> {
    let req = events::api_request(
        "PATCH",
        &format!("/v0/accounts/{id}"),
        &[("account_id", id)],
        &[("x-api-key", KEY_A), ("content-type", "application/json")],
        Some(br#"{"name": "Mine now"}"#),
    );
    handle(state, req).await
}

fn kinds(calls: &[Call]) -> Vec<&'static str> {
    let mut kinds: Vec<_> = calls.iter().map(|c| c.operation).collect();
    kinds.sort_unstable();
    kinds
}

fn header_names(response: &lambda_http::Response<lambda_http::Body>) -> Vec<String> {
    let mut names: Vec<String> = response.headers().keys().map(|k| k.to_string()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn foreign_account_is_404_like_a_missing_one_with_the_same_calls_and_no_foreign_read() {
    let f = Fixture::new().await;
    // Tenant B's account has a prospect that tenant A must never read.
    f.seed(json!({
        "accounts": [{"id": GLOBEX, "tenant_id": "tenant_b", "domain": "globex.com"}],
        "prospects": [{"account_id": GLOBEX, "name": "Secret Prospect"}]
    }))
    .await;
    let before = f.snapshot().await;
    let recorder = Recorder::default();
    let state = f.recorded_state(&recorder);

    let foreign = patch(&state, GLOBEX).await;
    let foreign_calls = recorder.calls();
    let foreign_items = recorder.returned_items();
    recorder.clear();
    let missing = patch(&state, MISSING).await;
    let missing_calls = recorder.calls();

    let foreign_body = assert_error(&foreign, 404, "not_found");
    let missing_body = assert_error(&missing, 404, "not_found");
    assert_eq!(foreign_body["message"], missing_body["message"]);
    assert_eq!(header_names(&foreign), header_names(&missing));

    // Same number and kind of calls: the key lookup, the rename, one Query page.
    assert_eq!(kinds(&foreign_calls), vec!["GetItem", "Query", "UpdateItem"]);
    assert_eq!(kinds(&foreign_calls), kinds(&missing_calls));

    // The rename and the Query addressed only tenant A's partitions ...
    for call in foreign_calls.iter().filter(|c| c.operation != "GetItem") {
        assert!(call.pk.starts_with("TENANT#tenant_a#"), "{call:?}");
    }
    // ... and nothing of tenant B came back from DynamoDB.
    let tenant_b = AttributeValue::S("tenant_b".into());
    for item in &foreign_items {
        assert!(
            item.values().all(|v| v != &tenant_b),
            "read a foreign item: {item:?}"
        );
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn own_account_reads_only_its_own_partition() {
    let f = Fixture::new().await;
    let recorder = Recorder::default();
    let state = f.recorded_state(&recorder);
    let response = patch(&state, ACME).await;
    assert_eq!(response.status(), 200);
    let calls = recorder.calls();
    assert_eq!(kinds(&calls), vec!["GetItem", "Query", "UpdateItem"]);
    for call in calls.iter().filter(|c| c.operation != "GetItem") {
        assert_eq!(call.pk, format!("TENANT#tenant_a#ACCOUNT#{ACME}"), "{call:?}");
    }
    // The recorder sees what comes back: the key's principal, the renamed
    // account and the two prospects.
    assert_eq!(
        recorder.returned_items().len(),
        4,
        "{:?}",
        recorder.returned_items()
    );
}
