//! Conditional requests (RFC 9110 §13: ETag, If-Match, If-None-Match)
//! and safe retries (Idempotency-Key), written once and run by every
//! endpoint against the embedded DynamoDB through the endpoint's real
//! handler, with the fault proxy where a commit's answer must be lost.
//!
//! An endpoint implements [`Endpoint`] (its route and credentials, where
//! the item it writes lives, two valid bodies and one its validation
//! refuses) and runs every check with
//! [`safe_edit_tests!`](crate::safe_edit_tests). Each check asserts
//! status, headers, body and what is stored: the subject's `version`, and
//! the idempotency records.

use crate::TestDb;
use crate::events::{body_json, header};
use crate::fault_proxy::{AnswerLoss, FaultProxy, TEST_BUDGET};
use lambda_http::{Body, Response};
use serde_json::Value;
use shared::http::precondition::{etag, weak_etag};
use shared::idempotency::{REPLAYED, RETENTION};
use shared::store::{Item, Table};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the checks need to know of an endpoint.
pub struct Target<'a> {
    /// The database the endpoint writes.
    pub db: &'a TestDb,
    /// The table's logical id.
    pub table: &'static str,
    /// The item the requests write (it has a `version`).
    pub subject: shared::store::Key,
    /// The success status (200, or 204).
    pub success: u16,
    /// The request line: method, path, and the path parameters API Gateway
    /// would pass.
    pub route: (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    ),
    /// The status that says "unavailable, retry" (503, or the contract's 429).
    pub unavailable: u16,
    /// Whether the endpoint's ETags are weak (its body shows data the
    /// version does not cover).
    pub weak: bool,
    /// Two different valid bodies, and one the endpoint's validation refuses (400).
    pub bodies: [&'static str; 3],
    /// The error code of an error body, in the endpoint's envelope.
    pub code: fn(&Value) -> String,
}

/// One endpoint, as the checks drive it.
pub trait Endpoint: Sync {
    /// The endpoint under test.
    type Api: shared::endpoint::Endpoint;
    /// What the checks write and read.
    fn target(&self) -> Target<'_>;
    /// The credential header of the endpoint's caller (`other`: of a second
    /// credential that may write the same item).
    fn credential(&self, other: bool) -> (&'static str, String);
}

/// Sends `body` with `headers` as `e`'s caller (see [`Endpoint::credential`]),
/// with `Content-Type: application/json`, to the endpoint's handler whose
/// state holds `table`.
async fn send_via<E: Endpoint>(
    e: &E,
    table: Table,
    other: bool,
    headers: &[(&str, &str)],
    body: &str,
) -> Response<Body> {
    let (method, path, params) = e.target().route;
    let (name, value) = e.credential(other);
    let mut all = vec![("content-type", "application/json"), (name, value.as_str())];
    all.extend_from_slice(headers);
    let req = crate::events::api_request(method, path, params, &all, Some(body.as_bytes()));
    let state = <E::Api as shared::endpoint::Endpoint>::State::from(shared::endpoint::State { table });
    shared::endpoint::handle::<E::Api>(&state, req).await
}

/// Sends through `e`, with the handler's future on the heap: a handler's
/// future is large in debug builds, and a check holds one at a time.
async fn call<E: Endpoint>(e: &E, other: bool, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    let t = e.target();
    Box::pin(send_via(e, t.db.table(t.table), other, headers, body)).await
}

/// [`call`] through `table`, as the first credential.
async fn call_via<E: Endpoint>(e: &E, table: Table, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    Box::pin(send_via(e, table, false, headers, body)).await
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

/// The ETag of `version` as the endpoint sends it (weak or strong).
fn tag_of<E: Endpoint>(e: &E, version: u64) -> String {
    if e.target().weak {
        weak_etag(version)
    } else {
        etag(version)
    }
}

/// Every success carries the ETag of the version it stored; `If-Match`
/// compares strongly by octets (a matching strong tag, one of a list, or
/// `*` writes; a stale, weak, zero-padded or foreign tag is 412 and writes
/// nothing; against a weak ETag only `*` can match); `If-None-Match`
/// compares weakly (`*` or the current tag is 412, another tag writes); a
/// malformed header is 400.
pub async fn etag_and_if_match<E: Endpoint>(e: &E, precondition_code: &str, header_code: &str) {
    let [a, b, _] = e.target().bodies;
    let weak = e.target().weak;
    let first = call(e, false, &[], a).await;
    assert_eq!(status(&first), e.target().success, "{}", text(&first));
    let mut v = version(e).await;
    assert_eq!(
        header(&first, "etag"),
        Some(tag_of(e, v).as_str()),
        "ETag of the stored version"
    );

    if !weak {
        let list = format!("\"v999999\", {}", etag(v));
        let ok = call(e, false, &[("if-match", &list)], b).await;
        assert_eq!(status(&ok), e.target().success, "{}", text(&ok));
        v += 1;
        assert_eq!(version(e).await, v);
        assert_eq!(header(&ok, "etag"), Some(etag(v).as_str()));
    }

    let before = snapshot(e).await;
    let mut refusals = vec![
        ("if-match", etag(v - 1)),
        ("if-match", weak_etag(v)),
        ("if-match", format!("\"v0{v}\"")),
        ("if-match", "\"abc\"".to_owned()),
        ("if-none-match", "*".to_owned()),
        ("if-none-match", etag(v)),
        ("if-none-match", format!("\"v1000000\", {}", weak_etag(v))),
    ];
    if weak {
        refusals.push(("if-match", etag(v)));
    }
    for (name, value) in &refusals {
        let refused = call(e, false, &[(name, value)], a).await;
        assert_error(e, &format!("{name}: {value}"), &refused, 412, precondition_code);
    }
    for name in ["if-match", "if-none-match"] {
        let malformed = call(e, false, &[(name, "v1")], a).await;
        assert_error(e, &format!("malformed {name}"), &malformed, 400, header_code);
    }
    assert_eq!(snapshot(e).await, before, "412 and 400 write nothing");

    let any = call(e, false, &[("if-match", "*")], a).await;
    assert_eq!(status(&any), e.target().success, "{}", text(&any));
    v += 1;
    assert_eq!(version(e).await, v);
    let other = call(e, false, &[("if-none-match", "\"v999999\"")], b).await;
    assert_eq!(status(&other), e.target().success, "{}", text(&other));
    v += 1;
    assert_eq!(header(&other, "etag"), Some(tag_of(e, v).as_str()));
    if !weak {
        let fresh = call(e, false, &[("if-match", &etag(v))], a).await;
        assert_eq!(status(&fresh), e.target().success, "{}", text(&fresh));
        assert_eq!(header(&fresh, "etag"), Some(etag(v + 1).as_str()));
    }
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
    assert_eq!(
        stored[0]["status"].as_n().unwrap(),
        &status(&first).to_string(),
        "the record holds the response"
    );

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
/// other answer is the replay of its response.
pub async fn concurrent_duplicates<E: Endpoint>(e: &E) {
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
        assert_eq!(status(response), e.target().success, "{}", text(response));
        assert_eq!(header(response, "etag"), Some(tag_of(e, before + 1).as_str()));
        assert_eq!(text(response), text(executed[0]));
    }
    assert_eq!(records(e).await.len(), 1, "one record");
}

/// Another credential's request with the same key is its own (never the
/// first one's replay). A stale If-Match with a key is 412 and leaves no
/// record, so the corrected retry with that key executes.
pub async fn credentials_and_preconditions<E: Endpoint>(e: &E, precondition_code: &str) {
    let [a, b, _] = e.target().bodies;
    let key = [("idempotency-key", "cred-1")];
    let first = call(e, false, &key, a).await;
    assert_eq!(status(&first), e.target().success, "{}", text(&first));
    let v = version(e).await;
    let other = call(e, true, &key, a).await;
    assert_eq!(status(&other), e.target().success, "{}", text(&other));
    assert!(header(&other, REPLAYED).is_none(), "no replay across credentials");
    assert_eq!(version(e).await, v + 1);
    assert_eq!(records(e).await.len(), 2);

    let stale = etag(v);
    let guarded = [("idempotency-key", "guarded-1"), ("if-match", stale.as_str())];
    let refused = call(e, false, &guarded, b).await;
    assert_error(e, "stale If-Match with a key", &refused, 412, precondition_code);
    assert_eq!(records(e).await.len(), 2, "a 412 leaves no record");
    let fixed = call(
        e,
        false,
        &[("idempotency-key", "guarded-1"), ("if-match", "*")],
        b,
    )
    .await;
    assert_eq!(status(&fixed), e.target().success, "{}", text(&fixed));
    assert!(header(&fixed, REPLAYED).is_none());
    assert_eq!(version(e).await, v + 2);
}

/// The operations that commit writes.
const WRITES: [&str; 2] = ["UpdateItem", "TransactWriteItems"];

/// A table of the endpoint reached through `proxy`, with the tests' short
/// time budget.
fn through<E: Endpoint>(e: &E, proxy: &FaultProxy) -> Table {
    let t = e.target();
    let name = t.db.table(t.table).name().to_owned();
    Table::new(crate::local_client_with(proxy.endpoint(), TEST_BUDGET), name)
}

/// Committed, then every answer lost (the SDK's resends' too): the request
/// answers "unavailable"; its retry with the same key gets the first
/// success replayed, and the change is applied exactly once. Without a
/// key, a write whose first answer is lost and which the SDK sends again
/// is recognised as committed: the answer is the success, applied once.
pub async fn answer_lost_after_commit<E: Endpoint>(e: &E) {
    let [a, b, _] = e.target().bodies;
    let before = version(e).await;
    let proxy = FaultProxy::start(e.target().db.endpoint()).await;
    let key = [("idempotency-key", "lost-1")];
    proxy.lose_answers(&WRITES, TEST_BUDGET.operation * 2, AnswerLoss::Reset);
    let lost = call_via(e, through(e, &proxy), &key, a).await;
    assert!(proxy.lost() >= 1, "the commit reached DynamoDB");
    assert_eq!(status(&lost), e.target().unavailable, "{}", text(&lost));
    assert_eq!(
        version(e).await,
        before + 1,
        "committed once, SDK resends included"
    );
    proxy.clear();

    let retry = call(e, false, &key, a).await;
    assert_eq!(status(&retry), e.target().success, "{}", text(&retry));
    assert_eq!(header(&retry, REPLAYED), Some("true"), "the retry is a replay");
    assert_eq!(header(&retry, "etag"), Some(tag_of(e, before + 1).as_str()));
    assert_eq!(version(e).await, before + 1, "never executed twice");

    let lost_before = proxy.lost();
    proxy.lose_answers(&WRITES, Duration::ZERO, AnswerLoss::Reset);
    let resent = call_via(e, through(e, &proxy), &[], b).await;
    assert_eq!(proxy.lost(), lost_before + 1, "one answer lost");
    assert_eq!(status(&resent), e.target().success, "{}", text(&resent));
    assert_eq!(header(&resent, "etag"), Some(tag_of(e, before + 2).as_str()));
    assert_eq!(
        version(e).await,
        before + 2,
        "the SDK's resend is not applied again"
    );
}

/// The function killed right after its commit (its future dropped while
/// the commit's answer is on its way): the retry with the same key gets the
/// first success replayed; the change is applied once.
pub async fn killed_after_commit<E: Endpoint>(e: &E) {
    let [a, ..] = e.target().bodies;
    let before = version(e).await;
    let proxy = FaultProxy::start(e.target().db.endpoint()).await;
    let key = [("idempotency-key", "killed-1")];
    proxy.lose_answers(&WRITES, Duration::from_secs(60), AnswerLoss::Unanswered);
    let table = through(e, &proxy);
    let request = Box::pin(call_via(e, table, &key, a));
    let committed = async {
        while proxy.lost() == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    tokio::select! {
        response = request => panic!("answered before being killed: {}", text(&response)),
        () = committed => {}
    }
    proxy.clear();
    assert_eq!(version(e).await, before + 1, "the commit landed");
    let retry = call(e, false, &key, a).await;
    assert_eq!(status(&retry), e.target().success, "{}", text(&retry));
    assert_eq!(header(&retry, REPLAYED), Some("true"));
    assert_eq!(version(e).await, before + 1, "never executed twice");
}

/// Generates one `#[tokio::test]` per check for an endpoint: `$fixture`
/// is an async expression giving an [`Endpoint`]; the codes are the
/// endpoint's for 412, a malformed header (400) and a reused key (422).
#[macro_export]
macro_rules! safe_edit_tests {
    ($fixture:expr, precondition = $pre:expr, header = $hdr:expr, reused = $reused:expr) => {
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
            $crate::safe_edits::concurrent_duplicates(&$fixture).await;
        }

        #[tokio::test]
        async fn credentials_and_preconditions() {
            $crate::safe_edits::credentials_and_preconditions(&$fixture, $pre).await;
        }

        #[tokio::test]
        async fn answer_lost_after_commit() {
            $crate::safe_edits::answer_lost_after_commit(&$fixture).await;
        }

        #[tokio::test]
        async fn killed_after_commit() {
            $crate::safe_edits::killed_after_commit(&$fixture).await;
        }
    };
}
