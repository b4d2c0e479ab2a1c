//! What a request must look like before anything is read or written:
//! `X-Account-Id` and `Content-Type`, on both binaries.

mod common;

use common::{ADMIN, Fixture, T1, T2, assert_error, ok};
use serde_json::json;
use testkit::events;

#[tokio::test]
async fn a_malformed_x_account_id_is_400_and_never_the_callers_own_account() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let too_long = "a".repeat(129);
    for token in [T1, ADMIN] {
        let auth = format!("Bearer {token}");
        for named in [
            "",
            "acct_é",
            "ácct_1",
            "bad id!",
            "ACCOUNT#acct_1",
            "acct_1,acct_2",
            too_long.as_str(),
        ] {
            let headers = [
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
                ("x-account-id", named),
            ];
            let response = f
                .patch_with_headers(&headers, br#"{"name": "Should not be stored"}"#)
                .await;
            let body = assert_error(&response, 400, "invalid_request");
            assert!(
                body["message"].as_str().unwrap().contains("X-Account-Id"),
                "{named:?}: {body}"
            );
            let response = f.confirm_raw(&headers, br#"{"code": "0123456789"}"#).await;
            assert_error(&response, 400, "invalid_request");
        }
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn a_well_formed_x_account_id_still_works() {
    let f = Fixture::new().await;
    let auth = format!("Bearer {ADMIN}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("x-account-id", "acct_1"),
    ];
    let body = ok(&f.patch_with_headers(&headers, br#"{"name": "By admin"}"#).await);
    assert_eq!(body["id"], "acct_1");
    assert_eq!(f.account("acct_1").await["name"].as_s().unwrap(), "By admin");
}

#[tokio::test]
async fn bodies_that_are_not_json_media_types_are_415_on_both_routes() {
    let f = Fixture::new().await;
    ok(&f.patch(T2, json!({"email": "media@example.com"})).await);
    let code = f.outbox_code("acct_2").await.unwrap();
    let before = f.snapshot().await;
    for (token, patch_body) in [(T1, r#"{"name": "x"}"#), (T2, r#"{"name": "y"}"#)] {
        let auth = format!("Bearer {token}");
        let confirm_body = json!({ "code": code }).to_string();
        for content_type in [
            Some("text/plain"),
            None,
            Some("application/json; charset=latin1"),
            Some("application/jsonp"),
        ] {
            let mut headers = vec![("authorization", auth.as_str())];
            if let Some(content_type) = content_type {
                headers.push(("content-type", content_type));
            }
            let response = f.patch_with_headers(&headers, patch_body.as_bytes()).await;
            assert_error(&response, 415, "unsupported_media_type");
            assert!(events::header(&response, "accept-patch").is_some());
            let response = f.confirm_raw(&headers, confirm_body.as_bytes()).await;
            assert_error(&response, 415, "unsupported_media_type");
            assert!(events::header(&response, "accept-post").is_some());
        }
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn merge_patch_json_and_any_case_of_json_with_utf8_are_accepted_on_both_routes() {
    let f = Fixture::new().await;
    let auth = format!("Bearer {T2}");
    for (i, content_type) in ["application/merge-patch+json", "Application/JSON; charset=UTF-8"]
        .into_iter()
        .enumerate()
    {
        let headers = [("authorization", auth.as_str()), ("content-type", content_type)];
        let address = format!("media{i}@example.com");
        let body = json!({ "name": format!("Name {i}"), "email": address }).to_string();
        let response = ok(&f.patch_with_headers(&headers, body.as_bytes()).await);
        assert_eq!(response["name"], format!("Name {i}"));
        assert_eq!(response["pending_email"], address.as_str());
        let code = f.outbox_code("acct_2").await.unwrap();
        let body = json!({ "code": code }).to_string();
        let response = ok(&f.confirm_raw(&headers, body.as_bytes()).await);
        assert_eq!(response["email"], address.as_str());
    }
    f.assert_email_markers_consistent().await;
}
