//! Fixture for this function's tests.
#![allow(dead_code)]

mod isolation;
mod safe_edits;

use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::store::{Item, Key};
use shared::validate::EmailAddress;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
#[allow(unused_imports)]
pub use testkit::answers::ok;
use testkit::events;
use testkit::suite::{AssertError, Codes, Credential, Route, Tested};
use update_account_v2::{AccountV2, seed::Seed, store::account_key};

pub const ADMIN: &str = "v2-admin-token-0123456789";
pub const MANAGER: &str = "v2-manager-token-0123456789";
pub const READONLY: &str = "v2-readonly-token-0123456789";
/// The admin can see acc_1 and acc_2; the others only acc_1. acc_3 exists
/// but no token sees it.
pub const ACC: &str = "acc_1";

testkit::harness_fixture! {
    /// The endpoint's [`testkit::Harness`], seeded with an admin, a manager
    /// and a readonly token, and three accounts.
    pub struct Fixture(Harness<AccountV2>);
    seed: Seed;
}

impl Fixture {
    /// PATCH with `Content-Type: application/json` and `headers`.
    pub async fn patch_with(&self, id: &str, headers: &[(&str, &str)], body: &[u8]) -> Response<Body> {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.patch_exactly(id, &all, body).await
    }

    /// PATCH with exactly `headers` (no default `Content-Type`).
    pub async fn patch_exactly(&self, id: &str, headers: &[(&str, &str)], body: &[u8]) -> Response<Body> {
        let path = format!("/v2/accounts/{id}");
        self.request("PATCH", &path, &[("accountId", id)], headers, body)
            .await
    }

    /// PATCH with `X-Auth-Token: token`.
    pub async fn patch(&self, token: &str, id: &str, body: Value) -> Response<Body> {
        self.patch_with(id, &[("x-auth-token", token)], body.to_string().as_bytes())
            .await
    }

    pub async fn account(&self, id: &str) -> Item {
        self.get(&account_key(id)).await.expect("account exists")
    }

    pub async fn assert_email_markers_consistent(&self) {
        let items = self.snapshot().await;
        let mut held: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in items
            .iter()
            .filter(|i| i["sk"].as_s().is_ok_and(|s| s == "ACCOUNT"))
        {
            let email = EmailAddress::parse(item["email"].as_s().unwrap()).unwrap();
            held.entry(item["id"].as_s().unwrap().clone())
                .or_default()
                .insert(email.normalized().to_owned());
        }
        testkit::claims::assert_markers_consistent(&items, "EMAIL", "account_id", &held);
    }
}

impl Tested for Fixture {
    type Api = AccountV2;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_update-account-v2");
    const MIN_EVENTS: usize = 7;
    /// Contract 004 lists 429 for "retry later", and no 503.
    const UNAVAILABLE: (u16, &'static str) = (429, "RATE_LIMITED");
    const INTERNAL: &'static str = "INTERNAL_ERROR";
    const CODES: Codes = Codes {
        precondition: "PRECONDITION_FAILED",
        header: "INVALID_REQUEST",
        reused: "IDEMPOTENCY_KEY_REUSED",
    };
    /// The envelope asserted; the whole body returned.
    const ASSERT_ERROR: AssertError = |response, status, code| {
        assert_error(response, status, code);
        events::body_json(response)
    };
    const TRANSACTIONAL: bool = true;
    const ROUTE: Route = Route {
        path: "/v2/accounts/acc_1",
        params: &[("accountId", ACC)],
    };
    const CALLER: Credential = Credential::Header("x-auth-token", ADMIN);
    const SUCCESS: u16 = 200;
    /// A new address: a transaction (account, new marker, old marker).
    const VALID_BODY: &'static str = r#"{"email": "faulted@example.com", "displayName": "Faulted"}"#;

    fn subject() -> Key {
        account_key(ACC)
    }

    fn fixture_seed() -> Value {
        json!({
            "tokens": [
                {"token": ADMIN, "role": "admin", "account_ids": ["acc_1", "acc_2"]},
                {"token": MANAGER, "role": "manager", "account_ids": ["acc_1"]},
                {"token": READONLY, "role": "readonly", "account_ids": ["acc_1"]}
            ],
            "accounts": [
                {"id": "acc_1", "name": "Acme Corporation", "plan": "professional", "createdAt": "2023-10-15T10:30:00Z",
                 "displayName": "Acme Corp", "email": "admin@acme.com", "phone": "+1-555-0100",
                 "address": {"street": "123 Main St", "city": "Boston", "state": "MA", "postalCode": "02110", "country": "US"},
                 "settings": {"timezone": "America/New_York", "language": "en", "enableVoiceMail": true,
                              "enableRecording": false, "recordingRetention": 30, "smsEnabled": true},
                 "metadata": {"crm_id": "42"}},
                {"id": "acc_2", "name": "Globex", "plan": "starter", "displayName": "Globex", "email": "ops@globex.com"},
                {"id": "acc_3", "name": "Hidden", "plan": "starter", "displayName": "Hidden", "email": "hidden@example.com"}
            ]
        })
    }

    fn assert_event_envelope(_: &Path, response: &Response<Body>) {
        if !response.status().is_success() {
            assert!(events::body_json(response)["error"]["code"].is_string());
        }
    }
}

/// Asserts the contract's envelope; returns `error.details` (or null).
pub fn assert_error(response: &Response<Body>, status: u16, code: &str) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), status, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["error"].get("details").cloned().unwrap_or(Value::Null)
}
