//! API Gateway HTTP API (payload 2.0) events, as `lambda_http` parses them,
//! and helpers to read responses.

use lambda_http::{Body, Request, Response};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub use fixtures::events::status_of;

/// Parses an event file exactly as the Lambda runtime would.
pub fn load_event(path: &Path) -> Request {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lambda_http::request::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not an API Gateway event: {e}", path.display()))
}

/// The event files of one function (`events/<function>/*.json`), sorted.
pub fn event_files(function: &str) -> Vec<PathBuf> {
    let dir = crate::workspace_root().join("events").join(function);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The status an event file expects: the number its name starts with
/// (`204-rename.json` expects 204).
pub fn expected_status(path: &Path) -> u16 {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    status_of(name).unwrap_or_else(|| panic!("{name}: event files are named <status>-<what>.json"))
}

/// A response body as JSON (`Value::Null` for an empty body).
pub fn body_json(response: &Response<Body>) -> Value {
    let bytes: &[u8] = response.body().as_ref();
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "response body is not JSON ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// A response header as text.
pub fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A request as API Gateway (HTTP API, payload 2.0) would deliver it:
/// `route` is the route key's path (`/accounts/{accountId}/metadata`), `path_params`
/// the values API Gateway extracted, `body` sent base64-encoded when it is
/// not UTF-8 (as API Gateway does for binary bodies).
pub fn api_request(
    method: &str,
    raw_path: &str,
    path_params: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Request {
    let event = api_event(method, raw_path, path_params, headers, body);
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway event")
}

/// The API Gateway event of [`api_request`], as a function in another
/// language receives it (its request id `req-<n>`, unique in the process).
pub fn api_event(
    method: &str,
    raw_path: &str,
    path_params: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Value {
    use base64::Engine as _;
    let (body, encoded) = match body {
        None => (Value::Null, false),
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => (Value::String(text.to_owned()), false),
            Err(_) => (
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
                true,
            ),
        },
    };
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), Value::String((*v).to_owned())))
        .collect();
    let params: serde_json::Map<String, Value> = path_params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    let request_id = format!(
        "req-{}",
        REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("{method} {raw_path}"),
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": params,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "testkit"},
            "requestId": request_id,
            "routeKey": format!("{method} {raw_path}"),
            "stage": "$default",
            "time": "23/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795000000000i64
        },
        "body": body,
        "isBase64Encoded": encoded
    })
}

static REQUESTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// Asserts that `response` has the status `file`'s name promises, with a
/// JSON body for errors and for 200.
pub fn assert_documented_status(file: &Path, response: &Response<Body>) {
    let expected = expected_status(file);
    let body = body_json(response);
    assert_eq!(response.status(), expected, "{}: {body}", file.display());
    if expected == 204 {
        assert!(response.body().is_empty(), "{}", file.display());
    } else {
        assert!(body.is_object(), "{}: {body}", file.display());
    }
}

/// Runs every event in `events/<function>/` through endpoint `E`'s handler,
/// each against a fresh database holding `items(table)` (the function's
/// demo seed), and checks that each answers the status its file name
/// promises; `check` then looks at each response (its envelope). At least
/// `min_files` events must ship, so a folder emptied by mistake fails.
pub async fn check_shipped<E, S, Fut>(
    function: &str,
    min_files: usize,
    items: S,
    check: impl Fn(&Path, &Response<Body>),
) where
    E: shared::endpoint::Endpoint,
    S: Fn(shared::store::Table) -> Fut,
    Fut: std::future::Future<Output = Vec<shared::store::Item>>,
{
    let files = event_files(function);
    assert!(files.len() >= min_files, "{function}: {files:?}");
    for file in files {
        let db = crate::TestDb::start().await;
        let table = db.table(E::TABLE);
        db.put(E::TABLE, items(table.clone()).await).await;
        let state = E::State::from(shared::endpoint::State { table });
        let response = Box::pin(shared::endpoint::handle::<E>(&state, load_event(&file))).await;
        assert_documented_status(&file, &response);
        check(&file, &response);
    }
}
