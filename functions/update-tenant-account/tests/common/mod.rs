//! Fixture for this function's tests: a fresh DynamoDB with the template's
//! tables, seeded through the function's own seed format.
#![allow(dead_code)]

mod isolation;
mod recorder;
mod safe_edits;

#[allow(unused_imports)]
pub use recorder::{Call, Recorder};

use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::store::{Item, Key, Table};
use std::path::Path;
use testkit::events;
use testkit::suite::{AssertError, Codes, Credential, Route, Tested};
use update_tenant_account::{State, TenantAccount, seed::Seed, store::account_key};

/// Tenant A's key (owns ACME).
pub const KEY_A: &str = "key-tenant-a-0123456789";
/// Tenant B's key (owns GLOBEX).
pub const KEY_B: &str = "key-tenant-b-0123456789";
/// Tenant A's account, with two prospects.
pub const ACME: &str = "account_01jfrt4z00fay8vvr14d2pf2db";
/// Tenant B's account, no prospects.
pub const GLOBEX: &str = "account_01jfrt4z00fay8vvr14d2pf2dc";

/// The tenant owning a fixture account.
pub fn tenant_of(id: &str) -> &'static str {
    if id == GLOBEX { "tenant_b" } else { "tenant_a" }
}

testkit::harness_fixture! {
    /// The endpoint's [`testkit::Harness`], seeded with two tenants, an
    /// account each, and two prospects on [`ACME`].
    pub struct Fixture(Harness<TenantAccount>);
    seed: Seed;
}

impl Fixture {
    /// PATCH `/v0/accounts/{id}` with `body` as JSON, with the API key
    /// `key` when given.
    pub async fn patch_raw(&self, id: &str, key: Option<&str>, body: &[u8]) -> Response<Body> {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(key) = key {
            headers.push(("x-api-key", key));
        }
        self.patch_with_headers(id, &headers, body).await
    }

    /// PATCH with exactly these headers.
    pub async fn patch_with_headers(
        &self,
        id: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response<Body> {
        let path = format!("/v0/accounts/{id}");
        self.request("PATCH", &path, &[("account_id", id)], headers, body)
            .await
    }

    /// The handler's state with a client that records every DynamoDB call.
    pub fn recorded_state(&self, recorder: &Recorder) -> State {
        let config = self
            .db
            .client()
            .config()
            .to_builder()
            .interceptor(recorder.clone())
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        State {
            table: Table::new(client, self.state.table.name().to_owned()),
            prospect_page_size: self.state.prospect_page_size,
        }
    }

    /// PATCH with a JSON body and tenant A's key.
    pub async fn patch(&self, id: &str, body: Value) -> Response<Body> {
        self.patch_raw(id, Some(KEY_A), body.to_string().as_bytes()).await
    }

    pub async fn account(&self, id: &str) -> Item {
        self.get(&account_key(tenant_of(id), id))
            .await
            .expect("account exists")
    }
}

impl Tested for Fixture {
    type Api = TenantAccount;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_update-tenant-account");
    const MIN_EVENTS: usize = 1;
    const UNAVAILABLE: (u16, &'static str) = (503, "unavailable");
    const INTERNAL: &'static str = "internal_error";
    const CODES: Codes = Codes::SNAKE_CASE;
    const ASSERT_ERROR: AssertError = assert_error;
    const ROUTE: Route = Route {
        path: "/v0/accounts/account_01jfrt4z00fay8vvr14d2pf2db",
        params: &[("account_id", ACME)],
    };
    const CALLER: Credential = Credential::Header("x-api-key", KEY_A);
    const SUCCESS: u16 = 200;
    const VALID_BODY: &'static str = r#"{"name": "Faulted"}"#;

    fn subject() -> Key {
        account_key("tenant_a", ACME)
    }

    fn fixture_seed() -> Value {
        json!({
            "api_keys": [{"token": KEY_A, "tenant_id": "tenant_a"}, {"token": KEY_B, "tenant_id": "tenant_b"}],
            "accounts": [
                {"id": ACME, "tenant_id": "tenant_a", "domain": "acme.com", "name": "Acme",
                 "created_at": "2024-02-29T10:00:00Z", "latest_activity_at": "2025-06-01T12:00:00Z"},
                {"id": GLOBEX, "tenant_id": "tenant_b", "domain": "globex.com"}
            ],
            "prospects": [
                {"id": "prospect_01jfrt4z00fay8vvrh4d2pf2db", "account_id": ACME, "name": "Jane Doe",
                 "email": "jane@acme.com", "domain": "acme.com", "slug": "jane-doe",
                 "phone_number": "+1 555 010 0199", "linkedin_profile_url": "https://www.linkedin.com/in/jane",
                 "created_at": "2024-03-01T09:00:00Z", "updated_at": "2025-05-05T05:05:05.5Z"},
                {"id": "prospect_01jfrt4z00fay8vvrh4d2pf2dc", "account_id": ACME, "name": "Raj Patel",
                 "created_at": "2024-03-01T08:00:00Z"}
            ]
        })
    }

    fn assert_event_envelope(_: &Path, response: &Response<Body>) {
        let body = events::body_json(response);
        if response.status().is_success() {
            assert!(body["linkedProspects"].is_array(), "{body}");
        } else {
            assert!(
                body["code"].is_string() && body["requestId"].is_string(),
                "{body}"
            );
        }
    }
}

/// Asserts an error with this status and code; returns the body.
pub fn assert_error(response: &Response<Body>, status: u16, code: &str) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), status, "body: {body}");
    assert_eq!(events::header(response, "content-type"), Some("application/json"));
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(
        body["requestId"].as_str().is_some_and(|r| !r.is_empty()),
        "{body}"
    );
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    body
}
