//! Fixture for this function's tests: a fresh DynamoDB with the template's
//! tables, seeded through the function's own seed format.
#![allow(dead_code)]

mod isolation;
mod safe_edits;

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::seed::Section as _;
use shared::store::{Item, Key};
use std::collections::HashMap;
use std::path::Path;
use testkit::events;
use testkit::suite::{AssertError, Codes, Credential, Route, Tested};
use update_crm_account::{
    CrmAccount,
    seed::Seed,
    store::{account_key, definition::field_key},
};

/// Tenant A's key: accounts 1001 (number 1234) and 1002 (number 1300).
pub const KEY_A: &str = "crm-key-a-0123456789";
/// Tenant B's key: account 2001 (number 1234 too: numbers are per tenant).
pub const KEY_B: &str = "crm-key-b-0123456789";

testkit::harness_fixture! {
    /// The endpoint's [`testkit::Harness`], seeded with two tenants' keys,
    /// custom fields and accounts.
    pub struct Fixture(Harness<CrmAccount>);
    seed: Seed;
}

impl Fixture {
    /// Loads a seed section into the table the way `cargo xtask` does:
    /// checked against what the table already holds (unlike
    /// [`testkit::Harness::seed`], which the fixture's own data goes
    /// through: an empty table holds nothing). Panics if refused.
    pub async fn seed(&self, section: Value) {
        self.try_seed(section).await.expect("valid seed");
    }

    /// Loads a seed section like [`Fixture::seed`]; the seed's error when it
    /// is refused (and then nothing is written).
    pub async fn try_seed(&self, section: Value) -> Result<(), String> {
        let seed: Seed = serde_json::from_value(section).map_err(|e| e.to_string())?;
        let items = seed
            .items_in(&self.state.table)
            .await
            .map_err(|e| e.to_string())?;
        self.put(items).await;
        Ok(())
    }

    /// Puts raw items into the table, bypassing every check (malformed
    /// data written by other tools).
    pub async fn put_raw(&self, items: Vec<Item>) {
        self.put(items).await;
    }

    /// PATCH `path` (`/accounts/1001?x=y`) with raw body bytes as JSON.
    pub async fn patch_raw(&self, path: &str, key: Option<&str>, body: &[u8]) -> Response<Body> {
        self.patch_typed(path, key, Some("application/json"), body).await
    }

    /// PATCH with raw body bytes and this `Content-Type` (none when `None`).
    pub async fn patch_typed(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Response<Body> {
        let (raw_path, query) = path.split_once('?').unwrap_or((path, ""));
        let id = raw_path.rsplit('/').next().unwrap();
        let mut headers = Vec::new();
        if let Some(content_type) = content_type {
            headers.push(("content-type", content_type));
        }
        if let Some(key) = key {
            headers.push(("x-api-key", key));
        }
        let mut req = events::api_request("PATCH", raw_path, &[("accountId", id)], &headers, Some(body));
        if !query.is_empty() {
            use lambda_http::RequestExt;
            req = req.with_query_string_parameters(
                query
                    .split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect::<HashMap<String, String>>(),
            );
        }
        self.send(req).await
    }

    /// PATCH with a JSON body and tenant A's key.
    pub async fn patch(&self, path: &str, body: Value) -> Response<Body> {
        self.patch_raw(path, Some(KEY_A), body.to_string().as_bytes())
            .await
    }

    pub async fn account(&self, tenant: &str, id: i64) -> Item {
        self.get(&account_key(tenant, id)).await.expect("account exists")
    }

    pub async fn options(&self, tenant: &str, field: &str) -> Vec<String> {
        let item = self.get(&field_key(tenant, field)).await.expect("field exists");
        item["options"]
            .as_l()
            .unwrap()
            .iter()
            .map(|o| o.as_s().unwrap().clone())
            .collect()
    }

    /// Number claims: every account's number has exactly one claim, owned by
    /// it, and no claim is owned by an account with another number.
    pub async fn assert_claims_consistent(&self) {
        let items = self.snapshot().await;
        let mut accounts: HashMap<(String, String), String> = HashMap::new();
        let mut claims: HashMap<(String, String), String> = HashMap::new();
        for item in &items {
            let pk = item["pk"].as_s().unwrap();
            let parts: Vec<&str> = pk.split('#').collect();
            match (parts.as_slice(), item["sk"].as_s().unwrap().as_str()) {
                (["TENANT", t, "ACCOUNT", id], "ACCOUNT") => {
                    accounts.insert(
                        (t.to_string(), id.to_string()),
                        item["number"].as_n().unwrap().clone(),
                    );
                }
                (["TENANT", t, "NUMBER", n], "NUMBER") => {
                    claims.insert(
                        (t.to_string(), n.to_string()),
                        item["accountId"].as_n().unwrap().clone(),
                    );
                }
                _ => {}
            }
        }
        for ((tenant, id), number) in &accounts {
            assert_eq!(
                claims.get(&(tenant.clone(), number.clone())),
                Some(id),
                "account {tenant}/{id} number {number} has no claim"
            );
        }
        for ((tenant, number), owner) in &claims {
            assert_eq!(
                accounts.get(&(tenant.clone(), owner.clone())),
                Some(number),
                "claim {tenant}/{number} dangles"
            );
        }
    }
}

impl Tested for Fixture {
    type Api = CrmAccount;

    const BINARY: &'static str = env!("CARGO_BIN_EXE_update-crm-account");
    const MIN_EVENTS: usize = 6;
    const UNAVAILABLE: (u16, &'static str) = (503, "ServiceUnavailableError");
    const INTERNAL: &'static str = "InternalServerError";
    const CODES: Codes = Codes {
        precondition: "PreconditionFailedError",
        header: "BadRequestError",
        reused: "UnprocessableEntityError",
    };
    const ASSERT_ERROR: AssertError = assert_error;
    const TRANSACTIONAL: bool = true;

    const ROUTE: Route = Route {
        path: "/accounts/1001",
        params: &[("accountId", "1001")],
    };
    const CALLER: Credential = Credential::Header("x-api-key", KEY_A);
    const SUCCESS: u16 = 200;
    /// A new number: a transaction (account update + number claim).
    const VALID_BODY: &'static str = r#"{"title": "Faulted", "number": 98765}"#;

    fn subject() -> Key {
        account_key("a", 1001)
    }

    fn fixture_seed() -> Value {
        json!({
            "api_keys": [{"token": KEY_A, "tenant_id": "a"}, {"token": KEY_B, "tenant_id": "b"}],
            "custom_fields": [
                {"tenant_id": "a", "key": "region", "type": "dropdown", "options": ["north", "south"]},
                {"tenant_id": "a", "key": "services", "type": "multiselect", "options": ["plumbing", "hvac"]},
                {"tenant_id": "a", "key": "since", "type": "date"},
                {"tenant_id": "a", "key": "sqft", "type": "number"},
                {"tenant_id": "a", "key": "note", "type": "text"},
                {"tenant_id": "a", "key": "vip", "type": "boolean"},
                {"tenant_id": "a", "key": "a.b #x :v", "type": "text"},
                {"tenant_id": "b", "key": "region", "type": "dropdown", "options": ["east"]}
            ],
            "accounts": [
                {"tenant_id": "a", "id": 1001, "number": 1234, "title": "Acme HQ", "description": "Main",
                 "address": ["1 Main St"], "primaryEmail": "ops@acme.com", "primaryPhone": "+1 217 555 0101",
                 "accountType": "commercial", "contacts": [{"name": "Ann"}], "custom": {"region": "north", "sqft": 10}},
                {"tenant_id": "a", "id": 1002, "number": 1300, "title": "Acme Warehouse"},
                {"tenant_id": "b", "id": 2001, "number": 1234, "title": "B's account"}
            ]
        })
    }

    fn assert_event_envelope(_: &Path, response: &Response<Body>) {
        let body = events::body_json(response);
        if response.status().is_success() {
            assert!(body["id"].is_i64(), "{body}");
        } else {
            assert!(
                body["error"].is_string() && body["requestId"].is_string(),
                "{body}"
            );
        }
    }
}

/// Asserts an error with this status and name; returns the body.
pub fn assert_error(response: &Response<Body>, status: u16, name: &str) -> Value {
    let body = events::body_json(response);
    assert_eq!(response.status(), status, "body: {body}");
    assert_eq!(events::header(response, "content-type"), Some("application/json"));
    assert_eq!(body["error"], name, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(
        body["requestId"].as_str().is_some_and(|r| !r.is_empty()),
        "{body}"
    );
    body
}

pub fn n(item: &Item, name: &str) -> i64 {
    item[name].as_n().unwrap().parse().unwrap()
}

pub fn is_null(item: &Item, name: &str) -> bool {
    matches!(item.get(name), Some(AttributeValue::Null(true)))
}
