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
