//! PATCH /v1/account against a real local DynamoDB.

mod common;

use common::{ADMIN, Fixture, T1, T2, assert_error, ok, wrong_code};
use serde_json::json;
use testkit::events;
use update_current_account::{TABLE_LOGICAL_ID, handle, store::email_key};

#[tokio::test]
async fn contract_example_updates_name_email_and_settings() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(
            T1,
            json!({"name": "Acme Corp.", "email": "new_email@example.com",
                          "settings": {"currency": "EUR", "timezone": "Europe/Berlin", "language": "de"}}),
        )
        .await);
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "email",
            "id",
            "name",
            "settings",
            "status",
            "type",
            "updated_at"
        ]
    );
    assert_eq!(body["id"], "acct_1");
    assert_eq!(body["email"], "new_email@example.com");
    assert_eq!(body["name"], "Acme Corp.");
    assert_eq!(body["type"], "business");
    assert_eq!(body["status"], "active");
    // As seeded (see seed.rs: timestamps are kept as given).
    assert_eq!(body["created_at"], "2025-01-12T09:30:00Z");
    assert_eq!(
        body["settings"],
        json!({"currency": "EUR", "timezone": "Europe/Berlin", "language": "de"})
    );
    let stored = f.account("acct_1").await;
    assert_eq!(stored["email"].as_s().unwrap(), "new_email@example.com");
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("one@example.com"))
            .await
            .is_none(),
        "old marker released"
    );
    let marker =
        f.db.get(TABLE_LOGICAL_ID, &email_key("new_email@example.com"))
            .await
            .unwrap();
    assert_eq!(marker["account_id"].as_s().unwrap(), "acct_1");
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn settings_merge_key_by_key_and_null_removes() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch(
            T1,
            json!({"settings": {"timezone": "Etc/GMT+5", "language": null}}),
        )
        .await);
    assert_eq!(
        body["settings"],
        json!({"currency": "USD", "timezone": "Etc/GMT+5"})
    );
    let body = ok(&f.patch(T1, json!({"settings": {"language": "pt-BR"}})).await);
    assert_eq!(
        body["settings"],
        json!({"currency": "USD", "timezone": "Etc/GMT+5", "language": "pt-BR"})
    );
}

#[tokio::test]
async fn the_same_email_in_another_case_is_not_a_conflict_and_writes_no_marker() {
    let f = Fixture::new().await;
    let before: Vec<_> = f
        .snapshot()
        .await
        .into_iter()
        .filter(|i| i["sk"].as_s().unwrap() == "EMAIL")
        .collect();
    let body = ok(&f.patch(T1, json!({"email": "  ONE@Example.COM "})).await);
    assert_eq!(body["email"], "ONE@Example.COM");
    let after: Vec<_> = f
        .snapshot()
        .await
        .into_iter()
        .filter(|i| i["sk"].as_s().unwrap() == "EMAIL")
        .collect();
    assert_eq!(before, after);
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn an_email_of_another_account_is_409_in_any_case() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    for email in ["admin@example.com", " Admin@EXAMPLE.com", "TWO@example.com"] {
        let body = assert_error(
            &f.patch(T1, json!({"name": "Renamed", "email": email})).await,
            409,
            "email_exists",
        );
        assert_eq!(
            body["message"],
            "This email is already linked to another account."
        );
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn plus_tags_and_idn_domains_are_valid_and_normalized_for_uniqueness() {
    let f = Fixture::new().await;
    let body = ok(&f.patch(T1, json!({"email": "Jo+Billing@Bücher.DE"})).await);
    assert_eq!(body["email"], "Jo+Billing@Bücher.DE");
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("jo+billing@bücher.de"))
            .await
            .is_some()
    );
    assert_error(
        &f.patch(ADMIN, json!({"email": "jo+billing@xn--bcher-kva.de"}))
            .await,
        409,
        "email_exists",
    );
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn admins_may_name_another_account_owners_may_not() {
    let f = Fixture::new().await;
    let body = ok(&f
        .patch_raw(
            Some(ADMIN),
            &[("x-account-id", "acct_1")],
            br#"{"name": "Set by admin"}"#,
        )
        .await);
    assert_eq!(body["id"], "acct_1");
    assert_eq!(body["name"], "Set by admin");
    let before = f.snapshot().await;
    assert_error(
        &f.patch_raw(Some(T1), &[("x-account-id", "acct_2")], br#"{"name": "Hijack"}"#)
            .await,
        403,
        "unauthorized",
    );
    assert_error(
        &f.patch_raw(Some(T1), &[("x-account-id", "acct_nope")], br#"{"name": "x"}"#)
            .await,
        403,
        "unauthorized",
    );
    assert_eq!(f.snapshot().await, before);
    ok(&f
        .patch_raw(Some(T1), &[("x-account-id", "acct_1")], br#"{"name": "Own"}"#)
        .await);
    assert_error(
        &f.patch_raw(Some(ADMIN), &[("x-account-id", "acct_nope")], br#"{"name": "x"}"#)
            .await,
        404,
        "not_found",
    );
    assert_error(
        &f.patch_raw(Some(ADMIN), &[("x-account-id", "bad id!")], br#"{"name": "x"}"#)
            .await,
        400,
        "invalid_request",
    );
}

#[tokio::test]
async fn missing_malformed_or_unknown_tokens_are_401() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    assert_error(
        &f.patch_raw(None, &[], br#"{"name": "x"}"#).await,
        401,
        "unauthorized",
    );
    assert_error(
        &f.patch_raw(Some("nope"), &[], br#"{"name": "x"}"#).await,
        401,
        "unauthorized",
    );
    let req = events::api_request(
        "PATCH",
        "/v1/account",
        &[],
        &[("authorization", "Token abc")],
        Some(b"{}"),
    );
    assert_error(&handle(&f.state, req).await, 401, "unauthorized");
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn invalid_requests_are_400_and_change_nothing() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let long_email = format!("{}@example.com", "a".repeat(250));
    for body in [
        json!({}),
        json!({"nickname": "x"}),
        json!({"name": null}),
        json!({"email": null}),
        json!({"settings": null}),
        json!({"name": 5}),
        json!({"name": ""}),
        json!({"name": "n".repeat(256)}),
        json!({"email": "not-an-email"}),
        json!({"email": long_email}),
        json!({"email": "a@localhost"}),
        json!({"settings": "EUR"}),
        json!({"settings": {"timezone": "Invalid/Timezone"}}),
        json!({"settings": {"currency": "EURO"}}),
        json!({"settings": {"language": "klingon"}}),
        json!({"settings": {"theme": "dark"}}),
        json!({"name": "ok", "email": "bad"}),
    ] {
        let response = f.patch(T1, body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_error(&response, 400, "invalid_request");
    }
    for raw in [&b""[..], b"[]", b"nope", b"{\"name\": \"\xff\"}"] {
        assert_error(&f.patch_raw(Some(T1), &[], raw).await, 400, "invalid_request");
    }
    let big = json!({"name": "x".repeat(70_000)}).to_string();
    assert_error(
        &f.patch_raw(Some(T1), &[], big.as_bytes()).await,
        413,
        "invalid_request",
    );
    assert_eq!(f.snapshot().await, before);
    ok(&f.patch(T1, json!({"name": "n".repeat(255)})).await);
}

#[tokio::test]
async fn verification_accounts_keep_their_email_until_the_code_is_confirmed() {
    let f = Fixture::new().await;
    let body = ok(&f.patch(T2, json!({"email": "Two.New@example.com"})).await);
    assert_eq!(body["email"], "two@example.com");
    assert_eq!(body["pending_email"], "Two.New@example.com");
    // The pending address reserves nothing: no marker until confirmation
    // (that another account may take it is `verification.rs`).
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("two.new@example.com"))
            .await
            .is_none()
    );
    f.assert_email_markers_consistent().await;

    let code = f.outbox_code("acct_2").await.expect("a code in the outbox");
    let stored = f.account("acct_2").await;
    assert_ne!(
        stored["pending_code_sha256"].as_s().unwrap(),
        &code,
        "only the hash is on the account"
    );

    let wrong = wrong_code(&code);
    assert_error(&f.confirm(T2, &wrong).await, 400, "invalid_request");
    assert_eq!(f.account("acct_2").await["pending_attempts"].as_n().unwrap(), "1");

    let body = ok(&f.confirm(T2, &code).await);
    assert_eq!(body["email"], "Two.New@example.com");
    assert_eq!(body.get("pending_email"), None);
    let stored = f.account("acct_2").await;
    assert!(!stored.contains_key("pending_email") && !stored.contains_key("pending_code_sha256"));
    assert_eq!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("two.new@example.com"))
            .await
            .unwrap()["state"]
            .as_s()
            .unwrap(),
        "active"
    );
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("two@example.com"))
            .await
            .is_none()
    );
    assert!(f.outbox_code("acct_2").await.is_none());
    f.assert_email_markers_consistent().await;
    // Nothing left to confirm.
    assert_error(&f.confirm(T2, &code).await, 400, "invalid_request");
}

#[tokio::test]
async fn a_new_pending_address_releases_the_previous_one() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "first@example.com"})).await);
    ok(&f.patch(T2, json!({"email": "second@example.com"})).await);
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("first@example.com"))
            .await
            .is_none()
    );
    f.assert_email_markers_consistent().await;
    ok(&f.patch(T1, json!({"email": "first@example.com"})).await);
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn five_wrong_codes_use_up_the_pending_change() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "guess@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    let wrong = wrong_code(&code);
    for _ in 0..5 {
        assert_error(&f.confirm(T2, &wrong).await, 400, "invalid_request");
    }
    let body = assert_error(&f.confirm(T2, &code).await, 400, "invalid_request");
    assert!(body["message"].as_str().unwrap().contains("too many"), "{body}");
    assert_eq!(
        f.account("acct_2").await["email"].as_s().unwrap(),
        "two@example.com"
    );
    for bad in [
        "12345",
        "abcdef",
        "1234567",
        "123456",
        "12345678901",
        "12345x7890",
    ] {
        assert_error(&f.confirm(T2, bad).await, 400, "invalid_request");
    }
}

#[tokio::test]
async fn other_methods_are_refused() {
    let f = Fixture::new().await;
    let req = events::api_request(
        "GET",
        "/v1/account",
        &[],
        &[("authorization", &format!("Bearer {T1}"))],
        None,
    );
    assert_error(&handle(&f.state, req).await, 405, "invalid_request");
}

#[tokio::test]
async fn an_expired_change_cannot_be_confirmed_and_is_cancelled() {
    // Replaces `an_expired_reservation_can_be_taken_and_the_old_request_cannot_confirm`:
    // a pending address is no reservation any more (see verification.rs).
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "wanted@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    f.expire_pending("acct_2").await;
    let body = assert_error(&f.confirm(T2, &code).await, 400, "invalid_request");
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    let stored = f.account("acct_2").await;
    assert!(!stored.contains_key("pending_email"));
    assert_eq!(stored["email"].as_s().unwrap(), "two@example.com");
    assert!(f.outbox_code("acct_2").await.is_none(), "outbox message removed");
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("wanted@example.com"))
            .await
            .is_none()
    );
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn requesting_the_same_pending_address_again_sends_a_new_code_and_renews_it() {
    // Replaces `requesting_the_same_pending_address_again_renews_its_reservation`:
    // there is no reservation to renew, only the change's expiry and code.
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "again@example.com"})).await);
    let first = f.account("acct_2").await;
    let first_code = f.outbox_code("acct_2").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let body = ok(&f.patch(T2, json!({"email": "Again@example.com"})).await);
    assert_eq!(body["pending_email"], "Again@example.com");
    let second = f.account("acct_2").await;
    assert_ne!(second["pending_expires_at"], first["pending_expires_at"]);
    assert_ne!(second["pending_code_sha256"], first["pending_code_sha256"]);
    let code = f.outbox_code("acct_2").await.unwrap();
    assert_ne!(code, first_code);
    // Only the newest code confirms.
    assert_error(&f.confirm(T2, &first_code).await, 400, "invalid_request");
    assert_eq!(ok(&f.confirm(T2, &code).await)["email"], "Again@example.com");
    f.assert_email_markers_consistent().await;
}

#[tokio::test]
async fn an_exhausted_change_releases_its_reservation() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "held@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    let wrong = wrong_code(&code);
    for _ in 0..5 {
        assert_error(&f.confirm(T2, &wrong).await, 400, "invalid_request");
    }
    assert_error(&f.confirm(T2, &code).await, 400, "invalid_request");
    assert!(
        f.db.get(TABLE_LOGICAL_ID, &email_key("held@example.com"))
            .await
            .is_none()
    );
    assert!(!f.account("acct_2").await.contains_key("pending_email"));
    ok(&f.patch(T1, json!({"email": "held@example.com"})).await);
    f.assert_email_markers_consistent().await;
}
