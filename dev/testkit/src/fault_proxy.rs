//! A fault-injecting HTTP proxy between the SDK and the real local
//! DynamoDB, for tests of what an endpoint answers when DynamoDB misbehaves.
//!
//! Requests pass through to the server unchanged until a [`Fault`] is set;
//! then every request (or only those of one operation, such as
//! `TransactWriteItems`) meets the fault: never answered, answered late,
//! cut off mid-response with a TCP reset, or answered with a DynamoDB
//! error (500 `InternalServerError`, throttling, a transaction conflict).
//! [`FaultProxy::lose_answers`] arms the other kind of failure: a write that
//! commits in DynamoDB and whose answer never reaches the SDK, its retries
//! included. [`refused_endpoint`] is an address where nothing listens.
//! Everything binds to 127.0.0.1 and stops when the proxy is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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

/// How [`FaultProxy::lose_answers`] keeps DynamoDB's answer from the SDK.
/// Either way the request has reached DynamoDB, and DynamoDB has answered
/// it in full, before its answer is thrown away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerLoss {
    /// Reset the connection (TCP RST) without sending a byte of the
    /// answer: the SDK sees a connection error at once and retries.
    Reset,
    /// Hold the connection open and never answer (until the SDK closes
    /// it): the SDK's attempt times out, then it retries.
    Unanswered,
}

/// One request whose answer [`FaultProxy::lose_answers`] threw away: it
/// reached DynamoDB, DynamoDB answered it, and the SDK never got the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostAnswer {
    /// The operation (`"UpdateItem"`), from the request's `X-Amz-Target`.
    pub operation: String,
    /// The HTTP status DynamoDB answered: 200 when the write committed, 400
    /// when it was refused (a failed condition, for instance).
    pub status: u16,
}

/// The state of [`FaultProxy::lose_answers`].
#[derive(Debug)]
enum Losing {
    /// Waiting for the first request of `only` (every request when empty).
    Armed {
        only: Vec<String>,
        window: Duration,
        how: AnswerLoss,
    },
    /// The first answer is lost; those of `only` arriving before `until`
    /// are lost too.
    Open {
        only: Vec<String>,
        until: Instant,
        how: AnswerLoss,
    },
}

impl Losing {
    /// Whether the answer of a request for `target` arriving `now` is to be
    /// lost, and how; opens the window at the first match and disarms once
    /// the window has passed.
    fn take(slot: &mut Option<Losing>, target: Option<&str>, now: Instant) -> Option<AnswerLoss> {
        let matches = |only: &[String]| only.is_empty() || only.iter().any(|op| Some(op.as_str()) == target);
        match slot {
            Some(Losing::Armed { only, window, how }) if matches(only) => {
                let how = *how;
                *slot = Some(Losing::Open {
                    only: std::mem::take(only),
                    until: now + *window,
                    how,
                });
                Some(how)
            }
            Some(Losing::Open { until, .. }) if now >= *until => {
                *slot = None;
                None
            }
            Some(Losing::Open { only, how, .. }) if matches(only) => Some(*how),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Control {
    fault: Option<(Fault, Option<&'static str>)>,
    losing: Option<Losing>,
    lost: Vec<LostAnswer>,
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

    /// Lets every request through again (disarming
    /// [`lose_answers`](Self::lose_answers) too).
    pub fn clear(&self) {
        let mut control = self.control.lock().expect("control");
        control.fault = None;
        control.losing = None;
    }

    /// Arms the lost-answer fault: the next request of one of the
    /// operations in `only` (`&["UpdateItem", "TransactWriteItems"]`; an
    /// empty list means every operation) is forwarded to DynamoDB, which
    /// carries it out (a write commits), and DynamoDB's answer is thrown
    /// away as `how` says. So is the answer of every request of those
    /// operations that arrives within `window` of that first one (the
    /// window opens when it arrives): the SDK's own retries, which would
    /// otherwise meet the committed write (as a success, or as a failed
    /// condition) and hide the loss, reach DynamoDB and are lost too.
    /// Requests of other operations pass (or meet the fault of
    /// [`set`](Self::set)). With a window of [`Duration::ZERO`] only the
    /// first answer is lost. Every request after the window passes (the
    /// fault is disarmed); arming again starts over, and
    /// [`clear`](Self::clear) disarms it. [`lost_answers`](Self::lost_answers)
    /// tells which requests lost their answers.
    pub fn lose_answers(&self, only: &[&str], window: Duration, how: AnswerLoss) {
        self.control.lock().expect("control").losing = Some(Losing::Armed {
            only: only.iter().map(|op| (*op).to_owned()).collect(),
            window,
            how,
        });
    }

    /// Requests received so far (attempts, retries included).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Requests that met a fault so far (lost answers included).
    pub fn faulted(&self) -> usize {
        self.faulted.load(Ordering::SeqCst)
    }

    /// How many requests [`lose_answers`](Self::lose_answers) forwarded to
    /// DynamoDB, got DynamoDB's whole answer for, and kept from the SDK.
    pub fn lost(&self) -> usize {
        self.control.lock().expect("control").lost.len()
    }

    /// Those requests, in the order DynamoDB answered them, each with its
    /// operation and DynamoDB's status.
    pub fn lost_answers(&self) -> Vec<LostAnswer> {
        self.control.lock().expect("control").lost.clone()
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

    /// A response's status code (0 when the status line has none).
    fn status(&self) -> u16 {
        let line = self.head.split(|b| *b == b'\n').next().unwrap_or_default();
        String::from_utf8_lossy(line)
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_default()
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
            let (lose, fault) = {
                let mut control = self.control.lock().expect("control");
                let lose = Losing::take(&mut control.losing, request.target.as_deref(), Instant::now());
                let fault = control.fault.and_then(|(fault, only)| match only {
                    Some(op) if request.target.as_deref() != Some(op) => None,
                    _ => Some(fault),
                });
                (lose, if lose.is_some() { None } else { fault })
            };
            if lose.is_some() || fault.is_some() {
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
            if let Some(how) = lose {
                self.control.lock().expect("control").lost.push(LostAnswer {
                    operation: request.target.clone().unwrap_or_default(),
                    status: response.status(),
                });
                match how {
                    AnswerLoss::Reset => reset(reader, write),
                    AnswerLoss::Unanswered => {
                        // Hold the connection, answering nothing, until the
                        // client gives up on it.
                        let mut sink = [0u8; 1024];
                        while matches!(reader.read(&mut sink).await, Ok(n) if n > 0) {}
                    }
                }
                return;
            }
            let bytes = response.bytes();
            if fault == Some(Fault::ResetMidResponse) {
                let _ = write.write_all(&bytes[..bytes.len() / 2]).await;
                let _ = write.flush().await;
                reset(reader, write);
                return;
            }
            if write.write_all(&bytes).await.is_err() {
                return;
            }
        }
    }
}

/// Closes the client's connection with a reset, not a clean close: linger 0
/// sends RST on drop (a zero linger never blocks, which is what the
/// deprecation warns about).
fn reset(reader: BufReader<tokio::net::tcp::OwnedReadHalf>, write: tokio::net::tcp::OwnedWriteHalf) {
    if let Ok(stream) = reader.into_inner().reunite(write) {
        #[allow(deprecated)]
        let _ = stream.set_linger(Some(Duration::ZERO));
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

/// What [`lose_write_answers`] saw.
#[derive(Debug)]
pub struct LostWrite {
    /// The endpoint's response.
    pub response: lambda_http::Response<lambda_http::Body>,
    /// Requests the proxy received (attempts and retries included).
    pub requests: usize,
    /// The requests that reached DynamoDB and whose answers were lost, in
    /// order: never empty, and the first is the write that started the
    /// fault (its status 200 when it committed).
    pub lost: Vec<LostAnswer>,
}

/// Sends one request through `send`, which gets the endpoint's table
/// reached through a [`FaultProxy`] (with [`TEST_BUDGET`]) and returns the
/// handler's response, with the lost-answer fault armed
/// ([`FaultProxy::lose_answers`], answers lost by [`AnswerLoss::Reset`]): the
/// first request of an operation in `only_ops` (`&["UpdateItem"]`,
/// `&["TransactWriteItems"]`; empty for every operation) reaches DynamoDB,
/// which commits it, and the handler never gets its answer; nor does it get
/// the answer of any request of those operations within `window` after
/// it, each of which reaches DynamoDB too. Requests of other operations
/// pass. A `window` of [`TEST_BUDGET`]`.operation` loses the answers of
/// every retry the SDK makes of that write; a longer one also those of the
/// writes the handler makes after it; [`Duration::ZERO`] only the first
/// answer, so the SDK's retry meets the committed write.
///
/// Returns the response with what the proxy saw; the table as it is now is
/// [`crate::TestDb::snapshot`]'s. Panics when no request of `only_ops`
/// reached the proxy (the fault never met a write).
pub async fn lose_write_answers<F, Fut>(
    db: &crate::TestDb,
    table_logical_id: &str,
    only_ops: &[&str],
    window: Duration,
    send: F,
) -> LostWrite
where
    F: FnOnce(shared::store::Table) -> Fut,
    Fut: std::future::Future<Output = lambda_http::Response<lambda_http::Body>>,
{
    let proxy = FaultProxy::start(db.endpoint()).await;
    let table = shared::store::Table::new(
        crate::local_client_with(proxy.endpoint(), TEST_BUDGET),
        db.table(table_logical_id).name().to_owned(),
    );
    proxy.lose_answers(only_ops, window, AnswerLoss::Reset);
    let response = send(table).await;
    let lost = proxy.lost_answers();
    assert!(
        !lost.is_empty(),
        "no request of {only_ops:?} reached the proxy ({} requests did)",
        proxy.requests()
    );
    LostWrite {
        response,
        requests: proxy.requests(),
        lost,
    }
}
