//! Fixture for this function's tests.
#![allow(dead_code)]

mod isolation;
mod safe_edits;

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::clock::Timestamp;
use shared::store::{Item, Key};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
#[allow(unused_imports)]
pub use testkit::answers::ok;
use testkit::events;
use testkit::suite::{AssertError, Codes, Credential, Route, Tested};
use update_current_account::{
    ConfirmEmail, CurrentAccount, handle_confirm,
    seed::Seed,
    store::{account_key, email::normalized, outbox_key},
};

/// Owner of acct_1 (one@example.com, changes email at once).
pub const T1: &str = "v1-token-owner-1-0123456789";
/// Owner of acct_2 (two@example.com, email changes need confirmation).
pub const T2: &str = "v1-token-owner-2-0123456789";
/// Admin (of acct_admin).
pub const ADMIN: &str = "v1-token-admin-0123456789";

testkit::harness_fixture! {
    /// The endpoint's [`testkit::Harness`], seeded with two owners' and an
    /// admin's tokens and their accounts.
    pub struct Fixture(Harness<CurrentAccount>);
    seed: Seed;
}

impl Fixture {
    pub async fn patch_raw(
        &self,
        token: Option<&str>,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Response<Body> {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        headers.extend_from_slice(extra);
        self.patch_with_headers(&headers, body).await
    }

    pub async fn patch(&self, token: &str, body: Value) -> Response<Body> {
        self.patch_raw(Some(token), &[], body.to_string().as_bytes())
            .await
    }

    pub async fn confirm(&self, token: &str, code: &str) -> Response<Body> {
        let auth = format!("Bearer {token}");
        let body = json!({ "code": code }).to_string();
        self.confirm_raw(
            &[("authorization", &auth), ("content-type", "application/json")],
            body.as_bytes(),
        )
        .await
    }

    /// POST /v1/account/email/confirm with exactly these headers.
    pub async fn confirm_raw(&self, headers: &[(&str, &str)], body: &[u8]) -> Response<Body> {
        let req = events::api_request("POST", "/v1/account/email/confirm", &[], headers, Some(body));
        handle_confirm(&self.state, req).await
    }

    /// PATCH /v1/account with exactly these headers.
    pub async fn patch_with_headers(&self, headers: &[(&str, &str)], body: &[u8]) -> Response<Body> {
        self.request("PATCH", "/v1/account", &[], headers, body).await
    }

    pub async fn account(&self, id: &str) -> Item {
        self.get(&account_key(id)).await.expect("account exists")
    }

    pub async fn outbox_code(&self, id: &str) -> Option<String> {
        self.get(&outbox_key(id))
            .await
            .map(|item| item["code"].as_s().unwrap().clone())
    }

    /// The email marker invariant over the whole table: every account's
    /// email has exactly one marker naming it, every marker names an
    /// account holding its address, and no marker is `pending` (a pending
    /// address reserves nothing).
    pub async fn assert_email_markers_consistent(&self) {
        let items = self.snapshot().await;
        let mut held: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in &items {
            match item["sk"].as_s().unwrap().as_str() {
                "ACCOUNT" => {
                    held.entry(item["id"].as_s().unwrap().clone())
                        .or_default()
                        .insert(normalized(item["email"].as_s().unwrap()));
                }
                "EMAIL" => assert_eq!(item["state"].as_s().unwrap(), "active", "{item:?}"),
                _ => {}
            }
        }
        testkit::claims::assert_markers_consistent(&items, "EMAIL", "account_id", &held);
    }

    /// Makes account `id`'s pending change expire.
    pub async fn expire_pending(&self, id: &str) {
        let mut account = self.account(id).await;
        account.insert(
            "pending_expires_at".to_owned(),
            AttributeValue::S("2000-01-01T00:00:00.000Z".to_owned()),
        );
        self.put(vec![account]).await;
    }

    /// Moves the start of account `id`'s verification window a day back,
    /// so that the window has ended.
    pub async fn end_verification_window(&self, id: &str) {
        let mut account = self.account(id).await;
        let past = Timestamp::now().plus_seconds(-24 * 60 * 60 - 1);
        account.insert(
            "verify_window_started_at".to_owned(),
            AttributeValue::S(past.to_string()),
        );
        self.put(vec![account]).await;
    }

    /// A number attribute of account `id` (0 when missing).
    pub async fn count(&self, id: &str, name: &str) -> i64 {
        self.account(id)
            .await
            .get(name)
            .map(|n| n.as_n().unwrap().parse().unwrap())
            .unwrap_or(0)
    }
}

impl Tested for Fixture {
    type Api = CurrentAccount;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_update-current-account");
    const MIN_EVENTS: usize = 1;
    const UNAVAILABLE: (u16, &'static str) = (503, "service_unavailable");
    const INTERNAL: &'static str = "internal_error";
    const CODES: Codes = Codes {
        header: "invalid_request",
        ..Codes::SNAKE_CASE
    };
    const ASSERT_ERROR: AssertError = assert_error;
    const TRANSACTIONAL: bool = true;
    const ROUTE: Route = Route {
        path: "/v1/account",
        params: &[],
    };
    const CALLER: Credential = Credential::Bearer(T1);
    const SUCCESS: u16 = 200;
    /// A new address: a transaction (account, new marker, old marker).
    const VALID_BODY: &'static str = r#"{"email": "faulted@example.com"}"#;

    fn subject() -> Key {
        account_key("acct_1")
    }

    fn fixture_seed() -> Value {
        json!({
            "tokens": [
                {"token": T1, "account_id": "acct_1", "role": "owner"},
                {"token": T2, "account_id": "acct_2", "role": "owner"},
                {"token": ADMIN, "account_id": "acct_admin", "role": "admin"}
            ],
            "accounts": [
                {"id": "acct_1", "email": "one@example.com", "name": "One", "type": "business",
                 "created_at": "2025-01-12T09:30:00Z", "settings": {"currency": "USD", "language": "en"}},
                {"id": "acct_2", "email": "two@example.com", "name": "Two", "type": "individual",
                 "email_verification": "required"},
                {"id": "acct_admin", "email": "admin@example.com", "name": "Admin", "type": "business"}
            ]
        })
    }

    fn assert_event_envelope(_: &Path, response: &Response<Body>) {
        if !response.status().is_success() {
            assert!(events::body_json(response)["error"].is_string());
        }
    }
}

testkit::harness_fixture! {
    /// The fixture's data, its requests sent to the confirmation route
    /// (`POST /v1/account/email/confirm`, the `confirm-account-email`
    /// function).
    pub struct Confirm(Harness<ConfirmEmail>);
    seed: Seed;
}

impl Tested for Confirm {
    type Api = ConfirmEmail;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_confirm-account-email");
    const MIN_EVENTS: usize = 1;
    const UNAVAILABLE: (u16, &'static str) = (503, "service_unavailable");
    const INTERNAL: &'static str = "internal_error";
    const CODES: Codes = Fixture::CODES;
    const ASSERT_ERROR: AssertError = assert_error;
    const ROUTE: Route = Route {
        path: "/v1/account/email/confirm",
        params: &[],
    };
    const CALLER: Credential = Credential::Bearer(T2);
    const SUCCESS: u16 = 200;
    const VALID_BODY: &'static str = r#"{"code": "1234567890"}"#;

    fn subject() -> Key {
        account_key("acct_2")
    }

    fn fixture_seed() -> Value {
        Fixture::fixture_seed()
    }

    fn assert_event_envelope(file: &Path, response: &Response<Body>) {
        Fixture::assert_event_envelope(file, response);
    }
}

/// A well-formed code other than `code`.
pub fn wrong_code(code: &str) -> String {
    if code == "0000000000" {
        "1111111111".to_owned()
    } else {
        "0000000000".to_owned()
    }
}

/// The account items without their counters, version and write token: what a client
/// can see of them, plus the pending change.
pub fn without_counters(items: Vec<Item>) -> Vec<Item> {
    items
        .into_iter()
        .map(|mut item| {
            for name in [
                "version",
                "write_token",
                "pending_attempts",
                "verify_window_started_at",
                "verify_codes_sent",
                "verify_tries",
            ] {
                item.remove(name);
            }
            item
        })
        .collect()
}

/// Asserts the contract's envelope `{"error", "message"}` and its status.
pub fn assert_error(response: &Response<Body>, status: u16, code: &str) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert!(events::header(response, "x-request-id").is_some());
    body
}
