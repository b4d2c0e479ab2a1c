//! Issue 10's checks, written once and run by every endpoint: ETag /
//! If-Match (RFC 9110) and Idempotency-Key, against the embedded DynamoDB
//! through the endpoint's real handler.
//!
//! An endpoint implements [`Endpoint`] (how to send a request as its
//! caller, where the item it writes lives, two valid bodies and one its
//! validation refuses) and runs every check with
//! [`safe_edit_tests!`](crate::safe_edit_tests). Each check asserts
//! status, headers, body and what is stored: the subject's `version`, and
//! the idempotency records.

use crate::TestDb;
use crate::events::{body_json, header};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response};
use serde_json::Value;
use shared::http::precondition::etag;
use shared::idempotency::{REPLAYED, RETENTION};
use shared::store::{Item, Key};
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the checks need to know of an endpoint.
pub struct Target<'a> {
    /// The database the endpoint writes.
    pub db: &'a TestDb,
    /// The table's logical id.
    pub table: &'static str,
    /// The item the requests write (it has a `version`).
    pub subject: Key,
    /// The success status (200, or 204).
    pub success: u16,
    /// Two different valid bodies, and one the endpoint's validation refuses (400).
    pub bodies: [&'static str; 3],
    /// The error code of an error body, in the endpoint's envelope.
    pub code: fn(&Value) -> String,
}

/// One endpoint, as the checks drive it.
pub trait Endpoint: Sync {
    /// What the checks write and read.
    fn target(&self) -> Target<'_>;
    /// Sends `body` with `headers` as the endpoint's caller (`other`: as
    /// a second credential that may write the same item), with the
    /// credential and `Content-Type` headers added.
    fn send(
        &self,
        other: bool,
        headers: &[(&str, &str)],
        body: &str,
    ) -> impl Future<Output = Response<Body>> + Send;
}

/// Sends through `e`, with the handler's future on the heap: a handler's
/// future is large in debug builds, and a check holds one at a time.
async fn call<E: Endpoint>(e: &E, other: bool, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    Box::pin(e.send(other, headers, body)).await
}

async fn version<E: Endpoint>(e: &E) -> u64 {
    let t = e.target();
    let item = t.db.get(t.table, &t.subject).await.expect("the subject exists");
    item.get("version")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .expect("the subject has a version")
}

async fn records<E: Endpoint>(e: &E) -> Vec<Item> {
    let t = e.target();
    let mut records: Vec<Item> =
        t.db.scan(t.table)
            .await
            .into_iter()
            .filter(|i| i["pk"].as_s().is_ok_and(|pk| pk.starts_with("IDEMPOTENCY#")))
            .collect();
    records.sort_by_key(|r| r["pk"].as_s().cloned().unwrap_or_default());
    records
}

async fn snapshot<E: Endpoint>(e: &E) -> Vec<Item> {
    let t = e.target();
    t.db.snapshot(t.table).await
}

async fn put<E: Endpoint>(e: &E, item: Item) {
    let t = e.target();
    t.db.put(t.table, vec![item]).await;
}

fn status(response: &Response<Body>) -> u16 {
    response.status().as_u16()
}

fn text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

fn assert_error<E: Endpoint>(e: &E, what: &str, response: &Response<Body>, want: u16, code: &str) {
    assert_eq!(status(response), want, "{what}: {}", text(response));
    assert_eq!(
        (e.target().code)(&body_json(response)),
        code,
        "{what}: {}",
        text(response)
    );
    assert!(header(response, "etag").is_none(), "{what}: an error has no ETag");
}

/// Every success carries the strong ETag of the version it stored; a
/// matching `If-Match` (one of a list, or `*`) writes; a stale one is 412
/// and writes nothing; a malformed one is 400; a weak or foreign tag
/// never matches.
pub async fn etag_and_if_match<E: Endpoint>(e: &E, precondition_code: &str, header_code: &str) {
    let [a, b, _] = e.target().bodies;
    let first = call(e, false, &[], a).await;
    assert_eq!(status(&first), e.target().success, "{}", text(&first));
    let v1 = version(e).await;
    assert_eq!(
        header(&first, "etag"),
        Some(etag(v1).as_str()),
        "ETag of the stored version"
    );

    let matching = etag(v1);
    let list = format!("\"v999999\", {matching}");
    let ok = call(e, false, &[("if-match", &list)], b).await;
    assert_eq!(status(&ok), e.target().success, "{}", text(&ok));
    assert_eq!(version(e).await, v1 + 1);
    assert_eq!(header(&ok, "etag"), Some(etag(v1 + 1).as_str()));

    let before = snapshot(e).await;
    for stale in [
        matching.clone(),
        format!("W/{}", etag(v1 + 1)),
        "\"abc\"".to_owned(),
    ] {
        let refused = call(e, false, &[("if-match", &stale)], a).await;
        assert_error(e, &format!("If-Match {stale}"), &refused, 412, precondition_code);
    }
    let malformed = call(e, false, &[("if-match", "v1")], a).await;
    assert_error(e, "malformed If-Match", &malformed, 400, header_code);
    assert_eq!(snapshot(e).await, before, "412 and 400 write nothing");

    let any = call(e, false, &[("if-match", "*")], a).await;
    assert_eq!(status(&any), e.target().success, "{}", text(&any));
    assert_eq!(version(e).await, v1 + 2);
    let current = etag(v1 + 2);
    let fresh = call(e, false, &[("if-match", &current)], b).await;
    assert_eq!(status(&fresh), e.target().success, "{}", text(&fresh));
    assert_eq!(header(&fresh, "etag"), Some(etag(v1 + 3).as_str()));
}

/// A retry with the same key and body replays the first response (status,
/// body, ETag; marked `Idempotent-Replayed`) and writes nothing; the
/// record expires 24 h after the request; another body under the same key
/// is 422; a malformed key is 400; a request refused by validation leaves
/// no record, so a corrected retry with the same key executes.
pub async fn idempotent_retries<E: Endpoint>(e: &E, reused_code: &str, header_code: &str) {
    let [a, b, invalid] = e.target().bodies;
    let key = [("idempotency-key", "retry-1")];
    let first = call(e, false, &key, a).await;
    assert_eq!(status(&first), e.target().success, "{}", text(&first));
    assert!(header(&first, REPLAYED).is_none());
    let after_first = version(e).await;
    let stored = records(e).await;
    assert_eq!(stored.len(), 1, "one record");
    let ttl: u64 = stored[0]["ttl"].as_n().unwrap().parse().unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let retention = RETENTION.as_secs();
    assert!(
        ttl >= now + retention - 60 && ttl <= now + retention + 1,
        "ttl {ttl} is 24 h from now {now}"
    );
    assert_eq!(stored[0]["state"].as_s().unwrap(), "done");

    let retry = call(e, false, &key, a).await;
    assert_eq!(status(&retry), status(&first));
    assert_eq!(text(&retry), text(&first), "the first body, replayed");
    assert_eq!(header(&retry, "etag"), header(&first, "etag"));
    assert_eq!(header(&retry, REPLAYED), Some("true"));
    assert!(header(&retry, "x-request-id").is_some());
    assert_eq!(version(e).await, after_first, "a replay writes nothing");

    let before = snapshot(e).await;
    let other_body = call(e, false, &key, b).await;
    assert_error(e, "same key, other body", &other_body, 422, reused_code);
    for bad in ["", "é", &"k".repeat(256)] {
        let malformed = call(e, false, &[("idempotency-key", bad)], a).await;
        assert_error(e, &format!("key {bad:?}"), &malformed, 400, header_code);
    }
    assert_eq!(snapshot(e).await, before, "422 and 400 write nothing");

    let fix = [("idempotency-key", "fix-1")];
    let refused = call(e, false, &fix, invalid).await;
    assert_eq!(status(&refused), 400, "{}", text(&refused));
    assert_eq!(records(e).await.len(), 1, "a refused request leaves no record");
    let corrected = call(e, false, &fix, b).await;
    assert_eq!(status(&corrected), e.target().success, "{}", text(&corrected));
    assert!(
        header(&corrected, REPLAYED).is_none(),
        "the corrected retry executes"
    );
    assert_eq!(version(e).await, after_first + 1);
}

/// 20 concurrent requests with one key and body: exactly one write; every
/// other answer is the replay of its response or 409.
pub async fn concurrent_duplicates<E: Endpoint>(e: &E, in_use_code: &str) {
    let [a, ..] = e.target().bodies;
    let before = version(e).await;
    let key = [("idempotency-key", "burst-1")];
    let responses = futures::future::join_all((0..20).map(|_| call(e, false, &key, a))).await;
    assert_eq!(version(e).await, before + 1, "exactly one write");
    let executed: Vec<_> = responses
        .iter()
        .filter(|r| status(r) == e.target().success && header(r, REPLAYED).is_none())
        .collect();
    assert_eq!(executed.len(), 1, "one request executed");
    for response in &responses {
        match status(response) {
            409 => assert_eq!((e.target().code)(&body_json(response)), in_use_code),
            s if s == e.target().success => {
                assert_eq!(header(response, "etag"), Some(etag(before + 1).as_str()));
                assert_eq!(text(response), text(executed[0]));
            }
            other => panic!("unexpected {other}: {}", text(response)),
        }
    }
}

/// A function killed between taking the lock and finishing (simulated by
/// setting the record back to in progress): a retry before the lock's
/// expiry is 409 and writes nothing; after it, the retry executes. Another
/// credential's request with the same key is its own (never the first
/// one's replay). A stale If-Match with a key is 412 and releases the key.
pub async fn crashes_credentials_and_preconditions<E: Endpoint>(
    e: &E,
    in_use_code: &str,
    precondition_code: &str,
) {
    let [a, b, _] = e.target().bodies;
    let key = [("idempotency-key", "crash-1")];
    let first = call(e, false, &key, a).await;
    assert_eq!(status(&first), e.target().success, "{}", text(&first));
    let record = records(e).await.pop().expect("a record");
    let record_key = Key::new(
        record["pk"].as_s().unwrap().clone(),
        record["sk"].as_s().unwrap().clone(),
    );
    let in_progress = |lock_until: SystemTime| {
        let mut item = record.clone();
        item.insert("state".into(), AttributeValue::S("in_progress".into()));
        let ms = lock_until.duration_since(UNIX_EPOCH).unwrap().as_millis();
        item.insert("lock_until".into(), AttributeValue::N(ms.to_string()));
        item
    };
    put(e, in_progress(SystemTime::now() + Duration::from_secs(60))).await;
    let v = version(e).await;
    let blocked = call(e, false, &key, a).await;
    assert_error(e, "lock held", &blocked, 409, in_use_code);
    assert_eq!(version(e).await, v);
    put(e, in_progress(SystemTime::now() - Duration::from_secs(1))).await;
    let resumed = call(e, false, &key, a).await;
    assert_eq!(status(&resumed), e.target().success, "{}", text(&resumed));
    assert!(
        header(&resumed, REPLAYED).is_none(),
        "an expired lock is taken over"
    );
    assert_eq!(version(e).await, v + 1);
    let t = e.target();
    let done = t.db.get(t.table, &record_key).await.expect("record");
    assert_eq!(done["state"].as_s().unwrap(), "done");

    let other = call(e, true, &key, a).await;
    assert_eq!(status(&other), e.target().success, "{}", text(&other));
    assert!(header(&other, REPLAYED).is_none(), "no replay across credentials");
    assert_eq!(version(e).await, v + 2);

    let stale = etag(v);
    let guarded = [("idempotency-key", "guarded-1"), ("if-match", stale.as_str())];
    let refused = call(e, false, &guarded, b).await;
    assert_error(e, "stale If-Match with a key", &refused, 412, precondition_code);
    assert_eq!(records(e).await.len(), 2, "a 412 releases its key");
    let current = etag(v + 2);
    let fixed = e
        .send(
            false,
            &[("idempotency-key", "guarded-1"), ("if-match", current.as_str())],
            b,
        )
        .await;
    assert_eq!(status(&fixed), e.target().success, "{}", text(&fixed));
    assert_eq!(version(e).await, v + 3);
}

/// Generates one `#[tokio::test]` per check for an endpoint: `$fixture`
/// is an async expression giving an [`Endpoint`]; the codes are the
/// endpoint's for 412, a malformed header (400), a key in use (409) and
/// a reused key (422).
#[macro_export]
macro_rules! safe_edit_tests {
    ($fixture:expr, precondition = $pre:expr, header = $hdr:expr, in_use = $busy:expr, reused = $reused:expr) => {
        #[tokio::test]
        async fn etag_and_if_match() {
            $crate::safe_edits::etag_and_if_match(&$fixture, $pre, $hdr).await;
        }

        #[tokio::test]
        async fn idempotent_retries() {
            $crate::safe_edits::idempotent_retries(&$fixture, $reused, $hdr).await;
        }

        #[tokio::test]
        async fn concurrent_duplicates() {
            $crate::safe_edits::concurrent_duplicates(&$fixture, $busy).await;
        }

        #[tokio::test]
        async fn crashes_credentials_and_preconditions() {
            $crate::safe_edits::crashes_credentials_and_preconditions(&$fixture, $busy, $pre).await;
        }
    };
}
