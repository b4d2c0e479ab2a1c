//! A fault-injecting HTTP proxy between the SDK and the real local
//! DynamoDB, for tests of what an endpoint answers when DynamoDB misbehaves.
//!
//! Requests pass through to the server unchanged until a [`Fault`] is set;
//! then every request (or only those of one operation, such as
//! `TransactWriteItems`) meets the fault: never answered, answered late,
//! cut off mid-response with a TCP reset, or answered with a DynamoDB
//! error (500 `InternalServerError`, throttling, a transaction conflict).
//! [`refused_endpoint`] is an address where nothing listens. Everything
//! binds to 127.0.0.1 and stops when the proxy is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Accept the request and never answer.
    Blackhole,
    /// Answer, but only after this long.
    Slow(Duration),
    /// Send the first half of the server's response, then reset the
    /// connection.
    ResetMidResponse,
    /// HTTP 500 `InternalServerError`.
    InternalServerError,
    /// HTTP 400 `ProvisionedThroughputExceededException`.
    Throttling,
    /// HTTP 400 `TransactionCanceledException` whose every reason is
    /// `TransactionConflict` (another transaction held an item).
    TransactionConflict,
}

#[derive(Debug, Default)]
struct Control {
    fault: Option<(Fault, Option<&'static str>)>,
}

/// The proxy; see the module docs.
#[derive(Debug)]
pub struct FaultProxy {
    endpoint: String,
    control: Arc<Mutex<Control>>,
    requests: Arc<AtomicUsize>,
    faulted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy on 127.0.0.1 in front of `upstream` (`http://127.0.0.1:port`).
    pub async fn start(upstream: &str) -> Self {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind fault proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let control = Arc::new(Mutex::new(Control::default()));
        let requests = Arc::new(AtomicUsize::new(0));
        let faulted = Arc::new(AtomicUsize::new(0));
        let task = {
            let (control, requests, faulted) = (control.clone(), requests.clone(), faulted.clone());
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let conn = Connection {
                        upstream: upstream.clone(),
                        control: control.clone(),
                        requests: requests.clone(),
                        faulted: faulted.clone(),
                    };
                    tokio::spawn(conn.serve(client));
                }
            })
        };
        FaultProxy {
            endpoint,
            control,
            requests,
            faulted,
            task,
        }
    }

    /// The proxy's URL, for the SDK's endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Applies `fault` to every request from now on; with `only`, to the
    /// requests of that operation only (`"TransactWriteItems"`), the others
    /// pass through.
    pub fn set(&self, fault: Fault, only: Option<&'static str>) {
        self.control.lock().expect("control").fault = Some((fault, only));
    }

    /// Lets every request through again.
    pub fn clear(&self) {
        self.control.lock().expect("control").fault = None;
    }

    /// Requests received so far (attempts, retries included).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Requests that met a fault so far.
    pub fn faulted(&self) -> usize {
        self.faulted.load(Ordering::SeqCst)
    }
}

/// An endpoint on 127.0.0.1 where nothing listens: connections are refused.
pub async fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{address}")
}

struct Connection {
    upstream: String,
    control: Arc<Mutex<Control>>,
    requests: Arc<AtomicUsize>,
    faulted: Arc<AtomicUsize>,
}

/// One HTTP/1.1 message: head (request or status line and headers, with
/// the blank line) and body.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
    target: Option<String>,
}

impl Message {
    fn bytes(&self) -> Vec<u8> {
        [self.head.as_slice(), self.body.as_slice()].concat()
    }
}

async fn read_message<R: tokio::io::AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Message> {
    let mut head = Vec::new();
    let (mut length, mut target) = (0usize, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        head.extend_from_slice(line.as_bytes());
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            if name == "content-length" {
                length = value.trim().parse().ok()?;
            } else if name == "x-amz-target" {
                target = value.trim().rsplit('.').next().map(str::to_owned);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Message { head, body, target })
}

fn dynamodb_error(status: &str, kind: &str, message: &str, extra: &str) -> Vec<u8> {
    let body = format!(
        "{{\"__type\":\"com.amazonaws.dynamodb.v20120810#{kind}\",\"message\":\"{message}\"{extra}}}"
    );
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: fault-proxy\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl Connection {
    async fn serve(self, client: TcpStream) {
        let (read, mut write) = client.into_split();
        let mut reader = BufReader::new(read);
        let mut upstream: Option<(
            BufReader<tokio::net::tcp::OwnedReadHalf>,
            tokio::net::tcp::OwnedWriteHalf,
        )> = None;
        while let Some(request) = read_message(&mut reader).await {
            self.requests.fetch_add(1, Ordering::SeqCst);
            let fault = {
                let control = self.control.lock().expect("control");
                control.fault.and_then(|(fault, only)| match only {
                    Some(op) if request.target.as_deref() != Some(op) => None,
                    _ => Some(fault),
                })
            };
            if fault.is_some() {
                self.faulted.fetch_add(1, Ordering::SeqCst);
            }
            let canned = match fault {
                Some(Fault::Blackhole) => {
                    // Hold the connection open, answering nothing.
                    std::future::pending::<()>().await;
                    return;
                }
                Some(Fault::InternalServerError) => Some(dynamodb_error(
                    "500 Internal Server Error",
                    "InternalServerError",
                    "injected by the fault proxy",
                    "",
                )),
                Some(Fault::Throttling) => Some(dynamodb_error(
                    "400 Bad Request",
                    "ProvisionedThroughputExceededException",
                    "injected by the fault proxy",
                    "",
                )),
                Some(Fault::TransactionConflict) => {
                    let items = request
                        .body
                        .windows(8)
                        .filter(|w| w == b"\"Update\"" || w == b"\"Delete\"")
                        .count()
                        + request.body.windows(5).filter(|w| w == b"\"Put\"").count()
                        + request
                            .body
                            .windows(16)
                            .filter(|w| w == b"\"ConditionCheck\"")
                            .count();
                    let reasons = vec![
                        "{\"Code\":\"TransactionConflict\",\"Message\":\"Transaction is ongoing for the item\"}";
                        items.max(1)
                    ];
                    Some(dynamodb_error(
                        "400 Bad Request",
                        "TransactionCanceledException",
                        "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
                        &format!(",\"CancellationReasons\":[{}]", reasons.join(",")),
                    ))
                }
                _ => None,
            };
            if let Some(bytes) = canned {
                if write.write_all(&bytes).await.is_err() {
                    return;
                }
                continue;
            }
            if let Some(Fault::Slow(delay)) = fault {
                tokio::time::sleep(delay).await;
            }
            // Forward on a kept-alive upstream connection.
            if upstream.is_none() {
                let Ok(stream) = TcpStream::connect(&self.upstream).await else {
                    return;
                };
                let (r, w) = stream.into_split();
                upstream = Some((BufReader::new(r), w));
            }
            let Some((up_read, up_write)) = upstream.as_mut() else {
                return;
            };
            if up_write.write_all(&request.bytes()).await.is_err() {
                return;
            }
            let Some(response) = read_message(up_read).await else {
                return;
            };
            let bytes = response.bytes();
            if fault == Some(Fault::ResetMidResponse) {
                let _ = write.write_all(&bytes[..bytes.len() / 2]).await;
                let _ = write.flush().await;
                // Reset, not a clean close: linger 0 sends RST on drop (a
                // zero linger never blocks, which is what the deprecation
                // warns about).
                if let Ok(stream) = reader.into_inner().reunite(write) {
                    #[allow(deprecated)]
                    let _ = stream.set_linger(Some(Duration::ZERO));
                }
                return;
            }
            if write.write_all(&bytes).await.is_err() {
                return;
            }
        }
    }
}

/// A short time budget for tests, so faults are quick to provoke: the same
/// shape as [`shared::store::TimeBudget::PRODUCTION`], several times shorter.
pub const TEST_BUDGET: shared::store::TimeBudget = shared::store::TimeBudget {
    connect: Duration::from_millis(100),
    attempt: Duration::from_millis(150),
    operation: Duration::from_millis(400),
    max_attempts: 3,
    initial_backoff: Duration::from_millis(5),
    max_backoff: Duration::from_millis(20),
};

/// Every fault that can meet any call, each applied to every request.
pub const EVERY_FAULT: [Fault; 5] = [
    Fault::Blackhole,
    Fault::Slow(Duration::from_millis(300)),
    Fault::ResetMidResponse,
    Fault::InternalServerError,
    Fault::Throttling,
];

/// How long a request may take under faults: a few calls, each at most
/// the operation budget, plus scheduling slack.
pub const FAULTED_REQUEST_BOUND: Duration = Duration::from_millis(3 * 400 + 1500);

/// Sends one request per fault (each of `faults` applied to every call, or
/// to the calls of one operation, such as `("TransactionConflict",
/// Some("TransactWriteItems"))`), plus one with DynamoDB unreachable, each
/// through `send`, which gets the endpoint's table reached through the
/// proxy (with [`TEST_BUDGET`]) and returns the handler's response. Checks
/// each answer: status `expected`, a `Retry-After`, within
/// [`FAULTED_REQUEST_BOUND`], and the table exactly as before (nothing
/// half-written). Returns the answers, for the endpoint's envelope checks.
pub async fn check_faults<F, Fut>(
    db: &crate::TestDb,
    table_logical_id: &str,
    faults: &[(Fault, Option<&'static str>)],
    expected: u16,
    mut send: F,
) -> Vec<lambda_http::Response<lambda_http::Body>>
where
    F: FnMut(shared::store::Table) -> Fut,
    Fut: std::future::Future<Output = lambda_http::Response<lambda_http::Body>>,
{
    use shared::store::Table;
    let name = db.table(table_logical_id).name().to_owned();
    let before = db.snapshot(table_logical_id).await;
    let proxy = FaultProxy::start(db.endpoint()).await;
    let mut answers = Vec::new();
    let refused = refused_endpoint().await;
    let mut cases: Vec<(String, String)> = faults
        .iter()
        .map(|(fault, only)| {
            (
                format!("{fault:?} on {}", only.unwrap_or("every call")),
                proxy.endpoint().to_owned(),
            )
        })
        .collect();
    cases.push(("connection refused".to_owned(), refused));
    for (i, (what, endpoint)) in cases.into_iter().enumerate() {
        if let Some((fault, only)) = faults.get(i) {
            proxy.set(*fault, *only);
        }
        let table = Table::new(crate::local_client_with(&endpoint, TEST_BUDGET), name.clone());
        let started = std::time::Instant::now();
        let response = send(table).await;
        let took = started.elapsed();
        let body = String::from_utf8_lossy(response.body().as_ref()).into_owned();
        assert_eq!(response.status(), expected, "{what}: {body}");
        assert!(
            response.headers().contains_key("retry-after"),
            "{what}: no Retry-After"
        );
        assert!(took < FAULTED_REQUEST_BOUND, "{what}: answered after {took:?}");
        assert_eq!(
            db.snapshot(table_logical_id).await,
            before,
            "{what}: the table changed"
        );
        answers.push(response);
    }
    proxy.clear();
    answers
}
