//! The mailer against a real implementation of the SES v2 API: moto's
//! server, which `cargo xtask test` starts and names in `SES_ENDPOINT`
//! (these tests are ignored by a plain `cargo test`, and fail when run
//! without it). SES receives each message as raw content; what moto
//! recorded is read back from its data endpoint: the sender, the
//! recipient, the subject and both parts. The real binary runs too, at
//! TRACE, to check that no line it logs holds a code, an address or a hash.

mod common;

use aws_sdk_sesv2::{
    Client,
    config::{Credentials, Region},
};
use common::{Fixture, T2};
use send_account_email::transport::ses::{Ses, budgeted};
use serde_json::Value;
use update_current_account::{TABLE_LOGICAL_ID, store::outbox::attrs};

/// The environment variable naming moto's endpoint.
const SES_ENDPOINT: &str = "SES_ENDPOINT";

fn endpoint() -> String {
    std::env::var(SES_ENDPOINT)
        .unwrap_or_else(|_| panic!("{SES_ENDPOINT} is not set: run these with `cargo xtask test`"))
}

fn client() -> Client {
    let config = budgeted(aws_sdk_sesv2::Config::builder())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "local"));
    Client::from_conf(config.build())
}

/// The messages moto recorded that were sent to `to`: (source, raw data).
async fn sent_to(to: &str) -> Vec<(String, String)> {
    let data: Value = reqwest_json(&format!("{}/moto-api/data.json", endpoint())).await;
    data["ses"]["RawMessage"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x == to))
        })
        .map(|m| {
            (
                m["source"].as_str().unwrap_or_default().to_owned(),
                m["raw_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// GET `url` as JSON (a plain HTTP/1.1 request to moto on 127.0.0.1).
async fn reqwest_json(url: &str) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("moto reachable");
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("moto's data: {e}: {body:.200}"))
}

/// Undoes quoted-printable soft breaks and `=XX` (enough to read a part).
fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut it = joined.bytes();
    while let Some(b) = it.next() {
        match (b, it.clone().next(), it.clone().nth(1)) {
            (b'=', Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                bytes.push(u8::from_str_radix(&format!("{}{}", h as char, l as char), 16).unwrap());
                it.nth(1);
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A fixture whose mailer sends through moto as `sender` (verified first
/// when `verified`), for an address unique to the test.
async fn fixture(sender: &str, verified: bool) -> Fixture<Ses> {
    let client = client();
    if verified {
        client
            .create_email_identity()
            .email_identity(sender)
            .send()
            .await
            .expect("create the identity on moto");
    }
    let mut f = Fixture::new(Ses::new(client, None)).await;
    f.mailer.letterhead.from = shared::validate::EmailAddress::parse(sender).unwrap();
    f
}

#[tokio::test]
#[ignore = "needs moto's SES: cargo xtask test runs it with SES_ENDPOINT"]
async fn ses_records_both_messages_with_sender_recipient_subject_and_both_parts() {
    let mut f = fixture("no-reply@mail.example.com", true).await;
    let new = format!("new-{}@example.org", uuid_like());
    f.patch_email(&new).await;
    let code = f.code().await;
    let event = f.batch().await;
    assert_eq!(f.deliver(event).await, Vec::<String>::new());

    let to_new = sent_to(&new).await;
    assert_eq!(to_new.len(), 1, "{to_new:?}");
    let (source, raw) = &to_new[0];
    assert_eq!(source, "no-reply@mail.example.com");
    assert!(raw.contains(&format!("To: {new}\r\n")), "{raw}");
    assert!(raw.contains("Subject: Your code\r\n"), "{raw}");
    let parts: Vec<&str> = raw.split("--=_part_").collect();
    let text = parts
        .iter()
        .find(|p| p.contains("Content-Type: text/plain"))
        .expect("a text part");
    let html = parts
        .iter()
        .find(|p| p.contains("Content-Type: text/html"))
        .expect("an HTML part");
    for part in [text, html] {
        assert!(decode_qp(part).contains(&code), "{part}");
    }
    let notices = sent_to("two@example.com").await;
    assert!(
        notices
            .iter()
            .any(|(_, raw)| raw.contains("Subject: Your address\r\n") && !raw.contains(&code)),
        "{notices:?}"
    );
    assert!(!f.outbox().await.unwrap().contains_key(attrs::CODE));
}

#[tokio::test]
#[ignore = "needs moto's SES: cargo xtask test runs it with SES_ENDPOINT"]
async fn a_refused_send_is_reported_and_nothing_is_marked() {
    // Never verified: SES refuses to send as it (MessageRejected).
    let mut f = fixture("unverified@nowhere.example.net", false).await;
    f.patch_email(&format!("refused-{}@example.org", uuid_like()))
        .await;
    let before = f.outbox().await.unwrap();
    let event = f.batch().await;
    let sequence = event.records[0].change.sequence_number.clone().unwrap();
    assert_eq!(f.deliver(event).await, vec![sequence]);
    assert_eq!(f.outbox().await.unwrap(), before);
}

#[tokio::test]
#[ignore = "needs moto's SES: cargo xtask test runs it with SES_ENDPOINT"]
async fn the_binary_at_trace_sends_and_logs_no_code_address_or_hash() {
    let sender = "no-reply@binary.example.com";
    let mut f = fixture(sender, true).await;
    let new = format!("bin-{}@example.org", uuid_like());
    f.patch_email(&new).await;
    let outbox = f.outbox().await.unwrap();
    let secrets: Vec<String> = [attrs::CODE, attrs::CHANGE, attrs::TO, attrs::NOTIFY]
        .iter()
        .map(|a| outbox[*a].as_s().unwrap().clone())
        .chain([T2.to_owned()])
        .collect();
    let event = serde_json::to_value(f.batch().await).unwrap();
    for json_logs in [false, true] {
        // The same record twice: sent once (the second run finds it sent).
        let mut env = vec![
            ("RUST_LOG", "trace".to_owned()),
            ("AWS_ENDPOINT_URL_DYNAMODB", f.db.endpoint().to_owned()),
            ("AWS_ENDPOINT_URL_SESV2", endpoint()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "local".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
            ("TABLE_NAME", f.db.table(TABLE_LOGICAL_ID).name().to_owned()),
            ("MAIL_FROM", sender.to_owned()),
        ];
        if json_logs {
            env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()));
        }
        let bin = env!("CARGO_BIN_EXE_send-account-email").as_ref();
        let run = testkit::runtime_api::run_binary(bin, &env, vec![event.clone()]).await;
        assert_eq!(
            run.responses[0]["batchItemFailures"],
            serde_json::json!([]),
            "{}",
            run.logs
        );
        assert!(
            run.logs.contains("outbox record"),
            "our lines reach the output:\n{}",
            run.logs
        );
        for secret in &secrets {
            if let Some(line) = run.logs.lines().find(|l| l.contains(secret.as_str())) {
                panic!("a secret ({} chars) was logged: {line}", secret.len());
            }
        }
        if json_logs {
            for line in run.logs.lines().filter(|l| l.contains("\"level\"")) {
                let value: Value = serde_json::from_str(line).unwrap_or_default();
                assert!(value["timestamp"].is_string(), "no timestamp: {line}");
            }
        }
    }
    assert_eq!(sent_to(&new).await.len(), 1, "sent once over both runs");
}

/// A string unique to this test run (addresses must not collide between
/// tests sharing one moto).
fn uuid_like() -> String {
    format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    )
}
