//! Custom field definitions as other tools may leave them (attributes
//! missing or of the wrong type), and requests adding options to more
//! fields than one transaction holds: clear answers, never a 500 or a retry
//! loop.

mod common;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{Fixture, assert_error, n};
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::store::{Item, write::MAX_TRANSACTION_ACTIONS as DYNAMODB_MAX_TRANSACTION_ACTIONS};
use testkit::events;
use update_crm_account::{
    TABLE_LOGICAL_ID, change::custom::MAX_FIELDS_WITH_NEW_OPTIONS, store::definition::field_key,
};

fn ok(response: &Response<Body>) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), 200, "{body}");
    body
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// A definition item of tenant `a` with exactly these attributes.
fn raw_def(key: &str, attrs: &[(&str, AttributeValue)]) -> Item {
    let mut item = field_key("a", key).to_item();
    for (name, value) in attrs {
        item.insert((*name).to_owned(), value.clone());
    }
    item
}

async fn stored_def(f: &Fixture, key: &str) -> Item {
    f.db.get(TABLE_LOGICAL_ID, &field_key("a", key))
        .await
        .expect("definition exists")
}

fn strings(value: &AttributeValue) -> Vec<String> {
    value
        .as_l()
        .expect("a list")
        .iter()
        .map(|v| v.as_s().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn a_definition_without_options_or_version_gets_its_first_option() {
    let f = Fixture::new().await;
    f.put_raw(vec![raw_def(
        "zone",
        &[("key", s("zone")), ("type", s("dropdown"))],
    )])
    .await;
    // No options yet: a value is not an option without the flag.
    let before = f.snapshot().await;
    let error = assert_error(
        &f.patch("/accounts/1001", json!({"custom": {"zone": "west"}}))
            .await,
        400,
        "BadRequestError",
    );
    assert_eq!(error["field"], "custom.zone");
    assert_eq!(f.snapshot().await, before);

    let body = ok(&f
        .patch(
            "/accounts/1001?allow_new_options=true",
            json!({"custom": {"zone": "west"}}),
        )
        .await);
    assert_eq!(body["custom"]["zone"], "west");
    let def = stored_def(&f, "zone").await;
    assert_eq!(strings(&def["options"]), ["west"]);
    assert_eq!(n(&def, "version"), 1);
    // Now a normal definition: the next option is appended after it.
    ok(&f
        .patch(
            "/accounts/1002?allow_new_options=true",
            json!({"custom": {"zone": "east"}}),
        )
        .await);
    assert_eq!(f.options("a", "zone").await, ["west", "east"]);
    assert_eq!(n(&stored_def(&f, "zone").await, "version"), 2);
}

#[tokio::test]
async fn a_definition_without_version_is_appended_to_once() {
    let f = Fixture::new().await;
    f.put_raw(vec![raw_def(
        "zone",
        &[
            ("type", s("multiselect")),
            ("options", AttributeValue::L(vec![s("north")])),
        ],
    )])
    .await;
    let body = ok(&f
        .patch(
            "/accounts/1001?allow_new_options=true",
            json!({"custom": {"zone": ["north", "south"]}}),
        )
        .await);
    assert_eq!(body["custom"]["zone"], json!(["north", "south"]));
    let def = stored_def(&f, "zone").await;
    assert_eq!(strings(&def["options"]), ["north", "south"]);
    assert_eq!(n(&def, "version"), 1);
    assert_eq!(
        f.account("a", 1001).await["custom"].as_m().unwrap()["zone"],
        AttributeValue::L(vec![s("north"), s("south")])
    );
}

#[tokio::test]
async fn options_and_version_of_the_wrong_type_are_replaced_by_well_formed_ones() {
    let f = Fixture::new().await;
    f.put_raw(vec![
        raw_def(
            "zone",
            &[
                ("type", s("dropdown")),
                ("options", s("north")),
                ("version", s("v7")),
            ],
        ),
        raw_def(
            "kind",
            &[
                ("type", s("dropdown")),
                ("options", AttributeValue::Ss(vec!["house".into()])),
                ("version", AttributeValue::Null(true)),
            ],
        ),
    ])
    .await;
    // A string set's strings are options.
    ok(&f
        .patch("/accounts/1001", json!({"custom": {"kind": "house"}}))
        .await);
    let body = ok(&f
        .patch(
            "/accounts/1001?allow_new_options=true",
            json!({"custom": {"zone": "west", "kind": "flat"}}),
        )
        .await);
    assert_eq!(body["custom"]["zone"], "west");
    assert_eq!(body["custom"]["kind"], "flat");
    let zone = stored_def(&f, "zone").await;
    assert_eq!(strings(&zone["options"]), ["west"]);
    assert_eq!(n(&zone, "version"), 1);
    let kind = stored_def(&f, "kind").await;
    assert_eq!(strings(&kind["options"]), ["house", "flat"]);
    assert_eq!(n(&kind, "version"), 1);
}

#[tokio::test]
async fn a_definition_without_a_known_type_refuses_values_and_allows_removal() {
    let f = Fixture::new().await;
    f.put_raw(vec![
        raw_def("untyped", &[]),
        raw_def("odd", &[("type", s("color")), ("key", s("odd"))]),
    ])
    .await;
    let before = f.snapshot().await;
    for key in ["untyped", "odd"] {
        let error = assert_error(
            &f.patch(
                "/accounts/1001?allow_new_options=true",
                json!({"title": "Changed", "custom": {key: "x"}}),
            )
            .await,
            400,
            "BadRequestError",
        );
        assert_eq!(error["field"], format!("custom.{key}"), "{error}");
    }
    assert_eq!(f.snapshot().await, before);
    // The other fields of the tenant keep working, and the value can be removed.
    let body = ok(&f
        .patch(
            "/accounts/1001",
            json!({"custom": {"region": "south", "untyped": null}}),
        )
        .await);
    assert_eq!(body["custom"], json!({"region": "south", "sqft": 10}));
}

/// Tenant `m` with `fields` dropdown fields `f0`.. (option `a` each) and
/// account 1 (number 1).
async fn tenant_with_dropdowns(fields: usize) -> Fixture {
    let f = Fixture::new().await;
    let defs: Vec<Value> = (0..fields)
        .map(|i| json!({"tenant_id": "m", "key": format!("f{i}"), "type": "dropdown", "options": ["a"]}))
        .collect();
    f.seed(json!({
        "api_keys": [{"token": KEY_M, "tenant_id": "m"}],
        "custom_fields": defs,
        "accounts": [{"tenant_id": "m", "id": 1, "number": 1, "title": "Many fields"}]
    }))
    .await;
    f
}

const KEY_M: &str = "crm-key-m-0123456789";

/// A body adding option `new` to fields `f0`..`f<fields - 1>`.
fn new_option_in(fields: usize, extra: Value) -> Vec<u8> {
    let custom: serde_json::Map<String, Value> =
        (0..fields).map(|i| (format!("f{i}"), json!("new"))).collect();
    let mut body = extra;
    body["custom"] = Value::Object(custom);
    body.to_string().into_bytes()
}

#[tokio::test]
async fn new_options_for_more_fields_than_one_transaction_holds_are_400_before_any_write() {
    assert_eq!(MAX_FIELDS_WITH_NEW_OPTIONS, DYNAMODB_MAX_TRANSACTION_ACTIONS - 4);
    let fields = DYNAMODB_MAX_TRANSACTION_ACTIONS;
    let f = tenant_with_dropdowns(fields).await;
    let before = f.snapshot().await;
    // One over the bound (with a number change and a keyed request's
    // record: 101 actions), and every field (without one: 102 actions).
    for (count, extra) in [
        (MAX_FIELDS_WITH_NEW_OPTIONS + 1, json!({"number": 2})),
        (fields, json!({"title": "x"})),
    ] {
        let response = f
            .patch_raw(
                "/accounts/1?allow_new_options=true",
                Some(KEY_M),
                &new_option_in(count, extra),
            )
            .await;
        let error = assert_error(&response, 400, "BadRequestError");
        assert_eq!(error["field"], "custom", "{error}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains(&MAX_FIELDS_WITH_NEW_OPTIONS.to_string()),
            "{message}"
        );
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn new_options_for_exactly_the_bound_of_fields_commit_with_a_number_change_and_a_key() {
    use lambda_http::RequestExt;
    let f = tenant_with_dropdowns(MAX_FIELDS_WITH_NEW_OPTIONS + 1).await;
    // With an Idempotency-Key, the record is the transaction's 100th action.
    let body = new_option_in(MAX_FIELDS_WITH_NEW_OPTIONS, json!({"number": 2}));
    let req = testkit::events::api_request(
        "PATCH",
        "/accounts/1",
        &[("accountId", "1")],
        &[
            ("content-type", "application/json"),
            ("x-api-key", KEY_M),
            ("idempotency-key", "bound-1"),
        ],
        Some(&body),
    )
    .with_query_string_parameters(HashMap::from([(
        "allow_new_options".to_owned(),
        "true".to_owned(),
    )]));
    let response = update_crm_account::handle(&f.state, req).await;
    let body = ok(&response);
    assert_eq!(body["number"], 2);
    assert_eq!(
        body["custom"].as_object().unwrap().len(),
        MAX_FIELDS_WITH_NEW_OPTIONS
    );
    for i in 0..MAX_FIELDS_WITH_NEW_OPTIONS {
        assert_eq!(f.options("m", &format!("f{i}")).await, ["a", "new"], "f{i}");
    }
    let last = format!("f{MAX_FIELDS_WITH_NEW_OPTIONS}");
    assert_eq!(f.options("m", &last).await, ["a"]);
    let stored = f.account("m", 1).await;
    assert_eq!(n(&stored, "number"), 2);
    assert_eq!(
        stored["custom"].as_m().unwrap().len(),
        MAX_FIELDS_WITH_NEW_OPTIONS
    );
    f.assert_claims_consistent().await;
}
