//! Fixture for this function's tests: a fresh DynamoDB with the template's
//! tables, seeded through the function's own seed format.
#![allow(dead_code)]

mod isolation;
mod safe_edits;

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response};
use serde_json::{Map, Value, json};
use shared::store::{Item, Key, attr};
use std::ops::Deref;
use std::path::Path;
use testkit::suite::{AssertError, Codes, Credential, Route, Tested};
use testkit::{Harness, SeedFormat, events};
use update_account_metadata::{Metadata, handle, seed::Seed, store::account_key};

/// Token of OU `ou_sales` (owns `acct_1`).
pub const SALES: &str = "tok-sales-0123456789";
/// Token of OU `ou_ops` (owns `acct_2`).
pub const OPS: &str = "tok-ops-0123456789";

/// The endpoint's [`Harness`], seeded with two OUs, an account each, and
/// two leads on `acct_1`.
pub struct Fixture {
    harness: Harness<Metadata>,
    /// When set, requests go to the Python Powertools peer
    /// (`dev/peer-python`) under the Runtime API instead of [`handle`].
    pub peer: Option<testkit::runtime_api::Function>,
}

impl From<Harness<Metadata>> for Fixture {
    fn from(harness: Harness<Metadata>) -> Self {
        Fixture { harness, peer: None }
    }
}

impl SeedFormat for Fixture {
    type Seed = Seed;
}

impl Deref for Fixture {
    type Target = Harness<Metadata>;

    fn deref(&self) -> &Harness<Metadata> {
        &self.harness
    }
}

impl Fixture {
    /// Two OUs, one account each, two leads on `acct_1`.
    pub async fn new() -> Self {
        Self::start().await
    }

    /// [`Fixture::new`], its requests answered by the Python peer of this
    /// function under its real runtime client, on the same table.
    pub async fn python_peer() -> Self {
        let mut fixture = Fixture::new().await;
        let table = fixture.state.table.name().to_owned();
        fixture.peer = Some(testkit::runtime_api::python_peer(fixture.db.endpoint(), &table).await);
        fixture
    }

    /// Sends a request as API Gateway delivers it ([`events::api_event`])
    /// to the function under test: [`handle`] in process, or the peer when
    /// one is set. (The harness's own `send` and `request` answer in
    /// process only: tests run against both use this.)
    pub async fn answer(
        &self,
        method: &str,
        raw_path: &str,
        params: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response<Body> {
        let event = events::api_event(method, raw_path, params, headers, body);
        match &self.peer {
            Some(peer) => testkit::runtime_api::http_response(&peer.invoke(event).await),
            None => {
                let req = lambda_http::request::from_str(&event.to_string()).expect("a valid event");
                handle(&self.state, req).await
            }
        }
    }

    /// Loads a seed section (this function's format).
    /// Seeds account `id` in `ou_sales` with `n` metadata keys `k0..k{n-1}`.
    pub async fn account_with_keys(&self, id: &str, n: usize) {
        let metadata: Map<String, Value> = (0..n).map(|i| (format!("k{i}"), json!(i))).collect();
        self.seed(json!({"accounts": [{"id": id, "ou_id": "ou_sales", "name": "Keys", "domain": "keys.com", "metadata": metadata}]}))
            .await;
    }

    /// PATCH /accounts/{accountId}/metadata with raw body bytes.
    pub async fn patch_raw(&self, id: &str, token: Option<&str>, body: &[u8]) -> Response<Body> {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        let path = format!("/accounts/{id}/metadata");
        self.answer("PATCH", &path, &[("accountId", id)], &headers, Some(body))
            .await
    }

    /// PATCH with a JSON body and the sales token.
    pub async fn patch(&self, id: &str, body: Value) -> Response<Body> {
        self.patch_raw(id, Some(SALES), body.to_string().as_bytes()).await
    }

    /// The stored account item.
    pub async fn account(&self, id: &str) -> Item {
        self.get(&account_key(id)).await.expect("account exists")
    }

    /// The stored metadata of an account, as JSON.
    pub async fn metadata(&self, id: &str) -> Map<String, Value> {
        match self.account(id).await.get("metadata") {
            Some(AttributeValue::M(m)) => attr::map_to_json(m),
            other => panic!("metadata is {other:?}"),
        }
    }

    /// A stored string attribute of an account.
    pub async fn text(&self, id: &str, name: &str) -> String {
        match self.account(id).await.get(name) {
            Some(AttributeValue::S(s)) => s.clone(),
            other => panic!("{name} is {other:?}"),
        }
    }
}

impl Tested for Fixture {
    type Api = Metadata;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_update-account-metadata");
    const MIN_EVENTS: usize = 6;
    const UNAVAILABLE: (u16, &'static str) = (503, "unavailable");
    const INTERNAL: &'static str = "internal_error";
    const THROTTLED: Option<&'static str> = Some("throttled");
    const CODES: Codes = Codes::SNAKE_CASE;
    const ASSERT_ERROR: AssertError = assert_problem;
    const ROUTE: Route = Route {
        path: "/accounts/acct_1/metadata",
        params: &[("accountId", "acct_1")],
    };
    const CALLER: Credential = Credential::Bearer(SALES);
    const SUCCESS: u16 = 204;
    const VALID_BODY: &'static str = r#"{"name": "Faulted", "metadata": {"k": 1}}"#;

    fn subject() -> Key {
        account_key("acct_1")
    }

    fn fixture_seed() -> Value {
        json!({
            "tokens": [{"token": SALES, "ou_id": "ou_sales"}, {"token": OPS, "ou_id": "ou_ops"}],
            "accounts": [
                {"id": "acct_1", "ou_id": "ou_sales", "name": "Acme", "domain": "acme.com",
                 "metadata": {"industry": "Technology", "tier": 1}},
                {"id": "acct_2", "ou_id": "ou_ops", "name": "Globex", "domain": "globex.com"}
            ],
            "leads": [
                {"id": "lead_a", "account_id": "acct_1", "email": "a@acme.com", "full_name": "Ann A"},
                {"id": "lead_b", "account_id": "acct_1", "email": "b@acme.com", "full_name": "Bob B"}
            ]
        })
    }

    fn assert_event_envelope(file: &Path, response: &Response<Body>) {
        let body = events::body_json(response);
        if response.status().is_client_error() {
            assert_eq!(body["status"], response.status().as_u16(), "{}", file.display());
            assert_eq!(
                events::header(response, "content-type"),
                Some("application/problem+json")
            );
        } else {
            assert!(response.body().is_empty(), "{}", file.display());
        }
    }
}

/// Asserts a 204 with an empty body.
pub fn assert_no_content(response: &Response<Body>) {
    assert_eq!(response.status(), 204, "body: {:?}", events::body_json(response));
    assert!(response.body().is_empty());
}

/// Asserts a problem+json error with this status and code; returns the body.
pub fn assert_problem(response: &Response<Body>, status: u16, code: &str) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), status, "body: {body}");
    assert_eq!(
        events::header(response, "content-type"),
        Some("application/problem+json")
    );
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], "about:blank");
    assert!(body["title"].is_string());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    assert!(
        body["request_id"].as_str().is_some_and(|r| r.starts_with("req-")),
        "{body}"
    );
    body
}
