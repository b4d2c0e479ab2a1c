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
use shared::store::{Item, Table};
use std::path::Path;
use testkit::{TestDb, events, suite::Tested};
use update_tenant_account::{
    State, TABLE_LOGICAL_ID, TenantAccount, handle,
    seed::{SEED_SECTION, Seed},
    store::account_key,
};

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

pub struct Fixture {
    pub db: TestDb,
    pub state: State,
}

impl Fixture {
    pub async fn new() -> Self {
        let db = TestDb::start().await;
        let state = State {
            table: db.table(TABLE_LOGICAL_ID),
            prospect_page_size: None,
        };
        let fixture = Fixture { db, state };
        fixture
            .seed(json!({
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
            }))
            .await;
        fixture
    }

    pub async fn seed(&self, section: Value) {
        let seed: Seed = serde_json::from_value(section).expect("seed section");
        self.db
            .put(TABLE_LOGICAL_ID, seed.items().expect("valid seed"))
            .await;
    }

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
        let req = events::api_request("PATCH", &path, &[("account_id", id)], headers, Some(body));
        handle(&self.state, req).await
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
        self.db
            .get(TABLE_LOGICAL_ID, &account_key(tenant_of(id), id))
            .await
            .expect("account exists")
    }

    pub async fn snapshot(&self) -> Vec<Item> {
        self.db.snapshot(TABLE_LOGICAL_ID).await
    }
}

impl Tested for Fixture {
    type Api = TenantAccount;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_update-tenant-account");
    const MIN_EVENTS: usize = 1;
    const SEED_SECTION: &'static str = SEED_SECTION;
    const UNAVAILABLE: (u16, &'static str) = (503, "unavailable");
    const INTERNAL: &'static str = "internal_error";

    fn demo_items() -> Vec<Item> {
        testkit::suite::demo_seed::<Seed>(SEED_SECTION).items().unwrap()
    }

    async fn start() -> Self {
        Fixture::new().await
    }

    fn db(&self) -> &TestDb {
        &self.db
    }

    fn valid_request() -> lambda_http::Request {
        events::api_request(
            "PATCH",
            &format!("/v0/accounts/{ACME}"),
            &[("account_id", ACME)],
            &[("x-api-key", KEY_A), ("content-type", "application/json")],
            Some(br#"{"name": "Faulted"}"#),
        )
    }

    fn assert_error(response: &Response<Body>, status: u16, code: &str) -> Value {
        assert_error(response, status, code)
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
