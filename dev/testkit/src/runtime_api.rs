//! A local Lambda Runtime API, to run a function's real binary the way
//! Lambda does: the binary polls `/invocation/next`, handles the event, and
//! posts `/invocation/{id}/response`. Tests use it to check what only the
//! whole binary shows, such as every line it logs at TRACE, runtime
//! included.
//!
//! The server is a minimal HTTP/1.1 implementation on 127.0.0.1:0
//! (keep-alive, content-length and chunked bodies), serving a fixed list of
//! events. When they are all answered, [`run_binary`] stops the binary by
//! its process id. [`Function`] keeps one process and hands it events one
//! at a time, for a runtime that is slow to start (the Python peer,
//! [`python_peer`]).

use serde_json::Value;
use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How long a binary may take to answer every event before the run fails.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// What one run of a binary produced.
#[derive(Debug)]
pub struct Run {
    /// The response the binary posted for each event, in order (for an
    /// API Gateway event: `{"statusCode", "headers", "body", ...}`).
    pub responses: Vec<Value>,
    /// Everything the binary wrote to stdout and stderr.
    pub logs: String,
}

#[derive(Default)]
struct Shared {
    pending: VecDeque<(String, Value)>,
    responses: Vec<(String, Value)>,
}

/// The Lambda binary at `binary` with `env`, added to a minimal
/// environment: the Runtime API at `address` and the `AWS_LAMBDA_*`
/// variables the runtime requires; stdout and stderr piped, killed on drop.
fn lambda_command(
    binary: &Path,
    address: std::net::SocketAddr,
    env: &[(&str, String)],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "local-test")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "local")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs the Lambda binary at `binary` with `env` (added to a minimal
/// environment: the Runtime API address and the `AWS_LAMBDA_*` variables
/// the runtime requires) until it has answered every one of `events`, then
/// stops it. Panics if it does not answer within [`RUN_TIMEOUT`].
pub async fn run_binary(binary: &Path, env: &[(&str, String)], events: Vec<Value>) -> Run {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind runtime api");
    let address = listener.local_addr().expect("runtime api address");
    let expected = events.len();
    let state = Arc::new(Mutex::new(Shared {
        pending: events
            .into_iter()
            .enumerate()
            .map(|(i, e)| (format!("invocation-{i}"), e))
            .collect(),
        responses: Vec::new(),
    }));
    let answered = Arc::new(Notify::new());
    let server = {
        let (state, answered) = (state.clone(), answered.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, state.clone(), answered.clone()));
            }
        })
    };

    let mut command = lambda_command(binary, address, env);
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let stdout = tokio::spawn(read_all(child.stdout.take().expect("stdout")));
    let stderr = tokio::spawn(read_all(child.stderr.take().expect("stderr")));

    let done = tokio::time::timeout(RUN_TIMEOUT, async {
        loop {
            let notified = answered.notified();
            if state.lock().expect("state").responses.len() >= expected {
                break;
            }
            notified.await;
        }
    })
    .await;
    // Stop the binary by its pid (it would wait for the next event forever).
    let _ = child.start_kill();
    let _ = child.wait().await;
    server.abort();
    let logs = format!(
        "{}{}",
        stdout.await.unwrap_or_default(),
        stderr.await.unwrap_or_default()
    );
    assert!(
        done.is_ok(),
        "{} did not answer {expected} events within {RUN_TIMEOUT:?}; logs:\n{logs}",
        binary.display()
    );
    let mut responses = std::mem::take(&mut state.lock().expect("state").responses);
    responses.sort_by_key(|(id, _)| id.trim_start_matches("invocation-").parse::<usize>().unwrap_or(0));
    Run {
        responses: responses.into_iter().map(|(_, v)| v).collect(),
        logs,
    }
}

/// One function process under the local Runtime API, answering the events
/// [`Function::invoke`] hands it one at a time (as one Lambda container
/// does); the process is killed when this is dropped.
pub struct Function {
    events: tokio::sync::mpsc::UnboundedSender<Invocation>,
    logs: Arc<Mutex<String>>,
    _child: tokio::process::Child,
    server: tokio::task::JoinHandle<()>,
}

type Invocation = (Value, tokio::sync::oneshot::Sender<Value>);

/// What the server of a [`Function`] shares between connections.
struct Pending {
    next: tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<Invocation>>,
    answers: Mutex<std::collections::HashMap<String, tokio::sync::oneshot::Sender<Value>>>,
    count: std::sync::atomic::AtomicUsize,
}

impl Function {
    /// Starts the binary at `binary` with `env` (as [`run_binary`] does).
    pub async fn start(binary: &Path, env: &[(&str, String)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind runtime api");
        let address = listener.local_addr().expect("runtime api address");
        let (events, receiver) = tokio::sync::mpsc::unbounded_channel();
        let pending = Arc::new(Pending {
            next: tokio::sync::Mutex::new(receiver),
            answers: Mutex::default(),
            count: Default::default(),
        });
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_one_by_one(stream, pending.clone()));
            }
        });
        let mut child = lambda_command(binary, address, env)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let logs = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn AsyncRead + Send + Unpin>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let logs = logs.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut logs = logs.lock().expect("logs");
                    logs.push_str(&line);
                    logs.push('\n');
                }
            });
        }
        Function {
            events,
            logs,
            _child: child,
            server,
        }
    }

    /// The function's answer to `event` (for an API Gateway event:
    /// `{"statusCode", "headers", "body", ...}`; a function error is
    /// `{"runtimeError": ...}`). Panics, with the function's logs, when
    /// there is none within [`RUN_TIMEOUT`].
    pub async fn invoke(&self, event: Value) -> Value {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.events
            .send((event, answer))
            .expect("the runtime api is serving");
        match tokio::time::timeout(RUN_TIMEOUT, answered).await {
            Ok(Ok(value)) => value,
            _ => panic!(
                "no answer within {RUN_TIMEOUT:?}; the function's logs:\n{}",
                self.logs()
            ),
        }
    }

    /// Everything the function wrote to stdout and stderr so far.
    pub fn logs(&self) -> String {
        self.logs.lock().expect("logs").clone()
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Serves one keep-alive connection of a [`Function`]: `next` waits for
/// the next invocation, a response goes back to whoever sent its event.
async fn serve_one_by_one(stream: TcpStream, pending: Arc<Pending>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some((method, path, body)) = read_request(&mut reader).await {
        let reply = if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let Some((event, answer)) = pending.next.lock().await.recv().await else {
                return;
            };
            let n = pending.count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = format!("invocation-{n}");
            pending
                .answers
                .lock()
                .expect("answers")
                .insert(id.clone(), answer);
            next_reply(&id, &event)
        } else if method == "POST" && (path.ends_with("/response") || path.ends_with("/error")) {
            let id = path.split('/').rev().nth(1).unwrap_or_default();
            if let Some(answer) = pending.answers.lock().expect("answers").remove(id) {
                let _ = answer.send(posted(&path, &body));
            }
            ACCEPTED.to_owned()
        } else {
            ACCEPTED.to_owned()
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

const ACCEPTED: &str = "HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}";

/// The answer to `GET /invocation/next`: invocation `id` with `event`.
fn next_reply(id: &str, event: &Value) -> String {
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() + 30_000)
        .unwrap_or_default();
    let body = event.to_string();
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
         lambda-runtime-aws-request-id: {id}\r\n\
         lambda-runtime-deadline-ms: {deadline}\r\n\
         lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:local-test\r\n\
         lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// What the function posted to `path` (`.../response` or `.../error`).
fn posted(path: &str, body: &[u8]) -> Value {
    let value = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    if path.ends_with("/error") {
        serde_json::json!({"runtimeError": value})
    } else {
        value
    }
}

/// An API Gateway (HTTP API, payload 2.0) proxy response as the
/// `Response` lambda_http hands a handler's caller, so one set of
/// assertions serves a function in process and one under the Runtime API.
/// Panics on a function error (`runtimeError`).
pub fn http_response(value: &Value) -> lambda_http::Response<lambda_http::Body> {
    use base64::Engine as _;
    assert!(
        value.get("runtimeError").is_none(),
        "the function failed: {value}"
    );
    let status = value["statusCode"]
        .as_u64()
        .unwrap_or_else(|| panic!("no statusCode: {value}"));
    let mut response = lambda_http::Response::builder().status(status as u16);
    for (name, v) in value["headers"].as_object().into_iter().flatten() {
        response = response.header(name.as_str(), v.as_str().unwrap_or_default());
    }
    for (name, values) in value["multiValueHeaders"].as_object().into_iter().flatten() {
        for v in values.as_array().into_iter().flatten() {
            response = response.header(name.as_str(), v.as_str().unwrap_or_default());
        }
    }
    let text = value["body"].as_str().unwrap_or_default();
    let body = if text.is_empty() {
        lambda_http::Body::Empty
    } else if value["isBase64Encoded"] == true {
        lambda_http::Body::Binary(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .expect("a base64 body"),
        )
    } else {
        lambda_http::Body::Text(text.to_owned())
    };
    response.body(body).expect("a valid response")
}

/// The Python Powertools peer of `update-account-metadata`
/// (`dev/peer-python`) under its real runtime client, `awslambdaric`,
/// against the DynamoDB at `endpoint` (plain HTTP) and its table `table`;
/// its venv is installed on first use ([`pyvenv::peer::install`]).
/// Panics when it cannot be installed: a test of the peer never passes
/// without running it.
pub async fn python_peer(endpoint: &str, table: &str) -> Function {
    let root = crate::workspace_root();
    let python = tokio::task::spawn_blocking(move || pyvenv::peer::install(&crate::workspace_root()))
        .await
        .expect("install task")
        .unwrap_or_else(|e| panic!("cannot install the Python peer: {e}"));
    let bootstrap = root.join(pyvenv::peer::DIR).join("bootstrap");
    let env = [
        ("PEER_PYTHON", python.to_string_lossy().into_owned()),
        ("TABLE_NAME", table.to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        // botocore reads only this one (Lambda sets both).
        ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("POWERTOOLS_SERVICE_NAME", "update-account-metadata".to_owned()),
        ("POWERTOOLS_METRICS_NAMESPACE", "local".to_owned()),
    ];
    Function::start(&bootstrap, &env).await
}

async fn read_all(mut stream: impl AsyncRead + Unpin) -> String {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes).await;
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Serves one keep-alive connection of the runtime client.
async fn serve(stream: TcpStream, state: Arc<Mutex<Shared>>, answered: Arc<Notify>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some((method, path, body)) = read_request(&mut reader).await {
        let reply = if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let next = state.lock().expect("state").pending.pop_front();
            match next {
                Some((id, event)) => next_reply(&id, &event),
                // No more events: never answer, as Lambda does between invocations.
                None => std::future::pending().await,
            }
        } else if method == "POST" && (path.ends_with("/response") || path.ends_with("/error")) {
            let id = path.split('/').rev().nth(1).unwrap_or_default().to_owned();
            state
                .lock()
                .expect("state")
                .responses
                .push((id, posted(&path, &body)));
            answered.notify_waiters();
            ACCEPTED.to_owned()
        } else {
            ACCEPTED.to_owned()
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads one request: method, path and body (content-length or chunked).
async fn read_request(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> Option<(String, String, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let (mut length, mut chunked) = (0usize, false);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).await.ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "content-length" {
                length = value.parse().ok()?;
            } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await.ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await.ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).await.ok()?;
    }
    Some((method, path, body))
}

/// Runs the binary of one function once per event in `events/<events_dir>/`,
/// each time against a fresh database holding `seed` in the table
/// `table_logical_id`, with logging at TRACE, in text and in JSON format
/// (as Lambda configures it). Checks each run: the response has the status
/// its event file names; no line the binary logged (the Lambda runtime's
/// and the SDK's included) holds any of `secrets`; no line carries
/// terminal colour codes; and the request wrote exactly one telemetry line,
/// a valid CloudWatch EMF record ([`crate::emf`]) with its status. Returns every run's logs, for further checks.
pub async fn check_events_at_trace(
    binary: &Path,
    events_dir: &str,
    table_logical_id: &str,
    seed: &[shared::store::Item],
    secrets: &[String],
) -> String {
    assert!(!secrets.is_empty(), "no secrets to look for");
    let files = crate::events::event_files(events_dir);
    assert!(!files.is_empty(), "no events in events/{events_dir}");
    let mut all_logs = String::new();
    for file in &files {
        let event: Value =
            serde_json::from_str(&std::fs::read_to_string(file).expect("event file")).expect("event JSON");
        for json_logs in [false, true] {
            let db = crate::TestDb::start().await;
            db.put(table_logical_id, seed.to_vec()).await;
            let mut env = vec![
                ("RUST_LOG", "trace".to_owned()),
                ("AWS_ENDPOINT_URL_DYNAMODB", db.endpoint().to_owned()),
                ("AWS_REGION", "us-east-1".to_owned()),
                ("AWS_ACCESS_KEY_ID", "local".to_owned()),
                ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
                ("TABLE_NAME", db.table(table_logical_id).name().to_owned()),
            ];
            if json_logs {
                env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()));
            }
            let run = run_binary(binary, &env, vec![event.clone()]).await;
            let what = format!("{} (json logs: {json_logs})", file.display());
            assert_eq!(
                run.responses[0]["statusCode"],
                crate::events::expected_status(file),
                "{what}: {}\nlogs:\n{}",
                run.responses[0],
                run.logs
            );
            for secret in secrets {
                if let Some(line) = run.logs.lines().find(|line| line.contains(secret.as_str())) {
                    panic!("{what}: a secret ({} chars) was logged in: {line}", secret.len());
                }
            }
            assert!(!run.logs.contains('\u{1b}'), "{what}: colour codes in piped logs");
            if json_logs {
                // Lambda's JSON log format: CloudWatch takes each event's
                // time from its `timestamp`.
                let logged = run.logs.lines().filter(|l| l.contains("\"level\""));
                for line in logged {
                    let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
                    assert!(
                        value["timestamp"].is_string(),
                        "{what}: a JSON log line without a timestamp: {line}"
                    );
                }
            }
            // One telemetry line per request, a valid EMF record.
            let records = crate::emf::records_in(&run.logs);
            assert_eq!(
                records.len(),
                1,
                "{what}: one EMF line per request:\n{}",
                run.logs
            );
            let record = &records[0];
            assert_eq!(
                record["status"], run.responses[0]["statusCode"],
                "{what}: {record}"
            );
            assert_eq!(
                record["cold_start"], true,
                "{what}: the first request is a cold start"
            );
            assert!(
                record["request_id"].as_str().is_some_and(|id| !id.is_empty()),
                "{what}"
            );
            assert!(
                record["route"].as_str().is_some_and(|r| r.contains(' ')),
                "{what}: {record}"
            );
            all_logs.push_str(&run.logs);
        }
    }
    all_logs
}

/// [`check_events_at_trace`] for the demo data: the function's section of
/// the demo seed (`functions/<package>/demo.json`; `seed_items` are its items, which only the function's
/// crate can build) and every event in `events/<events_dir>/`; the secrets
/// looked for are those of the section and the events
/// ([`crate::secrets::secrets_in`]). Also checks that the runs logged at
/// all (our code's lines reached the output).
pub async fn check_demo_events_at_trace(
    binary: &Path,
    events_dir: &str,
    seed_section: &str,
    table_logical_id: &str,
    seed_items: &[shared::store::Item],
) {
    let demo = crate::seed::SeedFile::demo(&crate::workspace_root()).expect("demo seed");
    let section: Value = demo
        .section(seed_section)
        .expect("demo seed section")
        .expect("the demo seed has the section");
    let events: Vec<Value> = crate::events::event_files(events_dir)
        .iter()
        .map(|f| serde_json::from_str(&std::fs::read_to_string(f).expect("event file")).expect("event JSON"))
        .collect();
    let mut inputs = vec![&section];
    inputs.extend(events.iter());
    let secrets = crate::secrets::secrets_in(&inputs);
    let logs = check_events_at_trace(binary, events_dir, table_logical_id, seed_items, &secrets).await;
    assert!(logs.contains("request"), "nothing was logged: {logs}");
}
