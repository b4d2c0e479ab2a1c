//! Browsers can call the API: the template's CORS configuration allows
//! exactly the request headers the functions read and exposes exactly the
//! response headers they set (both derived from openapi.yaml, which the
//! spec tests hold to the functions), and the local API answers a
//! preflight and a cross-origin request as API Gateway does.

use lambda_http::{Body, Response};
use std::collections::BTreeSet;
use std::sync::Arc;
use testkit::cors::template_cors;
use testkit::local_api::{Handlers, LocalApi};
use testkit::workspace_root;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Response headers a page may read without being exposed (the Fetch
/// standard's CORS-safelisted response header names).
const SAFELISTED: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

fn openapi() -> serde_norway::Value {
    serde_norway::from_str(&std::fs::read_to_string(workspace_root().join("openapi.yaml")).unwrap()).unwrap()
}

/// Every mapping in `value`, recursively.
fn mappings<'a>(value: &'a serde_norway::Value, out: &mut Vec<&'a serde_norway::Mapping>) {
    match value {
        serde_norway::Value::Mapping(m) => {
            out.push(m);
            for (_, v) in m {
                mappings(v, out);
            }
        }
        serde_norway::Value::Sequence(s) => s.iter().for_each(|v| mappings(v, out)),
        _ => {}
    }
}

/// The request headers openapi.yaml says the functions read: header
/// parameters, header security schemes (and `Authorization` for bearer),
/// and `Content-Type`.
fn request_headers(spec: &serde_norway::Value) -> BTreeSet<String> {
    let mut all = Vec::new();
    mappings(spec, &mut all);
    let text = |m: &serde_norway::Mapping, key: &str| m.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let mut names: BTreeSet<String> = all
        .iter()
        .filter(|m| text(m, "in").as_deref() == Some("header"))
        .filter_map(|m| text(m, "name"))
        .map(|n| n.to_ascii_lowercase())
        .collect();
    if all.iter().any(|m| text(m, "scheme").as_deref() == Some("bearer")) {
        names.insert("authorization".to_owned());
    }
    names.insert("content-type".to_owned());
    names
}

/// The response headers openapi.yaml says the functions set, but the
/// safelisted ones.
fn response_headers(spec: &serde_norway::Value) -> BTreeSet<String> {
    let mut all = Vec::new();
    mappings(spec, &mut all);
    all.iter()
        // Response objects: a description and their headers (not the
        // components section, whose `headers` are named definitions).
        .filter(|m| m.contains_key("description"))
        .filter_map(|m| m.get("headers").and_then(|h| h.as_mapping()))
        .flat_map(|h| h.keys().filter_map(|k| k.as_str()).map(str::to_ascii_lowercase))
        .filter(|name| !SAFELISTED.contains(&name.as_str()))
        .collect()
}

#[test]
fn the_template_allows_the_headers_the_functions_read_and_exposes_those_they_set() {
    let cors = template_cors().unwrap();
    let spec = openapi();
    let allowed: BTreeSet<String> = cors.allow_headers.iter().cloned().collect();
    assert_eq!(allowed, request_headers(&spec), "AllowHeaders vs openapi.yaml");
    let exposed: BTreeSet<String> = cors.expose_headers.iter().cloned().collect();
    assert_eq!(exposed, response_headers(&spec), "ExposeHeaders vs openapi.yaml");
    assert!(exposed.contains("etag") && exposed.contains("idempotent-replayed"));
    let methods: BTreeSet<String> = cors.allow_methods.iter().cloned().collect();
    let routes = testkit::routes::template_routes(&workspace_root().join("template.yaml")).unwrap();
    let used: BTreeSet<String> = routes.iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, used, "AllowMethods are the routes' methods");
}

async fn send(port: u16, request: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, _) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase())
}

#[tokio::test]
async fn the_local_api_answers_preflights_and_lets_pages_read_the_etag() {
    let routes = testkit::routes::template_routes(&workspace_root().join("template.yaml")).unwrap();
    let mut handlers = Handlers::new();
    for route in &routes {
        handlers.insert(
            route.function.clone(),
            Arc::new(|_req| {
                Box::pin(async {
                    let mut response = Response::new(Body::Empty);
                    response.headers_mut().insert("etag", "\"v2\"".parse().unwrap());
                    response
                }) as testkit::local_api::ResponseFuture
            }),
        );
    }
    let api = LocalApi::start_template(handlers).await.unwrap();
    let origin = "https://app.example.com";

    let preflight = format!(
        "OPTIONS /v2/accounts/acc_1 HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\n\
         Access-Control-Request-Method: PATCH\r\n\
         Access-Control-Request-Headers: x-auth-token, content-type, if-match, idempotency-key\r\n\
         Connection: close\r\n\r\n"
    );
    let (status, head) = send(api.port(), &preflight).await;
    assert_eq!(status, 204, "{head}");
    assert!(
        head.contains(&format!("access-control-allow-origin: {origin}")),
        "{head}"
    );
    assert!(
        head.contains("access-control-allow-methods: patch,post"),
        "{head}"
    );
    assert!(
        head.contains("access-control-allow-headers:") && head.contains("if-match"),
        "{head}"
    );
    assert!(head.contains("access-control-max-age: 600"), "{head}");

    let refused = format!(
        "OPTIONS /v2/accounts/acc_1 HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\n\
         Access-Control-Request-Method: PATCH\r\nAccess-Control-Request-Headers: x-secret\r\n\
         Connection: close\r\n\r\n"
    );
    let (status, head) = send(api.port(), &refused).await;
    assert_eq!(status, 204, "{head}");
    assert!(
        !head.contains("access-control-allow-origin"),
        "a header not allowed: {head}"
    );

    let patch = format!(
        "PATCH /v2/accounts/acc_1 HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    let (_, head) = send(api.port(), &patch).await;
    assert!(
        head.contains(&format!("access-control-allow-origin: {origin}")),
        "{head}"
    );
    assert!(
        head.lines()
            .any(|l| l.starts_with("access-control-expose-headers:") && l.contains("etag")),
        "a page can read the ETag: {head}"
    );
    api.stop().await;
}
