//! PATCH /v2/accounts/{accountId} against a real local DynamoDB.

mod common;

use common::{ACC, ADMIN, Fixture, MANAGER, READONLY, assert_error, ok};
use serde_json::{Value, json};
use shared::seed::Section as _;
use testkit::events;
use update_account_v2::{TABLE_LOGICAL_ID, seed::Seed, store::email_key};

#[tokio::test]
async fn update_returns_the_full_account() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(ADMIN, ACC, json!({"displayName": "Acme Corp - Updated", "settings": {"timezone": "America/New_York", "enableRecording": true, "recordingRetention": 60}}))
        .await);
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "address",
            "createdAt",
            "displayName",
            "email",
            "id",
            "metadata",
            "name",
            "phone",
            "plan",
            "settings",
            "status",
            "updatedAt"
        ]
    );
    assert_eq!(body["id"], "acc_1");
    assert_eq!(body["name"], "Acme Corporation");
    assert_eq!(body["displayName"], "Acme Corp - Updated");
    assert_eq!(body["plan"], "professional");
    assert_eq!(body["phone"], "+15550100");
    assert_eq!(body["createdAt"], "2023-10-15T10:30:00Z");
    assert_eq!(
        body["settings"],
        json!({"timezone": "America/New_York", "language": "en", "enableVoiceMail": true, "enableRecording": true, "recordingRetention": 60, "smsEnabled": true})
    );
    let stored = f.account(ACC).await;
    assert_eq!(stored["displayName"].as_s().unwrap(), "Acme Corp - Updated");
    assert_eq!(
        stored["settings"].as_m().unwrap()["recordingRetention"]
            .as_n()
            .unwrap(),
        "60"
    );
}

#[tokio::test]
async fn bearer_tokens_work_as_in_the_contract_examples() {
    let f = Fixture::new().await;
    let auth = format!("Bearer {MANAGER}");
    let body = ok(&f
        .patch_with(
            ACC,
            &[("authorization", &auth)],
            br#"{"displayName": "Via Bearer"}"#,
        )
        .await);
    assert_eq!(body["displayName"], "Via Bearer");
}

#[tokio::test]
async fn address_and_contact_update_with_email_uniqueness() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(MANAGER, ACC, json!({"email": "neoadmin@acme.com", "phone": "+1-555-0200",
                                    "address": {"street": "456 Corporate Blvd", "city": "New York", "state": "NY", "postalCode": "10001", "country": "US"}}))
        .await);
    assert_eq!(body["email"], "neoadmin@acme.com");
    assert_eq!(body["phone"], "+15550200");
    assert_eq!(
        body["address"],
        json!({"street": "456 Corporate Blvd", "city": "New York", "state": "NY", "postalCode": "10001", "country": "US"})
    );
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("admin@acme.com"))
            .await
            .is_none()
    );
    f.assert_email_markers_consistent().await;
    // Another account's address, in any case: 409 naming the field.
    let before = f.snapshot().await;
    let details = assert_error(
        &f.patch(
            ADMIN,
            "acc_2",
            json!({"email": " NeoAdmin@ACME.com", "displayName": "x"}),
        )
        .await,
        409,
        "CONFLICT",
    );
    assert_eq!(details["field"], "email");
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn maps_merge_key_by_key() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(ADMIN, ACC, json!({"address": {"street": "1 New St", "state": null}, "settings": {"smsEnabled": false, "language": null},
                                  "metadata": {"tier": "gold", "crm_id": null, "nested": {"a": [1]}}}))
        .await);
    assert_eq!(
        body["address"],
        json!({"street": "1 New St", "city": "Boston", "postalCode": "02110", "country": "US"})
    );
    assert_eq!(body["settings"]["smsEnabled"], false);
    assert!(body["settings"].get("language").is_none());
    assert_eq!(body["metadata"], json!({"tier": "gold", "nested": {"a": [1]}}));
}

#[tokio::test]
async fn validation_boundaries() {
    let f = Fixture::new().await;
    for (body, ok_expected) in [
        (json!({"displayName": ""}), false),
        (json!({"displayName": "a"}), true),
        (json!({"displayName": "a".repeat(100)}), true),
        (json!({"displayName": "a".repeat(101)}), false),
        (json!({"settings": {"recordingRetention": 0}}), false),
        (json!({"settings": {"recordingRetention": 1}}), true),
        (json!({"settings": {"recordingRetention": 365}}), true),
        (json!({"settings": {"recordingRetention": 366}}), false),
        (json!({"settings": {"timezone": "Etc/GMT+5"}}), true),
        (json!({"settings": {"timezone": "Invalid/Timezone"}}), false),
        (json!({"email": "jo+voicemail@example.com"}), true),
        (json!({"email": "jo@bücher.de"}), true),
        (json!({"email": "not an email"}), false),
        (json!({"phone": "+44 20 7946 0958"}), true),
        (json!({"phone": "+1 (555) 010-0199"}), true),
        (json!({"phone": "12"}), false),
        (json!({"status": "suspended"}), true),
        (json!({"status": "deleted"}), false),
    ] {
        let response = f.patch(ADMIN, ACC, body.clone()).await;
        assert_eq!(
            response.status() == 200,
            ok_expected,
            "{body}: {}",
            events::body_json(&response)
        );
    }
    let stored = f.account(ACC).await;
    assert_eq!(stored["phone"].as_s().unwrap(), "+15550100199");
    assert_eq!(stored["email"].as_s().unwrap(), "jo@bücher.de");
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn invalid_values_are_400_with_the_contracts_details() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let details = assert_error(
        &f.patch(ADMIN, ACC, json!({"settings": {"timezone": "Invalid/Timezone"}}))
            .await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(
        details,
        json!({"field": "settings.timezone", "value": "Invalid/Timezone"})
    );
    for (body, field) in [
        (json!({"id": "acc_9"}), "id"),
        (json!({"name": "New name"}), "name"),
        (json!({"plan": "enterprise"}), "plan"),
        (json!({"createdAt": "2020-01-01T00:00:00Z"}), "createdAt"),
        (json!({"displayName": null}), "displayName"),
        (json!({"email": null}), "email"),
        (json!({"status": null}), "status"),
        (json!({"address": {"country": "USA"}}), "address.country"),
        (json!({"address": {"zip": "02110"}}), "address.zip"),
        (json!({"address": null}), "address"),
        (
            json!({"settings": {"recordingRetention": "60"}}),
            "settings.recordingRetention",
        ),
        (
            json!({"settings": {"enableRecording": "yes"}}),
            "settings.enableRecording",
        ),
        (json!({"settings": {"volume": 11}}), "settings.volume"),
        (json!({"metadata": {"": 1}}), "metadata."),
        (json!({"metadata": {"big": "x".repeat(2000)}}), "metadata.big"),
        (json!({"displayName": 5}), "displayName"),
        (json!({"nickname": "x"}), "nickname"),
        (json!({}), "body"),
    ] {
        let details = assert_error(&f.patch(ADMIN, ACC, body.clone()).await, 400, "INVALID_REQUEST");
        assert_eq!(details["field"], field, "{body}: {details}");
    }
    for raw in [&b"nope"[..], b"[]", b"", b"{\"displayName\": \"\xff\"}"] {
        assert_error(
            &f.patch_with(ACC, &[("x-auth-token", ADMIN)], raw).await,
            400,
            "INVALID_REQUEST",
        );
    }
    let big = json!({"displayName": "x".repeat(70_000)}).to_string();
    assert_error(
        &f.patch_with(ACC, &[("x-auth-token", ADMIN)], big.as_bytes())
            .await,
        413,
        "PAYLOAD_TOO_LARGE",
    );
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn roles_limit_the_fields_a_token_may_send() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    assert_error(
        &f.patch(READONLY, ACC, json!({"displayName": "x"})).await,
        403,
        "FORBIDDEN",
    );
    let details = assert_error(
        &f.patch(MANAGER, ACC, json!({"status": "suspended"})).await,
        403,
        "FORBIDDEN",
    );
    assert_eq!(details["field"], "status");
    assert_eq!(f.snapshot().await, before);
    ok(&f
        .patch(MANAGER, ACC, json!({"displayName": "Managers may"}))
        .await);
    let body = ok(&f.patch(ADMIN, ACC, json!({"status": "closed"})).await);
    assert_eq!(body["status"], "closed");
}

#[tokio::test]
async fn accounts_outside_the_tokens_set_are_404_like_missing_ones() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    assert_error(
        &f.patch(MANAGER, "acc_2", json!({"displayName": "x"})).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &f.patch(ADMIN, "acc_3", json!({"displayName": "x"})).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &f.patch(ADMIN, "acc_missing", json!({"displayName": "x"})).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &f.patch(ADMIN, "bad id!", json!({"displayName": "x"})).await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(f.snapshot().await, before);
    // In the token's set but not in the table: 404 too.
    f.seed(json!({"tokens": [{"token": "ghost-token-0123456789", "role": "admin", "account_ids": ["acc_ghost"]}]})).await;
    assert_error(
        &f.patch("ghost-token-0123456789", "acc_ghost", json!({"displayName": "x"}))
            .await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &f.patch(
            "ghost-token-0123456789",
            "acc_ghost",
            json!({"email": "g@example.com"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn missing_or_unknown_tokens_are_401() {
    let f = Fixture::new().await;
    assert_error(
        &f.patch_with(ACC, &[], br#"{"displayName": "x"}"#).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &f.patch("unknown", ACC, json!({"displayName": "x"})).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &f.patch_with(
            ACC,
            &[("authorization", "Bearer nope")],
            br#"{"displayName": "x"}"#,
        )
        .await,
        401,
        "UNAUTHORIZED",
    );
}

#[tokio::test]
async fn same_email_in_another_case_claims_nothing() {
    let f = Fixture::new().await;
    let body = ok(&f.patch(ADMIN, ACC, json!({"email": "ADMIN@Acme.com"})).await);
    assert_eq!(body["email"], "ADMIN@Acme.com");
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn more_metadata_keys_than_allowed_are_refused_whole() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let keys: serde_json::Map<String, Value> = (0..150).map(|i| (format!("k{i}"), json!(i))).collect();
    let details = assert_error(
        &f.patch(ADMIN, ACC, json!({ "metadata": keys })).await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(details, json!({"field": "metadata", "value": keys}));
    assert_eq!(f.snapshot().await, before);
    // Up to the limit (1 stored + 99 new) is fine; one more is refused.
    let keys: serde_json::Map<String, Value> = (0..99).map(|i| (format!("k{i}"), json!(i))).collect();
    ok(&f.patch(ADMIN, ACC, json!({ "metadata": keys })).await);
    let details = assert_error(
        &f.patch(ADMIN, ACC, json!({"metadata": {"one_more": 1}})).await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(details, json!({"field": "metadata", "value": {"one_more": 1}}));
    assert_eq!(f.account(ACC).await["metadata"].as_m().unwrap().len(), 100);
}

/// Where a response differs from a 400 in the contract's envelope with
/// exactly these `details` (and some message); `None` when it does not.
fn invalid_mismatch(response: &lambda_http::Response<lambda_http::Body>, details: &Value) -> Option<String> {
    let body = events::body_json(response);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    let expected = json!({"error": {"code": "INVALID_REQUEST", "message": message, "details": details}});
    (response.status() != 400 || message.is_empty() || body != expected)
        .then(|| format!("{} {body}, expected 400 {expected}", response.status()))
}

#[tokio::test]
async fn every_400_naming_a_field_echoes_the_value_as_sent() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let deep = (0..20).fold(json!(1), |inner, _| json!([inner]));
    let big = "x".repeat(2000);
    let cases: Vec<(String, &str, Value)> = vec![
        // Every field of the body, with a wrong type.
        (r#"{"displayName": 5}"#.into(), "displayName", json!(5)),
        (r#"{"email": 42}"#.into(), "email", json!(42)),
        (
            r#"{"phone": ["+1-555-0200"]}"#.into(),
            "phone",
            json!(["+1-555-0200"]),
        ),
        (
            r#"{"address": "1 Main St"}"#.into(),
            "address",
            json!("1 Main St"),
        ),
        (r#"{"settings": "loud"}"#.into(), "settings", json!("loud")),
        (r#"{"status": true}"#.into(), "status", json!(true)),
        (r#"{"metadata": []}"#.into(), "metadata", json!([])),
        (r#"{"metadata": 1.5e3}"#.into(), "metadata", json!(1500.0)),
        // Every nested field, with a wrong type.
        (r#"{"address": {"street": 5}}"#.into(), "address.street", json!(5)),
        (r#"{"address": {"city": {}}}"#.into(), "address.city", json!({})),
        (
            r#"{"address": {"state": false}}"#.into(),
            "address.state",
            json!(false),
        ),
        (
            r#"{"address": {"postalCode": 10001}}"#.into(),
            "address.postalCode",
            json!(10001),
        ),
        (
            r#"{"address": {"country": ["US"]}}"#.into(),
            "address.country",
            json!(["US"]),
        ),
        (
            r#"{"settings": {"timezone": 5}}"#.into(),
            "settings.timezone",
            json!(5),
        ),
        (
            r#"{"settings": {"language": true}}"#.into(),
            "settings.language",
            json!(true),
        ),
        (
            r#"{"settings": {"enableVoiceMail": "yes"}}"#.into(),
            "settings.enableVoiceMail",
            json!("yes"),
        ),
        (
            r#"{"settings": {"enableRecording": 1}}"#.into(),
            "settings.enableRecording",
            json!(1),
        ),
        (
            r#"{"settings": {"recordingRetention": "x"}}"#.into(),
            "settings.recordingRetention",
            json!("x"),
        ),
        (
            r#"{"settings": {"smsEnabled": {"on": true}}}"#.into(),
            "settings.smsEnabled",
            json!({"on": true}),
        ),
        // Nulls where a value is required.
        (r#"{"displayName": null}"#.into(), "displayName", Value::Null),
        (r#"{"settings": null}"#.into(), "settings", Value::Null),
        // Unknown fields, at the top and nested.
        (r#"{"foo": 1}"#.into(), "foo", json!(1)),
        (
            r#"{"displayName": "ok", "a.b": {"c": [1, null]}}"#.into(),
            "a.b",
            json!({"c": [1, null]}),
        ),
        (
            r#"{"updatedAt": "2023-10-20T16:45:00Z"}"#.into(),
            "updatedAt",
            json!("2023-10-20T16:45:00Z"),
        ),
        (
            r#"{"settings": {"theme": "dark"}}"#.into(),
            "settings.theme",
            json!("dark"),
        ),
        (r#"{"address": {"zip": null}}"#.into(), "address.zip", Value::Null),
        // Immutable fields.
        (r#"{"plan": "pro"}"#.into(), "plan", json!("pro")),
        (r#"{"id": "acc_9"}"#.into(), "id", json!("acc_9")),
        (
            r#"{"name": {"first": "A"}}"#.into(),
            "name",
            json!({"first": "A"}),
        ),
        (r#"{"createdAt": null}"#.into(), "createdAt", Value::Null),
        // A field sent twice: its last value.
        (
            r#"{"email": "a@acme.com", "email": "b@acme.com"}"#.into(),
            "email",
            json!("b@acme.com"),
        ),
        // Metadata keys and values.
        (r#"{"metadata": {"": 1}}"#.into(), "metadata.", json!(1)),
        (
            format!(r#"{{"metadata": {{"{}": true}}}}"#, "k".repeat(65)),
            "metadata.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
            json!(true),
        ),
        (
            json!({"metadata": {"big": big}}).to_string(),
            "metadata.big",
            json!(big),
        ),
        (
            json!({"metadata": {"deep": deep}}).to_string(),
            "metadata.deep",
            deep.clone(),
        ),
        // No change at all: the body as sent.
        ("{}".into(), "body", json!({})),
        (r#"{"metadata": {}}"#.into(), "body", json!({"metadata": {}})),
    ];
    let mut failures = Vec::new();
    for (raw, field, value) in cases {
        let response = f
            .patch_with(ACC, &[("x-auth-token", ADMIN)], raw.as_bytes())
            .await;
        if let Some(mismatch) = invalid_mismatch(&response, &json!({"field": field, "value": value})) {
            failures.push(format!("{raw}: {mismatch}"));
        }
        assert_eq!(f.snapshot().await, before, "{raw}");
    }
    // The path parameter too.
    let response = f.patch(ADMIN, "bad id!", json!({"displayName": "x"})).await;
    if let Some(mismatch) = invalid_mismatch(&response, &json!({"field": "accountId", "value": "bad id!"})) {
        failures.push(format!("accountId: {mismatch}"));
    }
    assert_eq!(f.snapshot().await, before);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_body_that_is_not_json_after_an_unknown_field_is_a_plain_400() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let details = assert_error(
        &f.patch_with(ACC, &[("x-auth-token", ADMIN)], br#"{"foo": 1, "displayName": "#)
            .await,
        400,
        "INVALID_REQUEST",
    );
    assert_eq!(details, Value::Null);
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn bodies_not_declared_as_json_are_415() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let body = br#"{"displayName": "Not JSON?"}"#;
    for headers in [
        &[("content-type", "text/plain"), ("x-auth-token", ADMIN)][..],
        &[("x-auth-token", ADMIN)][..],
        &[
            ("content-type", "application/json; charset=latin1"),
            ("x-auth-token", ADMIN),
        ][..],
    ] {
        let response = f.patch_exactly(ACC, headers, body).await;
        let details = assert_error(&response, 415, "UNSUPPORTED_MEDIA_TYPE");
        assert_eq!(details, Value::Null, "{headers:?}");
        assert_eq!(
            events::header(&response, "content-type"),
            Some("application/json")
        );
        assert_eq!(
            events::header(&response, "accept-patch"),
            Some("application/json, application/merge-patch+json")
        );
        assert_eq!(f.snapshot().await, before, "{headers:?}");
    }
    for (content_type, name) in [
        ("application/merge-patch+json", "Merge Patch"),
        ("Application/JSON; charset=UTF-8", "Mixed Case"),
    ] {
        let body = json!({ "displayName": name }).to_string();
        let response = f
            .patch_exactly(
                ACC,
                &[("content-type", content_type), ("x-auth-token", ADMIN)],
                body.as_bytes(),
            )
            .await;
        assert_eq!(ok(&response)["displayName"], name);
        assert_eq!(f.account(ACC).await["displayName"].as_s().unwrap(), name);
    }
}

#[tokio::test]
async fn seeded_timestamps_are_kept_and_a_patch_moves_only_updated_at() {
    let f = Fixture::new().await;
    f.seed(json!({
        "tokens": [{"token": "stamp-token-0123456789", "role": "admin", "account_ids": ["acc_stamped"]}],
        "accounts": [{"id": "acc_stamped", "name": "Stamped", "plan": "professional",
                      "createdAt": "2023-10-15T10:30:00Z", "updatedAt": "2023-10-20T16:45:00Z",
                      "displayName": "Stamped", "email": "stamped@example.com", "status": "suspended"}]
    }))
    .await;
    let stored = f.account("acc_stamped").await;
    assert_eq!(stored["createdAt"].as_s().unwrap(), "2023-10-15T10:30:00Z");
    assert_eq!(stored["updatedAt"].as_s().unwrap(), "2023-10-20T16:45:00Z");
    assert_eq!(stored["status"].as_s().unwrap(), "suspended");
    let body = ok(&f
        .patch(
            "stamp-token-0123456789",
            "acc_stamped",
            json!({"displayName": "Restamped"}),
        )
        .await);
    assert_eq!(body["createdAt"], "2023-10-15T10:30:00Z");
    let updated = shared::clock::Timestamp::parse(body["updatedAt"].as_str().unwrap()).unwrap();
    assert!(updated > shared::clock::Timestamp::parse("2023-10-20T16:45:00Z").unwrap());
    let stored = f.account("acc_stamped").await;
    assert_eq!(stored["createdAt"].as_s().unwrap(), "2023-10-15T10:30:00Z");
    assert_eq!(
        stored["updatedAt"].as_s().unwrap(),
        body["updatedAt"].as_str().unwrap()
    );
}

#[test]
fn a_seed_with_a_malformed_timestamp_is_refused() {
    let seed: Seed = serde_json::from_value(json!({
        "accounts": [{"id": "acc_bad", "name": "Bad", "plan": "starter", "updatedAt": "yesterday",
                      "displayName": "Bad", "email": "bad@example.com"}]
    }))
    .unwrap();
    assert_eq!(
        seed.items().unwrap_err().to_string(),
        r#"update-account-v2: account acc_bad: updatedAt "yesterday" is not an RFC 3339 timestamp such as 2023-10-15T10:30:00Z"#
    );
}
