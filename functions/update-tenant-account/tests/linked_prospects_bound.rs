//! `linkedProspects` is bounded: the newest `MAX_LINKED_PROSPECTS` by
//! `createdAt`, a truncation marker in the body and a header, and a query
//! that stops reading once it has enough.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{ACME, Fixture, Recorder};
use serde_json::{Value, json};
use shared::store::Item;
use testkit::events;
use update_tenant_account::{
    TABLE_LOGICAL_ID, handle,
    response::{
        TRUNCATED_HEADER,
        size::{MAX_LINKED_PROSPECTS, MAX_RESPONSE_BODY_BYTES},
    },
    store::prospects::prospect_key,
};

const EXTRA: usize = 7;

/// Seeds `n` more prospects for ACME, `P000` the oldest, all newer than the
/// fixture's two (2024).
async fn seed_prospects(f: &Fixture, n: usize) {
    let prospects: Vec<Value> = (0..n)
        .map(|i| {
            json!({"account_id": ACME, "name": format!("P{i:03}"),
                   "created_at": format!("2025-01-01T00:{:02}:{:02}Z", i / 60, i % 60)})
        })
        .collect();
    f.seed(json!({
        "accounts": [{"id": ACME, "tenant_id": "tenant_a", "domain": "acme.com", "name": "Acme"}],
        "prospects": prospects
    }))
    .await;
}

fn names(body: &Value) -> Vec<String> {
    body["linkedProspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

fn prospect_items_read(recorder: &Recorder) -> usize {
    recorder
        .returned_items()
        .iter()
        .filter(|i| {
            i.get("sk")
                .and_then(|s| s.as_s().ok())
                .is_some_and(|s| s.starts_with("PROSPECT#"))
        })
        .count()
}

fn rename() -> lambda_http::Request {
    events::api_request(
        "PATCH",
        &format!("/v0/accounts/{ACME}"),
        &[("account_id", ACME)],
        &[("x-api-key", common::KEY_A), ("content-type", "application/json")],
        Some(br#"{"name": "Bounded"}"#),
    )
}

#[tokio::test]
async fn more_prospects_than_the_bound_lists_the_newest_and_says_so() {
    let f = Fixture::new().await;
    // The fixture's 2 plus these: MAX_LINKED_PROSPECTS + EXTRA + 2 in all.
    let seeded = MAX_LINKED_PROSPECTS + EXTRA;
    seed_prospects(&f, seeded).await;
    let recorder = Recorder::default();
    let state = f.recorded_state(&recorder);
    let response = handle(&state, rename()).await;
    let body = events::body_json(&response);
    assert_eq!(response.status(), 200, "{body}");

    let expected: Vec<String> = (seeded - MAX_LINKED_PROSPECTS..seeded)
        .rev()
        .map(|i| format!("P{i:03}"))
        .collect();
    assert_eq!(names(&body), expected);
    let created: Vec<&str> = body["linkedProspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["createdAt"].as_str().unwrap())
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] > w[1]),
        "not newest first: {created:?}"
    );
    assert_eq!(body["linkedProspectsTruncated"], true);
    assert_eq!(events::header(&response, TRUNCATED_HEADER), Some("true"));

    // One Query, and it read one prospect past the bound, not all of them.
    let queries = recorder.calls().iter().filter(|c| c.operation == "Query").count();
    assert_eq!(queries, 1);
    assert_eq!(prospect_items_read(&recorder), MAX_LINKED_PROSPECTS + 1);
}

#[tokio::test]
async fn paged_query_still_stops_after_the_bound() {
    let mut f = Fixture::new().await;
    seed_prospects(&f, MAX_LINKED_PROSPECTS + EXTRA).await;
    f.state.prospect_page_size = Some(30);
    let recorder = Recorder::default();
    let state = f.recorded_state(&recorder);
    let body = events::body_json(&handle(&state, rename()).await);
    assert_eq!(names(&body).len(), MAX_LINKED_PROSPECTS);
    assert_eq!(body["linkedProspectsTruncated"], true);
    // 30 + 30 + 30 + 11 = 101 items in four pages.
    let queries = recorder.calls().iter().filter(|c| c.operation == "Query").count();
    assert_eq!(queries, 4);
    assert_eq!(prospect_items_read(&recorder), MAX_LINKED_PROSPECTS + 1);
}

#[tokio::test]
async fn exactly_the_bound_is_listed_whole_without_the_marker() {
    let f = Fixture::new().await;
    // With the fixture's two, exactly MAX_LINKED_PROSPECTS.
    seed_prospects(&f, MAX_LINKED_PROSPECTS - 2).await;
    let response = f.patch(ACME, json!({"name": "Full"})).await;
    let body = events::body_json(&response);
    let listed = names(&body);
    assert_eq!(listed.len(), MAX_LINKED_PROSPECTS);
    assert_eq!(listed.last().map(String::as_str), Some("Raj Patel"));
    assert_eq!(body["linkedProspectsTruncated"], false);
    assert_eq!(events::header(&response, TRUNCATED_HEADER), Some("false"));
}

#[tokio::test]
async fn stored_prospects_beyond_the_field_limits_are_cut_to_the_byte_budget() {
    let f = Fixture::new().await;
    // Written by some other tool, past the seed's limits: 100 names of 20 000
    // characters would make a body of 2 MB.
    let items: Vec<Item> = (0..MAX_LINKED_PROSPECTS)
        .map(|i| {
            let id = format!("prospect_01jfrt4z00fay8vvrh4d2p{i:04}");
            let created = format!("2025-02-01T00:{:02}:{:02}.000Z", i / 60, i % 60);
            let s = |v: &str| AttributeValue::S(v.to_owned());
            prospect_key("tenant_a", ACME, &created, &id).into_item_with(Item::from([
                ("prospectId".to_owned(), s(&id)),
                ("tenantId".to_owned(), s("tenant_a")),
                ("name".to_owned(), s(&"x".repeat(20_000))),
                ("createdAt".to_owned(), s(&created)),
                ("updatedAt".to_owned(), s(&created)),
            ]))
        })
        .collect();
    f.db.put(TABLE_LOGICAL_ID, items).await;
    let response = f.patch(ACME, json!({"name": "Huge"})).await;
    let body = events::body_json(&response);
    assert_eq!(response.status(), 200);
    let listed = body["linkedProspects"].as_array().unwrap().len();
    assert!(listed > 0 && listed < MAX_LINKED_PROSPECTS, "{listed}");
    assert_eq!(body["linkedProspectsTruncated"], true);
    assert_eq!(events::header(&response, TRUNCATED_HEADER), Some("true"));
    let size = match response.body() {
        lambda_http::Body::Text(text) => text.len(),
        other => panic!("unexpected body {other:?}"),
    };
    assert!(size <= MAX_RESPONSE_BODY_BYTES, "{size}");
}
