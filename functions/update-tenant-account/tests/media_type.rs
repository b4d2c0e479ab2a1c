//! Content-Type: JSON and merge-patch JSON are accepted (any case, charset
//! utf-8 only); anything else is 415 in the envelope and changes nothing.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::{ACME, Fixture, KEY_A, assert_error};
use testkit::events;

const BODY: &[u8] = br#"{"name": "Typed"}"#;

#[tokio::test]
async fn non_json_media_types_are_415_and_change_nothing() {
    let f = Fixture::new().await;
    let before = f.snapshot().await;
    let cases: [(&str, &[(&str, &str)]); 3] = [
        (
            "text/plain",
            &[("x-api-key", KEY_A), ("content-type", "text/plain")],
        ),
        ("no content-type", &[("x-api-key", KEY_A)]),
        (
            "latin1 charset",
            &[
                ("x-api-key", KEY_A),
                ("content-type", "application/json; charset=latin1"),
            ],
        ),
    ];
    for (what, headers) in cases {
        let response = f.patch_with_headers(ACME, headers, BODY).await;
        assert_eq!(response.status(), 415, "{what}: {}", events::body_json(&response));
        assert_error(&response, 415, "unsupported_media_type");
        assert_eq!(
            events::header(&response, "accept-patch"),
            Some("application/json, application/merge-patch+json"),
            "{what}"
        );
    }
    assert_eq!(f.snapshot().await, before);
}

#[tokio::test]
async fn json_and_merge_patch_json_are_accepted_in_any_case() {
    let f = Fixture::new().await;
    for (content_type, name) in [
        ("application/merge-patch+json", "Merge patch"),
        ("Application/JSON; charset=UTF-8", "Mixed case"),
    ] {
        let headers = [("x-api-key", KEY_A), ("content-type", content_type)];
        let request = serde_json::json!({ "name": name }).to_string();
        let response = f.patch_with_headers(ACME, &headers, request.as_bytes()).await;
        let body = events::body_json(&response);
        assert_eq!(response.status(), 200, "{content_type}: {body}");
        assert_eq!(body["name"], name);
        assert_eq!(f.account(ACME).await["name"], AttributeValue::S(name.into()));
    }
}
