//! The HTTP API in process: an HTTP/1.1 server on 127.0.0.1 that routes
//! the template's routes to handlers called in the same process, turning
//! each HTTP request into the API Gateway HTTP API (payload 2.0) event the
//! deployed function would receive.
//!
//! What it does as API Gateway does:
//!
//! - Routes by method and path template (`PATCH /accounts/{accountId}`);
//!   path segments are matched raw and the variables percent-decoded.
//!   Anything else, a known path with another method included: 404
//!   `{"message":"Not Found"}`.
//! - Header names lower-cased; a header sent twice arrives once, its values
//!   joined with commas; `Cookie` goes to the event's `cookies`. Query
//!   parameters likewise (`rawQueryString` as sent, values joined).
//! - The body as text when it is UTF-8, else base64 with `isBase64Encoded`.
//!   Over 10 MB (API Gateway's limit): 413 `{"message":"Request Entity Too Large"}`.
//! - A fresh `requestContext.requestId` per request.
//! - A handler that panics answers 500 `{"message":"Internal Server Error"}`
//!   (API Gateway's answer to a failed invocation), so a test sees it.
//!
//! The handlers are given by function (the binary name each route names in
//! `template.yaml`, see [`crate::routes`]), built by the caller from the
//! endpoint crates, which this crate does not depend on:
//! `dev/xtask/src/functions.rs` wires all of them. [`Router`] is the same
//! routing and event building without the HTTP server, for callers in
//! process (the load harness). The server runs on the
//! caller's tokio runtime and stops when the [`LocalApi`] is dropped (or
//! [`LocalApi::stop`] is awaited): the listener closes and every open
//! connection is aborted.

use crate::routes::Route;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value, json};
use std::{
    collections::BTreeMap,
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinSet};

/// API Gateway's largest request body (10 MB).
pub const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

/// A future answering one request.
pub type ResponseFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// One function's handler: an API Gateway request in, a response out.
pub type Handler = Arc<dyn Fn(Request) -> ResponseFuture + Send + Sync>;

/// The handlers by function (binary) name, as routes name them.
pub type Handlers = BTreeMap<String, Handler>;

/// A [`Handler`] calling `f` with a shared `state`:
/// `handler(state, |s, req| async move { my_fn::handle(&s, req).await })`.
pub fn handler<S, F, Fut>(state: S, f: F) -> Handler
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    let state = Arc::new(state);
    Arc::new(move |req| Box::pin(f(Arc::clone(&state), req)))
}

/// A running local API. Dropping it stops it.
pub struct LocalApi {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl LocalApi {
    /// Serves `routes` on 127.0.0.1 at an ephemeral port, each route calling
    /// the handler of its function. Every route's function must have a
    /// handler. Must be called inside a tokio runtime, which then runs the
    /// server.
    pub async fn start(routes: &[Route], handlers: Handlers) -> Result<Self, String> {
        Self::start_on(routes, handlers, 0).await
    }

    /// [`LocalApi::start`] on `port` of 127.0.0.1 (0: an ephemeral port).
    pub async fn start_on(routes: &[Route], handlers: Handlers, port: u16) -> Result<Self, String> {
        Self::serve_router(Router::new(routes, &handlers)?, port).await
    }

    /// Serves `router` on `port` of 127.0.0.1 (0: an ephemeral port).
    async fn serve_router(router: Router, port: u16) -> Result<Self, String> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot bind 127.0.0.1:{port}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, Arc::new(router), stopped));
        Ok(LocalApi {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// [`LocalApi::start`] with the routes and the CORS configuration of
    /// the workspace's `template.yaml` (every origin allowed).
    pub async fn start_template(handlers: Handlers) -> Result<Self, String> {
        Self::serve_router(Router::from_template(&handlers)?, 0).await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Stops accepting, aborts open connections and waits until the
    /// listener is closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for LocalApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}

/// Accepts connections until told to stop; the connections are tasks of a
/// [`JoinSet`], so they end with this task.
async fn serve(listener: TcpListener, router: Arc<Router>, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
            // Reap finished connections as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok((stream, _)) = accepted else { continue };
        let router = Arc::clone(&router);
        connections.spawn(async move {
            let service = service_fn(move |req| {
                let router = Arc::clone(&router);
                async move { Ok::<_, Infallible>(router.answer_http(req).await) }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    connections.abort_all();
}

/// One route: its method, its path split in segments, its handler.
struct Entry {
    method: String,
    route_path: String,
    segments: Vec<Segment>,
    handler: Handler,
}

enum Segment {
    Literal(String),
    Variable(String),
}

/// The routes and their handlers, without the HTTP server: what API
/// Gateway does between a request and the function, callable in process
/// (the load harness calls it directly, [`LocalApi`] over HTTP).
pub struct Router {
    entries: Vec<Entry>,
    /// The template's CORS configuration, for every origin (as `cargo
    /// lambda watch` allows every origin); `None`: no CORS.
    cors: Option<crate::cors::Cors>,
}

static REQUESTS: AtomicU64 = AtomicU64::new(1);

impl Router {
    /// Routes `routes` to the handlers of their functions; every route's
    /// function must have one.
    pub fn new(routes: &[Route], handlers: &Handlers) -> Result<Self, String> {
        let mut entries = Vec::new();
        for route in routes {
            let handler = handlers.get(&route.function).ok_or_else(|| {
                format!(
                    "no handler for function {} (route {})",
                    route.function,
                    route.key()
                )
            })?;
            let segments = split(&route.path)
                .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Variable(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                })
                .collect();
            entries.push(Entry {
                method: route.method.clone(),
                route_path: route.path.clone(),
                segments,
                handler: Arc::clone(handler),
            });
        }
        Ok(Router { entries, cors: None })
    }

    /// [`Router::new`] with the routes of the workspace's `template.yaml`,
    /// and its CORS configuration for every origin.
    pub fn from_template(handlers: &Handlers) -> Result<Self, String> {
        let routes = crate::routes::template_routes(&crate::workspace_root().join("template.yaml"))?;
        let mut router = Self::new(&routes, handlers)?;
        router.cors = Some(crate::cors::template_cors()?);
        Ok(router)
    }

    /// The route for `method` and raw `path`, with its decoded variables.
    fn find(&self, method: &str, path: &str) -> Option<(&Entry, Vec<(String, String)>)> {
        let parts: Vec<&str> = split(path).collect();
        self.entries
            .iter()
            .filter(|e| e.method == method && e.segments.len() == parts.len())
            .find_map(|e| {
                let mut params = Vec::new();
                for (segment, part) in e.segments.iter().zip(&parts) {
                    match segment {
                        Segment::Literal(text) if text == part => {}
                        Segment::Literal(_) => return None,
                        Segment::Variable(_) if part.is_empty() => return None,
                        Segment::Variable(name) => params.push((name.clone(), percent_decode(part))),
                    }
                }
                Some((e, params))
            })
    }

    /// Answers one request as API Gateway and the function would: 404
    /// `{"message":"Not Found"}` for no route, else the handler's response
    /// (500 `{"message":"Internal Server Error"}` if it panics).
    pub async fn call(&self, request: hyper::Request<Bytes>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        if let Some(preflight) = self
            .cors
            .as_ref()
            .and_then(|cors| cors.preflight(parts.method.as_str(), &parts.headers))
        {
            return preflight;
        }
        let mut response = self.call_route(&parts, &body).await;
        if let Some(cors) = &self.cors {
            cors.decorate(parts.headers.get("origin"), &mut response);
        }
        response
    }

    /// The route's answer (or API Gateway's 404), without CORS.
    async fn call_route(&self, parts: &hyper::http::request::Parts, body: &Bytes) -> Response<Body> {
        let Some((entry, params)) = self.find(parts.method.as_str(), parts.uri.path()) else {
            return gateway_error(404, "Not Found");
        };
        let event = event(entry, parts, &params, body);
        let request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(request) => request,
            Err(_) => return gateway_error(400, "Bad Request"),
        };
        let handler = Arc::clone(&entry.handler);
        // A panic in the handler is a failed invocation, not a dead server.
        match tokio::spawn(async move { handler(request).await }).await {
            Ok(response) => response,
            Err(_) => gateway_error(500, "Internal Server Error"),
        }
    }

    async fn answer_http(&self, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return to_hyper(gateway_error(413, "Request Entity Too Large"));
            }
            Err(_) => return to_hyper(gateway_error(400, "Bad Request")),
        };
        to_hyper(self.call(hyper::Request::from_parts(parts, body)).await)
    }
}

/// The API Gateway HTTP API (payload 2.0) event of one request.
fn event(
    entry: &Entry,
    parts: &hyper::http::request::Parts,
    params: &[(String, String)],
    body: &[u8],
) -> Value {
    use base64::Engine as _;
    let mut headers: Map<String, Value> = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == hyper::header::COOKIE {
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_owned())));
            continue;
        }
        join_into(&mut headers, name.as_str(), value);
    }
    let raw_query = parts.uri.query().unwrap_or_default();
    let mut query: Map<String, Value> = Map::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        join_into(&mut query, &percent_decode(key), percent_decode(value));
    }
    let path_params: Map<String, Value> = params
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let (body, encoded) = if body.is_empty() {
        (Value::Null, false)
    } else {
        match std::str::from_utf8(body) {
            Ok(text) => (Value::String(text.to_owned()), false),
            Err(_) => (
                Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
                true,
            ),
        }
    };
    let n = REQUESTS.fetch_add(1, Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let route_key = format!("{} {}", entry.method, entry.route_path);
    let user_agent = headers
        .get("user-agent")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "127",
            "http": {"method": entry.method, "path": parts.uri.path(), "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": user_agent},
            "requestId": format!("local-{now:x}-{n}"),
            "routeKey": route_key,
            "stage": "$default",
            "time": "",
            "timeEpoch": now
        },
        "isBase64Encoded": encoded
    });
    if !cookies.is_empty() {
        event["cookies"] = Value::Array(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !path_params.is_empty() {
        event["pathParameters"] = Value::Object(path_params);
    }
    if !body.is_null() {
        event["body"] = body;
    }
    event
}

/// Adds `value` under `key`, joined with a comma to a value already there
/// (what API Gateway does with repeated headers and query parameters).
fn join_into(map: &mut Map<String, Value>, key: &str, value: String) {
    match map.get_mut(key) {
        Some(Value::String(existing)) => {
            existing.push(',');
            existing.push_str(&value);
        }
        _ => {
            map.insert(key.to_owned(), Value::String(value));
        }
    }
}

fn to_hyper(response: Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

/// API Gateway's own error answer: `{"message": "..."}`.
fn gateway_error(status: u16, message: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "message": message }).to_string()))
        .expect("a valid response")
}

/// The segments of a path, without the leading `/`.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// `%XX` sequences decoded (invalid ones kept as sent); bytes that are not
/// UTF-8 replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn route(method: &str, path: &str, function: &str) -> Route {
        Route {
            method: method.to_owned(),
            path: path.to_owned(),
            function: function.to_owned(),
        }
    }

    /// A handler answering 200 with what it received, as JSON.
    fn echo() -> Handler {
        handler((), |_, req: Request| async move {
            use lambda_http::RequestExt;
            let params: BTreeMap<String, String> = req
                .path_parameters_ref()
                .map(|p| p.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
                .unwrap_or_default();
            let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (k, v) in req
                .query_string_parameters_ref()
                .into_iter()
                .flat_map(|p| p.iter())
            {
                query.entry(k.to_owned()).or_default().push(v.to_owned());
            }
            let headers: BTreeMap<String, String> = req
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_owned()))
                .collect();
            let body = String::from_utf8_lossy(req.body().as_ref()).into_owned();
            let echo = json!({
                "method": req.method().as_str(), "path": req.uri().path(), "params": params,
                "query": query, "headers": headers, "body": body,
                "request_id": shared::http::request_id(&req),
            });
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("x-echo", "yes")
                .body(Body::from(echo.to_string()))
                .unwrap()
        })
    }

    async fn start_api() -> LocalApi {
        let routes = [
            route("PATCH", "/things/{thingId}", "things"),
            route("PATCH", "/things/{thingId}/meta", "things"),
            route("POST", "/boom", "boom"),
        ];
        let mut handlers = Handlers::new();
        handlers.insert("things".into(), echo());
        handlers.insert(
            "boom".into(),
            handler((), |_, _req| async move { panic!("handler bug") }),
        );
        LocalApi::start(&routes, handlers).await.unwrap()
    }

    /// Sends raw HTTP/1.1 (one request, `Connection: close`) and returns
    /// the status, the lower-cased head and the body.
    async fn send(port: u16, request: &str) -> (u16, String, String) {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head.to_ascii_lowercase(), body.to_owned())
    }

    #[tokio::test]
    async fn routes_to_the_handler_with_the_event_api_gateway_builds() {
        let api = start_api().await;
        let body = r#"{"name":"x"}"#;
        let request = format!(
            "PATCH /things/a%20b?flag=true&tag=1&tag=2 HTTP/1.1\r\nHost: x\r\nX-Thing: 1\r\nx-thing: 2\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (status, head, body) = send(api.port(), &request).await;
        assert_eq!(status, 200, "{head}\n{body}");
        assert!(head.contains("x-echo: yes"), "{head}");
        let echo: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(echo["method"], "PATCH");
        assert_eq!(echo["path"], "/things/a%20b");
        assert_eq!(echo["params"], json!({"thingId": "a b"}));
        // lambda_http reads the query from `rawQueryString`, repeats included.
        assert_eq!(echo["query"], json!({"flag": ["true"], "tag": ["1", "2"]}));
        assert_eq!(echo["headers"]["x-thing"], "1,2");
        assert_eq!(echo["headers"]["content-type"], "application/json");
        assert_eq!(echo["body"], r#"{"name":"x"}"#);
        assert!(
            echo["request_id"].as_str().unwrap().starts_with("local-"),
            "{echo}"
        );
    }

    #[tokio::test]
    async fn unknown_routes_and_methods_are_api_gateways_404() {
        let api = start_api().await;
        for request in [
            "PATCH /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /things/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "PATCH /things/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "PATCH /things/1/meta/more HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ] {
            let (status, head, body) = send(api.port(), request).await;
            assert_eq!(status, 404, "{request}: {head}");
            assert!(head.contains("content-type: application/json"), "{head}");
            assert_eq!(body, r#"{"message":"Not Found"}"#);
        }
        let (status, _, body) = send(
            api.port(),
            "PATCH /things/7/meta HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["params"]["thingId"],
            "7"
        );
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_and_the_server_keeps_serving() {
        let api = start_api().await;
        let (status, _, body) = send(
            api.port(),
            "POST /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(status, 500);
        assert_eq!(body, r#"{"message":"Internal Server Error"}"#);
        let (status, _, _) = send(
            api.port(),
            "PATCH /things/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(status, 200);
    }

    #[tokio::test]
    async fn every_route_needs_a_handler() {
        let error = LocalApi::start(&[route("PATCH", "/x", "missing")], Handlers::new())
            .await
            .err()
            .unwrap();
        assert!(error.contains("missing"), "{error}");
    }

    #[tokio::test]
    async fn dropping_it_closes_the_port() {
        let api = start_api().await;
        let port = api.port();
        // An idle keep-alive connection is open when it is dropped.
        let idle = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        drop(api);
        let mut refused = false;
        for _ in 0..50 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(refused, "port {port} still accepts connections");
        drop(idle);

        let api = start_api().await;
        let port = api.port();
        api.stop().await;
        assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }
}
