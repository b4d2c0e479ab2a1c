//! The requests measured, on the demo seed (`functions/*/demo.json`): per
//! endpoint written here, each path where the work differs (plain update,
//! the same with an `Idempotency-Key` and its retry, email change, number
//! move, new option, 401, 400); for every other function of the catalog,
//! the paths derived from its example events ([`crate::derived`]).

use lambda_http::Request;
use serde_json::{Value, json};
use shared::store::Table;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Runs one request against the endpoint's state.
pub use endpoints::Handler;

/// The `i`-th request of a path, as API Gateway delivers it.
pub type Events = Arc<dyn Fn(usize) -> Value + Send + Sync>;

/// One measured path.
pub struct Scenario {
    /// `000 metadata`, ...
    pub endpoint: String,
    /// The binary serving it (`update-account-metadata`).
    pub binary: &'static str,
    /// `plain update`, `401`, ...
    pub path: String,
    /// The status every request must get.
    pub expected: u16,
    /// The endpoint's table (logical id).
    pub table: &'static str,
    /// The secret the request carries (its credential item is read once).
    pub secret: String,
    /// The `i`-th request, as API Gateway delivers it.
    pub event: Events,
    /// The most requests the path allows (each new option is a new one,
    /// and a field holds at most 500).
    pub limit: usize,
}

impl Scenario {
    /// `000 metadata / plain update`.
    pub fn name(&self) -> String {
        format!("{} / {}", self.endpoint, self.path)
    }

    /// The `i`-th request, as lambda_http makes it of [`Scenario::event`].
    pub fn request(&self, i: usize) -> Request {
        request(&(self.event)(i))
    }

    /// The handler of this scenario's endpoint on `table` (from
    /// `dev/endpoints`, as the local API builds it).
    pub fn handler(&self, table: Table) -> Handler {
        endpoints::handler(self.binary, table)
            .unwrap_or_else(|| panic!("dev/endpoints: FUNCTIONS has no endpoint {}", self.binary))
    }
}

/// An endpoint measured: its label in the tables and the binary serving it.
#[derive(Clone, Copy)]
struct Measured {
    label: &'static str,
    binary: &'static str,
}

impl Measured {
    const fn of(label: &'static str, binary: &'static str) -> Self {
        Self { label, binary }
    }
}

const M: Measured = Measured::of("000 metadata", "update-account-metadata");
const T: Measured = Measured::of("001 tenant", "update-tenant-account");
const C: Measured = Measured::of("002 crm", "update-crm-account");
const V1: Measured = Measured::of("003 current", "update-current-account");
const V2: Measured = Measured::of("004 v2", "update-account-v2");

const SALES: &str = "demo-token-sales";
const TENANT: &str = "demo-key-tenant-a";
const CRM: &str = "demo-key-crm-a";
const OWNER: &str = "demo-token-v1-owner";
const ADMIN: &str = "demo-token-v2-admin";
const TENANT_ACCOUNT: &str = "account_01jfrt4z00fay8vvr14d2pf2db";
const V2_ACCOUNT: &str = "acc_1234567890";

/// An API Gateway HTTP API (payload 2.0) event as lambda_http reads it.
pub fn event(
    method: &str,
    path: &str,
    query: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: &str,
) -> Value {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), json!(v)))
        .collect();
    let params: serde_json::Map<String, Value> =
        params.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    let query_params: serde_json::Map<String, Value> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect();
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "queryStringParameters": query_params,
        "headers": headers,
        "pathParameters": params,
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": "localhost", "domainPrefix": "localhost",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": "bench", "routeKey": format!("{method} {path}"), "stage": "$default",
            "time": "23/Nov/2026:12:00:00 +0000", "timeEpoch": 1795000000000i64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// The request lambda_http makes of an API Gateway event.
pub fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway event")
}

/// A PATCH request's API Gateway event.
pub fn patch(path: &str, query: &str, params: &[(&str, &str)], auth: (&str, &str), body: Value) -> Value {
    let headers = [auth, ("content-type", "application/json")];
    event("PATCH", path, query, params, &headers, &body.to_string())
}

fn bearer(token: &'static str) -> (&'static str, &'static str) {
    match token {
        SALES => ("authorization", "Bearer demo-token-sales"),
        OWNER => ("authorization", "Bearer demo-token-v1-owner"),
        _ => ("authorization", "Bearer unknown-token-0123456789"),
    }
}

fn meta(i: usize, auth: (&str, &str), body: Value) -> Value {
    let _ = i;
    patch(
        "/accounts/acct_abc123/metadata",
        "",
        &[("accountId", "acct_abc123")],
        auth,
        body,
    )
}

/// [`meta`]'s plain update with an `Idempotency-Key` never sent before.
fn meta_keyed(i: usize) -> Value {
    let key = format!("bench-key-{i}");
    let headers = [
        bearer(SALES),
        ("content-type", "application/json"),
        ("idempotency-key", key.as_str()),
    ];
    let body = json!({"name": format!("Acme {i}"), "metadata": {"tier": i}});
    event(
        "PATCH",
        "/accounts/acct_abc123/metadata",
        "",
        &[("accountId", "acct_abc123")],
        &headers,
        &body.to_string(),
    )
}

fn tenant(auth: (&str, &str), body: Value) -> Value {
    let path = format!("/v0/accounts/{TENANT_ACCOUNT}");
    patch(&path, "", &[("account_id", TENANT_ACCOUNT)], auth, body)
}

fn crm(id: &str, query: &str, auth: (&str, &str), body: Value) -> Value {
    patch(
        &format!("/accounts/{id}"),
        query,
        &[("accountId", id)],
        auth,
        body,
    )
}

fn v1(auth: (&str, &str), body: Value) -> Value {
    patch("/v1/account", "", &[], auth, body)
}

fn v2(auth: (&str, &str), body: Value) -> Value {
    patch(
        &format!("/v2/accounts/{V2_ACCOUNT}"),
        "",
        &[("accountId", V2_ACCOUNT)],
        auth,
        body,
    )
}

/// The workspace root, where `events/` is: found from this crate's
/// directory at build time, so that the tests (run in the crate's
/// directory) and `cargo perf` (run in the root) read the same files.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every scenario, in the order the table prints them: those written here,
/// then, in catalog order, those derived from the events of each function
/// with HTTP binaries of which none has a scenario written here
/// ([`crate::derived::of`]). Fails when such a function has no event to
/// derive its plain update from, naming the file to add.
pub fn all() -> Result<Vec<Scenario>, String> {
    let mut all = written();
    let root = workspace();
    for function in catalog::FUNCTIONS {
        let measured = function
            .http_binaries()
            .any(|b| all.iter().any(|s| s.binary == b.name));
        if !measured {
            all.extend(crate::derived::of(function, &root)?);
        }
    }
    Ok(all)
}

/// The scenarios written here, by endpoint.
pub fn written() -> Vec<Scenario> {
    let s =
        |endpoint: Measured, path: &str, expected, table, secret: &str, event: fn(usize) -> Value| Scenario {
            endpoint: endpoint.label.to_owned(),
            binary: endpoint.binary,
            path: path.to_owned(),
            expected,
            table,
            secret: secret.to_owned(),
            event: Arc::new(event),
            limit: usize::MAX,
        };
    vec![
        s(M, "plain update", 204, "OrgAccountsTable", SALES, |i| {
            meta(
                i,
                bearer(SALES),
                json!({"name": format!("Acme {i}"), "metadata": {"tier": i}}),
            )
        }),
        s(
            M,
            "plain update, first request with an Idempotency-Key",
            204,
            "OrgAccountsTable",
            SALES,
            meta_keyed,
        ),
        // The same request as the previous scenario's sixth, which that
        // scenario's warm-up committed: every request here is answered
        // from its record.
        s(
            M,
            "plain update, retry of a committed Idempotency-Key (replay)",
            204,
            "OrgAccountsTable",
            SALES,
            |_| meta_keyed(5),
        ),
        s(
            M,
            "401 unknown token",
            401,
            "OrgAccountsTable",
            "unknown-token-0123456789",
            |i| meta(i, bearer("x"), json!({"name": "x"})),
        ),
        s(M, "400 invalid body", 400, "OrgAccountsTable", SALES, |i| {
            meta(i, bearer(SALES), json!({"name": 5}))
        }),
        s(
            T,
            "plain update (+ prospects query)",
            200,
            "TenantAccountsTable",
            TENANT,
            |i| tenant(("x-api-key", TENANT), json!({"name": format!("Acme {i}")})),
        ),
        s(
            T,
            "401 unknown key",
            401,
            "TenantAccountsTable",
            "unknown-key-0123456789",
            |_| tenant(("x-api-key", "unknown-key-0123456789"), json!({"name": "x"})),
        ),
        s(T, "400 invalid body", 400, "TenantAccountsTable", TENANT, |_| {
            tenant(("x-api-key", TENANT), json!({"name": ""}))
        }),
        s(C, "plain update", 200, "CrmAccountsTable", CRM, |i| {
            let body = json!({"title": format!("HQ {i}"), "primaryPhone": "+1 217 555 0199", "custom": {"region": "north"}});
            crm("1001", "", ("x-api-key", CRM), body)
        }),
        s(
            C,
            "number move (transaction)",
            200,
            "CrmAccountsTable",
            CRM,
            |i| crm("1002", "", ("x-api-key", CRM), json!({"number": 100_000 + i})),
        ),
        Scenario {
            limit: 450,
            ..s(C, "new option (transaction)", 200, "CrmAccountsTable", CRM, |i| {
                let body = json!({"custom": {"region": format!("region-{i}")}});
                crm("1001", "allow_new_options=true", ("x-api-key", CRM), body)
            })
        },
        s(
            C,
            "401 unknown key",
            401,
            "CrmAccountsTable",
            "unknown-key-0123456789",
            |_| {
                crm(
                    "1001",
                    "",
                    ("x-api-key", "unknown-key-0123456789"),
                    json!({"title": "x"}),
                )
            },
        ),
        s(C, "400 invalid body", 400, "CrmAccountsTable", CRM, |_| {
            crm(
                "1001",
                "",
                ("x-api-key", CRM),
                json!({"primaryEmail": "not an email"}),
            )
        }),
        s(V1, "plain update", 200, "UserAccountsTable", OWNER, |i| {
            v1(
                bearer(OWNER),
                json!({"name": format!("Acme {i}"), "settings": {"currency": "EUR"}}),
            )
        }),
        s(
            V1,
            "email change (transaction)",
            200,
            "UserAccountsTable",
            OWNER,
            |i| {
                v1(
                    bearer(OWNER),
                    json!({"email": format!("billing{i}@acme.example")}),
                )
            },
        ),
        s(
            V1,
            "401 unknown token",
            401,
            "UserAccountsTable",
            "unknown-token-0123456789",
            |_| v1(bearer("x"), json!({"name": "x"})),
        ),
        s(V1, "400 invalid body", 400, "UserAccountsTable", OWNER, |_| {
            v1(bearer(OWNER), json!({"settings": {"timezone": "Mars/Base"}}))
        }),
        s(V2, "plain update", 200, "AccountsV2Table", ADMIN, |i| {
            let body = json!({"displayName": format!("Acme {i}"), "settings": {"recordingRetention": 60}});
            v2(("x-auth-token", ADMIN), body)
        }),
        s(
            V2,
            "email change (transaction)",
            200,
            "AccountsV2Table",
            ADMIN,
            |i| {
                v2(
                    ("x-auth-token", ADMIN),
                    json!({"email": format!("admin{i}@acme.com")}),
                )
            },
        ),
        s(
            V2,
            "401 unknown token",
            401,
            "AccountsV2Table",
            "unknown-token-0123456789",
            |_| {
                v2(
                    ("x-auth-token", "unknown-token-0123456789"),
                    json!({"displayName": "x"}),
                )
            },
        ),
        s(V2, "400 invalid body", 400, "AccountsV2Table", ADMIN, |_| {
            v2(("x-auth-token", ADMIN), json!({"displayName": ""}))
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each scenario's endpoint names a binary the registry serves, so
    /// [`Scenario::handler`] never fails during a run.
    #[test]
    fn every_scenario_has_a_handler() {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        for scenario in all().unwrap() {
            let _ = scenario.handler(Table::new(client.clone(), scenario.table));
        }
    }

    /// Every function of the catalog with HTTP binaries is measured: by
    /// the scenarios written here or by those derived from its events.
    #[test]
    fn every_http_function_of_the_catalog_has_a_scenario() {
        let all = all().unwrap();
        for f in catalog::FUNCTIONS {
            let http: Vec<&str> = f.http_binaries().map(|b| b.name).collect();
            if http.is_empty() {
                continue;
            }
            assert!(
                all.iter().any(|s| http.contains(&s.binary)),
                "the bench measures none of {}'s binaries {http:?}",
                f.package
            );
        }
        let names: std::collections::BTreeSet<String> = all.iter().map(Scenario::name).collect();
        assert_eq!(names.len(), all.len(), "two scenarios of one name");
    }
}
