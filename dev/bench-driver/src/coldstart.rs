//! Cold start and peak memory of a function's release binary: exec to its
//! first answered invocation under a minimal local Lambda Runtime API, with
//! DynamoDB behind a local TLS terminator (a test CA that the SDK trusts
//! through `SSL_CERT_FILE`, which rustls-native-certs reads in place of the
//! system store), then peak RSS over many invocations.
//!
//! `coldstart --binary P --event F --upstream HOST:PORT --cert C --key K
//!  --roots R --table T --runs N --rss M [--env NAME=VALUE ...]`
//!
//! `--runs 0` or `--rss 0` skips that part, and its fields are absent from
//! the record: `cargo perf` times the cold starts one binary at a time on a
//! quiet machine, then runs the long memory runs side by side.
//!
//! `--env` adds a variable (the Python peer's runtime settings and CA
//! bundle); the binary may be a `bootstrap` script that `exec`s its
//! runtime, as Lambda's managed runtimes start.

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_rustls::rustls::{
    self,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};

/// What the Runtime API saw of one run.
#[derive(Default)]
struct Run {
    event: String,
    remaining: usize,
    answered: usize,
    target: usize,
    first_next: Option<Instant>,
    first_answer: Option<Instant>,
    first_status: Option<u64>,
}

type Shared = Arc<(Mutex<Run>, Notify)>;

pub async fn run(args: &[String]) -> Result<(), String> {
    let need = |name: &str| super::arg(args, name).ok_or(format!("missing {name}"));
    let binary = need("--binary")?;
    let event = std::fs::read_to_string(need("--event")?).map_err(|e| e.to_string())?;
    let event: Value = serde_json::from_str(&event).map_err(|e| e.to_string())?;
    let runs: usize = need("--runs")?.parse().map_err(|_| "--runs")?;
    let rss: usize = need("--rss")?.parse().map_err(|_| "--rss")?;
    let tls = terminator(&need("--upstream")?, &need("--cert")?, &need("--key")?).await?;
    let shared: Shared = Arc::new((Mutex::new(Run::default()), Notify::new()));
    let api = runtime_api(shared.clone()).await?;
    let extra: Vec<(String, String)> = args
        .windows(2)
        .filter(|pair| pair[0] == "--env")
        .map(|pair| {
            pair[1]
                .split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or(format!("--env {}: not NAME=VALUE", pair[1]))
        })
        .collect::<Result<_, _>>()?;
    let base = [
        ("AWS_LAMBDA_RUNTIME_API", api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".to_owned()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "bench".to_owned()),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()),
        ("AWS_LAMBDA_LOG_LEVEL", "INFO".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        (
            "AWS_ENDPOINT_URL_DYNAMODB",
            format!("https://127.0.0.1:{}", tls.port()),
        ),
        ("SSL_CERT_FILE", need("--roots")?),
        ("TABLE_NAME", need("--table")?),
        ("CREDENTIAL_CACHE_TTL_SECONDS", "60".to_owned()),
        ("FIELD_DEFINITIONS_CACHE_TTL_SECONDS", "60".to_owned()),
    ];
    let env: Vec<(&str, &str)> = base
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .collect();
    let start = |events: usize| -> Result<(std::process::Child, Instant), String> {
        {
            let mut run = shared.0.lock().expect("run");
            *run = Run {
                event: event.to_string(),
                remaining: events,
                target: events,
                ..Run::default()
            };
        }
        let started = Instant::now();
        let child = Command::new(&binary)
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e}"))?;
        Ok((child, started))
    };
    let wait = |timeout: Duration| {
        let shared = shared.clone();
        async move {
            tokio::time::timeout(timeout, async {
                loop {
                    let notified = shared.1.notified();
                    {
                        let run = shared.0.lock().expect("run");
                        if run.answered >= run.target {
                            return;
                        }
                    }
                    notified.await;
                }
            })
            .await
            .is_ok()
        }
    };

    let (mut cold, mut init, mut first) = (Vec::new(), Vec::new(), Vec::new());
    let mut status = None;
    for _ in 0..runs {
        let (mut child, started) = start(1)?;
        let done = wait(Duration::from_secs(30)).await;
        let _ = child.kill();
        let _ = child.wait();
        if !done {
            return Err(format!("{binary}: no answer within 30 s"));
        }
        let run = shared.0.lock().expect("run");
        let (next, answer) = (
            run.first_next.expect("polled"),
            run.first_answer.expect("answered"),
        );
        cold.push(answer - started);
        init.push(next - started);
        first.push(answer - next);
        status = run.first_status;
    }
    let mut record = json!({ "kind": "coldstart", "binary": binary });
    if runs > 0 {
        cold.sort();
        init.sort();
        first.sort();
        let ms =
            |v: &[Duration], q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)].as_secs_f64() * 1e3;
        record["runs"] = json!(runs);
        record["cold_p50_ms"] = json!(ms(&cold, 0.5));
        record["cold_min_ms"] = json!(ms(&cold, 0.0));
        record["cold_p90_ms"] = json!(ms(&cold, 0.9));
        record["init_p50_ms"] = json!(ms(&init, 0.5));
        record["first_p50_ms"] = json!(ms(&first, 0.5));
        record["status"] = json!(status);
    }
    if rss > 0 {
        let (mut child, started) = start(rss)?;
        let done = wait(Duration::from_secs(600)).await;
        let elapsed = started.elapsed();
        let peak_kib = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
            })
            .unwrap_or(0);
        let _ = child.kill();
        let _ = child.wait();
        if !done {
            return Err(format!("{binary}: {rss} invocations did not finish"));
        }
        record["rss_invocations"] = json!(rss);
        record["peak_rss_mib"] = json!(peak_kib as f64 / 1024.0);
        record["invocations_per_s"] = json!(rss as f64 / elapsed.as_secs_f64());
    }
    println!("BENCH {record}");
    Ok(())
}

/// A TLS terminator on 127.0.0.1:0 forwarding each connection to `upstream`.
async fn terminator(upstream: &str, cert: &str, key: &str) -> Result<SocketAddr, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{cert}: {e}"))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{key}: {e}"))?;
    let mut config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let upstream = upstream.to_owned();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = plain.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    Ok(addr)
}

/// The Runtime API: `GET .../invocation/next` hands out the event while
/// some remain (then never answers, as Lambda between invocations), and
/// `POST .../response` counts answers.
async fn runtime_api(shared: Shared) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(serve(stream, shared.clone()));
        }
    });
    Ok(addr)
}

async fn serve(stream: TcpStream, shared: Shared) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut n = 0u64;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let (mut length, mut chunked) = (0usize, false);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                } else if name == "transfer-encoding" && value.trim().eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                if reader.read_line(&mut size).await.unwrap_or(0) == 0 {
                    return;
                }
                let size =
                    usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
                let mut chunk = vec![0; size + 2];
                if reader.read_exact(&mut chunk).await.is_err() {
                    return;
                }
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length, 0);
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
        }
        let reply = if method == "GET" && path.ends_with("/invocation/next") {
            let event = {
                let mut run = shared.0.lock().expect("run");
                if run.first_next.is_none() {
                    run.first_next = Some(Instant::now());
                }
                if run.remaining == 0 {
                    None
                } else {
                    run.remaining -= 1;
                    Some(run.event.clone())
                }
            };
            let Some(event) = event else {
                std::future::pending::<()>().await;
                return;
            };
            n += 1;
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 10_000)
                .unwrap_or_default();
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 lambda-runtime-aws-request-id: req-{n}\r\n\
                 lambda-runtime-deadline-ms: {deadline}\r\n\
                 lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\n\
                 content-length: {}\r\n\r\n{event}",
                event.len()
            )
        } else {
            if method == "POST" && (path.ends_with("/response") || path.ends_with("/error")) {
                let mut run = shared.0.lock().expect("run");
                run.answered += 1;
                if run.first_answer.is_none() {
                    run.first_answer = Some(Instant::now());
                    run.first_status = serde_json::from_slice::<Value>(&body)
                        .ok()
                        .and_then(|v| v["statusCode"].as_u64())
                        .or(Some(0));
                }
                if run.answered >= run.target {
                    shared.1.notify_waiters();
                }
            }
            "HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}".to_owned()
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
