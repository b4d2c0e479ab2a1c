//! A local Lambda Runtime API, to run a function's real binary the way
//! Lambda does: the binary polls `/invocation/next`, handles the event, and
//! posts `/invocation/{id}/response`. Tests use it to check what only the
//! whole binary shows, such as every line it logs at TRACE, runtime
//! included.
//!
//! The server is a minimal HTTP/1.1 implementation on 127.0.0.1:0
//! (keep-alive, content-length and chunked bodies), serving a fixed list of
//! events. When they are all answered, [`run_binary`] stops the binary by
//! its process id.

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
                Some((id, event)) => {
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
                // No more events: never answer, as Lambda does between invocations.
                None => std::future::pending().await,
            }
        } else if method == "POST" && (path.ends_with("/response") || path.ends_with("/error")) {
            let id = path.split('/').rev().nth(1).unwrap_or_default().to_owned();
            let value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
            let value = if path.ends_with("/error") {
                serde_json::json!({"runtimeError": value})
            } else {
                value
            };
            state.lock().expect("state").responses.push((id, value));
            answered.notify_waiters();
            "HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}".to_owned()
        } else {
            "HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}".to_owned()
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
/// `seed/demo.json` (`seed_items` are its items, which only the function's
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
    let demo =
        crate::seed::SeedFile::load(&crate::workspace_root().join("seed/demo.json")).expect("demo seed");
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
