//! PATCH /accounts/{accountId} (and /clients/{accountId}) against a real
//! local DynamoDB: every status, with the body and what is stored.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{Fixture, KEY_A, KEY_B, assert_error, is_null, n};
use serde_json::{Value, json};
use testkit::events;
use testkit::refusals::{hidden_like_missing, refused_writing_nothing};
use update_crm_account::store::number_key;

fn ok(response: &lambda_http::Response<lambda_http::Body>) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), 200, "{body}");
    assert_eq!(events::header(response, "content-type"), Some("application/json"));
    body
}

#[tokio::test]
async fn update_returns_the_full_account_in_the_contract_shape() {
    let f = Fixture::new().await;
    let before = f.account("a", 1001).await;
    let body = ok(&f
        .patch(
            "/accounts/1001",
            json!({"title": "Acme Headquarters", "description": "Line 1\nLine 2", "address": ["2 Oak Ave", "Suite 5"],
                   "isActive": false, "primaryEmail": "Billing+Q1@Acme.com", "primaryPhone": "(217) 555-0199",
                   "accountType": "residential", "contacts": [{"name": "Bo", "email": "bo@acme.com", "phone": "+44 20 7946 0958", "role": "Owner"}]}),
        )
        .await);
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "accountType",
            "address",
            "contacts",
            "createdAt",
            "custom",
            "description",
            "id",
            "isActive",
            "number",
            "primaryEmail",
            "primaryPhone",
            "title",
            "updatedAt"
        ]
    );
    assert_eq!(body["id"], 1001);
    assert_eq!(body["title"], "Acme Headquarters");
    assert_eq!(body["description"], "Line 1\nLine 2");
    assert_eq!(body["address"], json!(["2 Oak Ave", "Suite 5"]));
    assert_eq!(body["isActive"], false);
    assert_eq!(body["primaryEmail"], "Billing+Q1@Acme.com");
    assert_eq!(body["primaryPhone"], "+12175550199");
    assert_eq!(body["accountType"], "residential");
    assert_eq!(
        body["contacts"],
        json!([{"name": "Bo", "email": "bo@acme.com", "phone": "+442079460958", "role": "Owner"}])
    );
    assert_eq!(body["number"], 1234);
    assert_eq!(body["custom"], json!({"region": "north", "sqft": 10}));
    assert_eq!(body["createdAt"], before["createdAt"].as_s().unwrap().as_str());
    assert_ne!(body["updatedAt"], before["updatedAt"].as_s().unwrap().as_str());

    let stored = f.account("a", 1001).await;
    assert_eq!(stored["title"].as_s().unwrap(), "Acme Headquarters");
    assert_eq!(stored["primaryPhone"].as_s().unwrap(), "+12175550199");
    assert_eq!(stored["isActive"], AttributeValue::Bool(false));
    assert_eq!(n(&stored, "version"), 1);
}

#[tokio::test]
async fn fields_not_sent_are_kept_and_null_clears_nullable_fields() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(
            "/accounts/1001",
            json!({"description": null, "primaryEmail": null, "primaryPhone": null, "accountType": null}),
        )
        .await);
    for field in ["description", "primaryEmail", "primaryPhone", "accountType"] {
        assert_eq!(body[field], Value::Null, "{field}");
    }
    assert_eq!(body["title"], "Acme HQ");
    assert_eq!(body["address"], json!(["1 Main St"]));
    let stored = f.account("a", 1001).await;
    assert!(is_null(&stored, "description") && is_null(&stored, "primaryEmail"));
    assert_eq!(stored["title"].as_s().unwrap(), "Acme HQ");
}

#[tokio::test]
async fn contacts_and_address_are_replaced_whole() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(
            "/accounts/1001",
            json!({"contacts": [{"name": "New"}, {"name": "Two", "role": "CFO"}], "address": []}),
        )
        .await);
    assert_eq!(
        body["contacts"],
        json!([{"name": "New"}, {"name": "Two", "role": "CFO"}])
    );
    assert_eq!(body["address"], json!([]));
    let body = ok(&f.patch("/accounts/1001", json!({"contacts": []})).await);
    assert_eq!(body["contacts"], json!([]));
}

#[tokio::test]
async fn custom_fields_merge_key_by_key() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(
            "/accounts/1001",
            json!({"custom": {"region": "south", "services": ["hvac", "plumbing"], "since": "2024-02-29", "note": "gate\n4411",
                              "vip": true, "sqft": null, "a.b #x :v": "hostile key"}}),
        )
        .await);
    assert_eq!(
        body["custom"],
        json!({"region": "south", "services": ["hvac", "plumbing"], "since": "2024-02-29", "note": "gate\n4411", "vip": true, "a.b #x :v": "hostile key"})
    );
    let stored = f.account("a", 1001).await;
    let custom = stored["custom"].as_m().unwrap();
    assert_eq!(custom.len(), 6);
    assert_eq!(custom["a.b #x :v"].as_s().unwrap(), "hostile key");
    assert!(!stored.contains_key("a") && !stored.contains_key("x"));
}

#[tokio::test]
async fn invalid_custom_values_are_400_and_change_nothing() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    for (custom, field) in [
        (json!({"undefined_key": 1}), "custom.undefined_key"),
        (json!({"region": "west"}), "custom.region"),
        (json!({"region": 5}), "custom.region"),
        (json!({"services": ["plumbing", "roofing"]}), "custom.services"),
        (json!({"services": "plumbing"}), "custom.services"),
        (json!({"since": "2023-02-29"}), "custom.since"),
        (json!({"sqft": "big"}), "custom.sqft"),
        (json!({"vip": 1}), "custom.vip"),
        (json!({"note": ["x"]}), "custom.note"),
    ] {
        let body = assert_error(
            &f.patch("/accounts/1001", json!({"title": "Changed", "custom": custom}))
                .await,
            400,
            "BadRequestError",
        );
        assert_eq!(body["field"], field, "{body}");
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn allow_new_options_adds_the_option_in_the_same_write() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(
            "/accounts/1002?allow_new_options=true",
            json!({"custom": {"region": "west", "services": ["hvac", "roofing", "solar"]}}),
        )
        .await);
    assert_eq!(
        body["custom"],
        json!({"region": "west", "services": ["hvac", "roofing", "solar"]})
    );
    assert_eq!(f.options("a", "region").await, ["north", "south", "west"]);
    assert_eq!(
        f.options("a", "services").await,
        ["plumbing", "hvac", "roofing", "solar"]
    );
    // The option exists now: no flag needed, and it is not added twice.
    ok(&f
        .patch(
            "/accounts/1001?allow_new_options=true",
            json!({"custom": {"region": "west"}}),
        )
        .await);
    ok(&f
        .patch("/accounts/1001", json!({"custom": {"region": "west"}}))
        .await);
    assert_eq!(f.options("a", "region").await, ["north", "south", "west"]);
    // allow_new_options=false is the default.
    assert_error(
        &f.patch(
            "/accounts/1001?allow_new_options=false",
            json!({"custom": {"region": "east"}}),
        )
        .await,
        400,
        "BadRequestError",
    );
}

#[tokio::test]
async fn allow_new_options_must_be_true_or_false() {
    let f = Fixture::new().await;
    for bad in ["yes", "1", "TRUE", ""] {
        let body = assert_error(
            &f.patch(
                &format!("/accounts/1001?allow_new_options={bad}"),
                json!({"title": "x"}),
            )
            .await,
            400,
            "BadRequestError",
        );
        assert_eq!(body["field"], "allow_new_options");
    }
}

#[tokio::test]
async fn changing_the_number_moves_its_claim() {
    let f = Fixture::new().await;
    let body = ok(&f.patch("/accounts/1001", json!({"number": 5000})).await);
    assert_eq!(body["number"], 5000);
    assert_eq!(n(&f.account("a", 1001).await, "number"), 5000);
    let table = update_crm_account::TABLE_LOGICAL_ID;
    assert_eq!(
        f.db.get(table, &number_key("a", 5000)).await.unwrap()["accountId"],
        AttributeValue::N("1001".into())
    );
    assert!(
        f.db.get(table, &number_key("a", 1234)).await.is_none(),
        "old claim released"
    );
    assert!(
        f.db.get(table, &number_key("b", 1234)).await.is_some(),
        "other tenant untouched"
    );
    // The released number can be claimed by another account; 0 is a valid number.
    ok(&f.patch("/accounts/1002", json!({"number": 1234})).await);
    ok(&f.patch("/accounts/1001", json!({"number": 0})).await);
    f.assert_claims_consistent().await;
}

#[tokio::test]
async fn a_taken_number_is_409_and_nothing_is_written_not_even_new_options() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let body = assert_error(
        &f.patch(
            "/accounts/1001?allow_new_options=true",
            json!({"number": 1300, "title": "Renamed", "custom": {"region": "west"}}),
        )
        .await,
        409,
        "ConflictError",
    );
    assert_eq!(body["field"], "number");
    assert!(body["message"].as_str().unwrap().contains("1300"));
    assert_eq!(f.snapshot().await, before);
    assert_eq!(f.options("a", "region").await, ["north", "south"]);
    f.assert_claims_consistent().await;
}

#[tokio::test]
async fn keeping_the_same_number_is_not_a_conflict() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch("/accounts/1001", json!({"number": 1234, "title": "Same number"}))
        .await);
    assert_eq!(body["number"], 1234);
    f.assert_claims_consistent().await;
}

#[tokio::test]
async fn body_id_must_match_and_timestamps_are_ignored() {
    let f = Fixture::new().await;
    let before = f.account("a", 1001).await;
    let body = ok(&f
        .patch("/accounts/1001", json!({"id": 1001, "title": "T", "createdAt": "1999-01-01T00:00:00Z", "updatedAt": "1999-01-01T00:00:00Z"}))
        .await);
    assert_eq!(body["createdAt"], before["createdAt"].as_s().unwrap().as_str());
    assert_ne!(body["updatedAt"], "1999-01-01T00:00:00Z");
    for id in [json!(1002), json!("1001"), json!(null)] {
        let body = assert_error(
            &f.patch("/accounts/1001", json!({"id": id, "title": "T"})).await,
            400,
            "BadRequestError",
        );
        assert_eq!(body["field"], "id", "{body}");
    }
}

#[tokio::test]
async fn invalid_account_ids_are_400() {
    let f = Fixture::new().await;
    for id in ["abc", "0", "-1", "01", "+5", "1.5", "9223372036854775808", "1e3"] {
        let body = assert_error(
            &f.patch(&format!("/accounts/{id}"), json!({"title": "x"})).await,
            400,
            "BadRequestError",
        );
        assert_eq!(body["field"], "accountId", "{id}: {body}");
    }
    ok(&f.seed_max_id().await);
}

impl Fixture {
    async fn seed_max_id(&self) -> lambda_http::Response<lambda_http::Body> {
        self.seed(json!({"accounts": [{"tenant_id": "a", "id": i64::MAX, "number": 7, "title": "Max"}]}))
            .await;
        self.patch(&format!("/accounts/{}", i64::MAX), json!({"title": "Max id"}))
            .await
    }
}

#[tokio::test]
async fn missing_or_unknown_api_key_is_401() {
    let f = Fixture::new().await;
    let keys = [None, Some("wrong")];
    let requests = keys.map(|key| f.patch_raw("/accounts/1001", key, br#"{"title": "x"}"#));
    refused_writing_nothing(&f, 401, "UnauthorizedError", requests).await;
}

#[tokio::test]
async fn another_tenants_account_is_404_like_a_missing_one() {
    let f = Fixture::new().await;
    hidden_like_missing(
        &f,
        "NotFoundError",
        f.patch("/accounts/2001", json!({"title": "x"})),
        f.patch("/accounts/9999", json!({"title": "x", "number": 42})),
    )
    .await;
    // Tenant B reaches its own account.
    let body = ok(&f
        .patch_raw("/accounts/2001", Some(KEY_B), br#"{"title": "B renamed"}"#)
        .await);
    assert_eq!(body["title"], "B renamed");
}

#[tokio::test]
async fn the_clients_alias_behaves_the_same_and_says_it_is_deprecated() {
    let f = Fixture::new().await;
    let response = f.patch("/clients/1002", json!({"isActive": false})).await;
    let body = ok(&response);
    assert_eq!(body["isActive"], false);
    assert_eq!(events::header(&response, "deprecation"), Some("@1767225600"));
    assert_eq!(
        events::header(&response, "link"),
        Some("</accounts/1002>; rel=\"successor-version\"")
    );
    let error = f.patch("/clients/2001", json!({"title": "x"})).await;
    assert_error(&error, 404, "NotFoundError");
    assert!(events::header(&error, "deprecation").is_some());
    let canonical = f.patch("/accounts/1002", json!({"isActive": true})).await;
    ok(&canonical);
    assert_eq!(events::header(&canonical, "deprecation"), None);
}

#[tokio::test]
async fn bad_bodies_are_400_and_change_nothing() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let long_line = "x".repeat(256);
    let eleven: Vec<String> = (0..11).map(|i| format!("line {i}")).collect();
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), ""),
        (json!({"id": 1001}), ""),
        (json!({"createdAt": "2020-01-01T00:00:00Z"}), ""),
        (json!({"title": "x", "color": "red"}), "color"),
        (json!({"title": 5}), "title"),
        (json!({"title": null}), "title"),
        (json!({"title": ""}), "title"),
        (json!({"title": "t".repeat(256)}), "title"),
        (json!({"description": 5}), "description"),
        (json!({"isActive": "yes"}), "isActive"),
        (json!({"isActive": null}), "isActive"),
        (json!({"number": 1.5}), "number"),
        (json!({"number": "5"}), "number"),
        (json!({"number": -1}), "number"),
        (json!({"number": 1e30}), "number"),
        (json!({"number": null}), "number"),
        (json!({"address": "1 Main St"}), "address"),
        (json!({"address": null}), "address"),
        (json!({"address": eleven}), "address"),
        (json!({"address": [long_line]}), "address[0]"),
        (json!({"address": [1]}), "address[0]"),
        (json!({"primaryEmail": "not-an-email"}), "primaryEmail"),
        (json!({"primaryEmail": 5}), "primaryEmail"),
        (json!({"primaryPhone": "call me"}), "primaryPhone"),
        (json!({"primaryPhone": "555-0100"}), "primaryPhone"),
        (json!({"accountType": "industrial"}), "accountType"),
        (json!({"contacts": {"name": "x"}}), "contacts"),
        (json!({"contacts": null}), "contacts"),
        (json!({"contacts": [{"email": "a@b.com"}]}), "contacts[0]"),
        (
            json!({"contacts": [{"name": "x", "title": "CEO"}]}),
            "contacts[0]",
        ),
        (
            json!({"contacts": [{"name": "x", "email": "nope"}]}),
            "contacts[0].email",
        ),
        (
            json!({"contacts": [{"name": "x", "phone": "nope"}]}),
            "contacts[0].phone",
        ),
        (json!({"custom": null}), "custom"),
        (json!({"custom": []}), "custom"),
        (json!({"custom": {"bad\u{1}key": 1}}), "custom.bad\u{1}key"),
    ];
    for (body, field) in cases {
        let response = f.patch("/accounts/1001", body.clone()).await;
        let error = assert_error(&response, 400, "BadRequestError");
        if field.is_empty() {
            assert!(error.get("field").is_none(), "{body}: {error}");
        } else {
            assert!(
                error["field"].as_str().is_some_and(|f| f.starts_with(field)),
                "{body}: expected field {field}, got {error}"
            );
        }
    }
    for raw in [&b"not json"[..], b"[1]", b"{\"title\": \"\xff\"}", b""] {
        assert_error(
            &f.patch_raw("/accounts/1001", Some(KEY_A), raw).await,
            400,
            "BadRequestError",
        );
    }
    let huge_list = format!("{{\"address\": [{}]}}", vec!["\"x\""; 20_000].join(","));
    assert_error(
        &f.patch_raw("/accounts/1001", Some(KEY_A), huge_list.as_bytes())
            .await,
        413,
        "ContentTooLargeError",
    );
    let many_lines = format!("{{\"address\": [{}]}}", vec!["\"x\""; 5_000].join(","));
    assert_error(
        &f.patch_raw("/accounts/1001", Some(KEY_A), many_lines.as_bytes())
            .await,
        400,
        "BadRequestError",
    );
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn the_clients_alias_never_reflects_an_invalid_id() {
    let f = Fixture::new().await;
    let response = f.patch("/clients/1%3E;%20rel=evil", json!({"title": "x"})).await;
    assert_error(&response, 400, "BadRequestError");
    assert_eq!(events::header(&response, "deprecation"), Some("@1767225600"));
    assert_eq!(events::header(&response, "link"), None);
}

#[tokio::test]
async fn bodies_not_declared_as_json_are_415_and_change_nothing() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let body = br#"{"title": "Renamed"}"#;
    for content_type in [
        Some("text/plain"),
        None,
        Some("application/json; charset=latin1"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let response = f
            .patch_typed("/accounts/1001", Some(KEY_A), content_type, body)
            .await;
        let error = assert_error(&response, 415, "UnsupportedMediaTypeError");
        assert!(error.get("field").is_none(), "{content_type:?}: {error}");
    }
    assert_eq!(f.snapshot().await, before);
    for (content_type, title) in [
        ("application/merge-patch+json", "Merge patch"),
        ("Application/JSON; charset=UTF-8", "Mixed case"),
    ] {
        let body = json!({ "title": title }).to_string();
        let response = f
            .patch_typed("/accounts/1001", Some(KEY_A), Some(content_type), body.as_bytes())
            .await;
        assert_eq!(ok(&response)["title"], title);
        assert_eq!(f.account("a", 1001).await["title"].as_s().unwrap(), title);
    }
}
