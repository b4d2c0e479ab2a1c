//! Conditional requests (RFC 9110 §13: ETag, If-Match, If-None-Match)
//! and safe retries (Idempotency-Key), written once and run by every
//! endpoint against the embedded DynamoDB through the endpoint's real
//! handler, with the fault proxy where a commit's answer must be lost.
//!
//! An endpoint implements [`Endpoint`] beside [`Tested`] (whose route and
//! credential the checks use): a second credential, where the item it
//! writes lives, the field the checks edit and a value of it its
//! validation refuses, its refusals' codes; and runs every check with
//! [`endpoint_suite!`](crate::endpoint_suite) (suite `safe_edits`), each
//! on a fresh fixture. Each check asserts
//! status, headers, body and what is stored: the subject's `version`, and
//! the idempotency records.

use super::Tested;
use crate::TestDb;
use crate::events::header;
use crate::fault_proxy::{AnswerLoss, FaultProxy, TEST_BUDGET};
use lambda_http::{Body, Response};
use serde_json::Value;
use shared::http::precondition::{etag, weak_etag};
use shared::idempotency::{REPLAYED, RETENTION};
use shared::store::{Item, Key, Table};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the checks need to know of an endpoint beside [`Tested`]: they
/// send to its [`Tested::ROUTE`] as its [`Tested::CALLER`] (or as a second
/// credential of the same principal, [`OTHER_SECRET`]), edit one field,
/// and read the version of its [`Tested::subject`].
pub trait Endpoint: Tested {
    /// Whether the endpoint's ETags are weak (its body shows data the
    /// version does not cover).
    const WEAK: bool = false;
    /// The field the checks edit: two valid bodies set it to [`RENAMES`].
    const FIELD: &'static str;
    /// A JSON value of [`Endpoint::FIELD`] that the endpoint's validation
    /// refuses (400).
    const INVALID: &'static str;
}

/// The secret of the second credential the checks store for the
/// principal of [`Tested::CALLER`] ([`crate::Harness::share_credential`]).
pub const OTHER_SECRET: &str = "safe-edits-second-credential-0123456789";

/// The two values the valid bodies give [`Endpoint::FIELD`].
pub const RENAMES: [&str; 2] = ["Acme A", "Acme B"];

/// The checks' bodies: [`Endpoint::FIELD`] set to each of [`RENAMES`],
/// then to [`Endpoint::INVALID`].
fn bodies<E: Endpoint>() -> [String; 3] {
    let [a, b] = RENAMES.map(|name| serde_json::json!({ E::FIELD: name }).to_string());
    [a, b, format!("{{{}: {}}}", Value::from(E::FIELD), E::INVALID)]
}

/// What the checks use of an endpoint, gathered.
struct Target<'a> {
    db: &'a TestDb,
    table: &'static str,
    subject: Key,
    success: u16,
    unavailable: u16,
    weak: bool,
    bodies: [String; 3],
}

fn target<E: Endpoint>(e: &E) -> Target<'_> {
    Target {
        db: &e.db,
        table: <E::Api as shared::endpoint::Endpoint>::TABLE,
        subject: E::subject(),
        success: E::SUCCESS,
        unavailable: E::UNAVAILABLE.0,
        weak: E::WEAK,
        bodies: bodies::<E>(),
    }
}

/// A fresh fixture of `E`, with the second credential [`OTHER_SECRET`].
async fn fixture<E: Endpoint>() -> E {
    let e = E::start().await;
    e.share_credential(E::CALLER.secret(), OTHER_SECRET).await;
    e
}

/// Sends `body` with `headers` as `E`'s caller ([`Tested::CALLER`], or
/// with `other` its second credential [`OTHER_SECRET`]),
/// with `Content-Type: application/json`, to the endpoint's handler whose
/// state holds `table`.
async fn send_via<E: Endpoint>(
    table: Table,
    other: bool,
    headers: &[(&str, &str)],
    body: &str,
) -> Response<Body> {
    let super::Route { path, params } = E::ROUTE;
    let method = <E::Api as shared::endpoint::Endpoint>::METHOD;
    let caller = if other {
        E::CALLER.with_secret(OTHER_SECRET)
    } else {
        E::CALLER
    };
    let (name, value) = caller.header();
    let mut all = vec![("content-type", "application/json"), (name, value.as_str())];
    all.extend_from_slice(headers);
    let req = crate::events::api_request(method.as_str(), path, params, &all, Some(body.as_bytes()));
    super::send::<E>(table, req).await
}

/// Sends through `e`, with the handler's future on the heap: a handler's
/// future is large in debug builds, and a check holds one at a time.
async fn call<E: Endpoint>(e: &E, other: bool, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    let t = target(e);
    Box::pin(send_via::<E>(t.db.table(t.table), other, headers, body)).await
}

/// [`call`] through `table`, as the first credential.
async fn call_via<E: Endpoint>(table: Table, headers: &[(&str, &str)], body: &str) -> Response<Body> {
    Box::pin(send_via::<E>(table, false, headers, body)).await
}

async fn version<E: Endpoint>(e: &E) -> u64 {
    let t = target(e);
    let item = t.db.get(t.table, &t.subject).await.expect("the subject exists");
    item.get("version")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .expect("the subject has a version")
}

async fn records<E: Endpoint>(e: &E) -> Vec<Item> {
    let t = target(e);
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
    let t = target(e);
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

/// `response` is the endpoint's error `code` with status `want`
/// ([`Tested::assert_error`]), and has no ETag.
fn assert_error<E: Endpoint>(what: &str, response: &Response<Body>, want: u16, code: &str) {
    assert_eq!(status(response), want, "{what}: {}", text(response));
    E::assert_error(response, want, code);
    assert!(header(response, "etag").is_none(), "{what}: an error has no ETag");
}

/// The ETag of `version` as the endpoint sends it (weak or strong).
fn tag_of<E: Endpoint>(version: u64) -> String {
    if E::WEAK {
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
pub async fn etag_and_if_match<E: Endpoint>() {
    let e = &fixture::<E>().await;
    let (precondition_code, header_code) = (E::CODES.precondition, E::CODES.header);
    let [a, b, _] = &target(e).bodies;
    let weak = target(e).weak;
    let first = call(e, false, &[], a).await;
    assert_eq!(status(&first), target(e).success, "{}", text(&first));
    let mut v = version(e).await;
    assert_eq!(
        header(&first, "etag"),
        Some(tag_of::<E>(v).as_str()),
        "ETag of the stored version"
    );

    if !weak {
        let list = format!("\"v999999\", {}", etag(v));
        let ok = call(e, false, &[("if-match", &list)], b).await;
        assert_eq!(status(&ok), target(e).success, "{}", text(&ok));
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
        assert_error::<E>(&format!("{name}: {value}"), &refused, 412, precondition_code);
    }
    for name in ["if-match", "if-none-match"] {
        let malformed = call(e, false, &[(name, "v1")], a).await;
        assert_error::<E>(&format!("malformed {name}"), &malformed, 400, header_code);
    }
    assert_eq!(snapshot(e).await, before, "412 and 400 write nothing");

    let any = call(e, false, &[("if-match", "*")], a).await;
    assert_eq!(status(&any), target(e).success, "{}", text(&any));
    v += 1;
    assert_eq!(version(e).await, v);
    let other = call(e, false, &[("if-none-match", "\"v999999\"")], b).await;
    assert_eq!(status(&other), target(e).success, "{}", text(&other));
    v += 1;
    assert_eq!(header(&other, "etag"), Some(tag_of::<E>(v).as_str()));
    if !weak {
        let fresh = call(e, false, &[("if-match", &etag(v))], a).await;
        assert_eq!(status(&fresh), target(e).success, "{}", text(&fresh));
        assert_eq!(header(&fresh, "etag"), Some(etag(v + 1).as_str()));
    }
}

/// A retry with the same key and body replays the first response (status,
/// body, ETag; marked `Idempotent-Replayed`) and writes nothing; the
/// record expires 24 h after the request; another body under the same key
/// is 422; a malformed key is 400; a request refused by validation leaves
/// no record, so a corrected retry with the same key executes.
pub async fn idempotent_retries<E: Endpoint>() {
    let e = &fixture::<E>().await;
    let (reused_code, header_code) = (E::CODES.reused, E::CODES.header);
    let [a, b, invalid] = &target(e).bodies;
    let key = [("idempotency-key", "retry-1")];
    let first = call(e, false, &key, a).await;
    assert_eq!(status(&first), target(e).success, "{}", text(&first));
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
    assert_error::<E>("same key, other body", &other_body, 422, reused_code);
    for bad in ["", "é", &"k".repeat(256)] {
        let malformed = call(e, false, &[("idempotency-key", bad)], a).await;
        assert_error::<E>(&format!("key {bad:?}"), &malformed, 400, header_code);
    }
    assert_eq!(snapshot(e).await, before, "422 and 400 write nothing");

    let fix = [("idempotency-key", "fix-1")];
    let refused = call(e, false, &fix, invalid).await;
    assert_eq!(status(&refused), 400, "{}", text(&refused));
    assert_eq!(records(e).await.len(), 1, "a refused request leaves no record");
    let corrected = call(e, false, &fix, b).await;
    assert_eq!(status(&corrected), target(e).success, "{}", text(&corrected));
    assert!(
        header(&corrected, REPLAYED).is_none(),
        "the corrected retry executes"
    );
    assert_eq!(version(e).await, after_first + 1);
}

/// 20 concurrent requests with one key and body: exactly one write; every
/// other answer is the replay of its response.
pub async fn concurrent_duplicates<E: Endpoint>() {
    let e = &fixture::<E>().await;
    let [a, ..] = &target(e).bodies;
    let before = version(e).await;
    let key = [("idempotency-key", "burst-1")];
    let responses = futures::future::join_all((0..20).map(|_| call(e, false, &key, a))).await;
    assert_eq!(version(e).await, before + 1, "exactly one write");
    let executed: Vec<_> = responses
        .iter()
        .filter(|r| status(r) == target(e).success && header(r, REPLAYED).is_none())
        .collect();
    assert_eq!(executed.len(), 1, "one request executed");
    for response in &responses {
        assert_eq!(status(response), target(e).success, "{}", text(response));
        assert_eq!(header(response, "etag"), Some(tag_of::<E>(before + 1).as_str()));
        assert_eq!(text(response), text(executed[0]));
    }
    assert_eq!(records(e).await.len(), 1, "one record");
}

/// Another credential's request with the same key is its own (never the
/// first one's replay). A stale If-Match with a key is 412 and leaves no
/// record, so the corrected retry with that key executes.
pub async fn credentials_and_preconditions<E: Endpoint>() {
    let e = &fixture::<E>().await;
    let precondition_code = E::CODES.precondition;
    let [a, b, _] = &target(e).bodies;
    let key = [("idempotency-key", "cred-1")];
    let first = call(e, false, &key, a).await;
    assert_eq!(status(&first), target(e).success, "{}", text(&first));
    let v = version(e).await;
    let other = call(e, true, &key, a).await;
    assert_eq!(status(&other), target(e).success, "{}", text(&other));
    assert!(header(&other, REPLAYED).is_none(), "no replay across credentials");
    assert_eq!(version(e).await, v + 1);
    assert_eq!(records(e).await.len(), 2);

    let stale = etag(v);
    let guarded = [("idempotency-key", "guarded-1"), ("if-match", stale.as_str())];
    let refused = call(e, false, &guarded, b).await;
    assert_error::<E>("stale If-Match with a key", &refused, 412, precondition_code);
    assert_eq!(records(e).await.len(), 2, "a 412 leaves no record");
    let fixed = call(
        e,
        false,
        &[("idempotency-key", "guarded-1"), ("if-match", "*")],
        b,
    )
    .await;
    assert_eq!(status(&fixed), target(e).success, "{}", text(&fixed));
    assert!(header(&fixed, REPLAYED).is_none());
    assert_eq!(version(e).await, v + 2);
}

/// The operations that commit writes.
const WRITES: [&str; 2] = ["UpdateItem", "TransactWriteItems"];

/// A table of the endpoint reached through `proxy`, with the tests' short
/// time budget.
fn through<E: Endpoint>(e: &E, proxy: &FaultProxy) -> Table {
    let t = target(e);
    let name = t.db.table(t.table).name().to_owned();
    Table::new(crate::local_client_with(proxy.endpoint(), TEST_BUDGET), name)
}

/// Committed, then every answer lost (the SDK's resends' too): the request
/// answers "unavailable"; its retry with the same key gets the first
/// success replayed, and the change is applied exactly once. Without a
/// key, a write whose first answer is lost and which the SDK sends again
/// is recognised as committed: the answer is the success, applied once.
pub async fn answer_lost_after_commit<E: Endpoint>() {
    let e = &fixture::<E>().await;
    let [a, b, _] = &target(e).bodies;
    let before = version(e).await;
    let proxy = FaultProxy::start(target(e).db.endpoint()).await;
    let key = [("idempotency-key", "lost-1")];
    proxy.lose_answers(&WRITES, TEST_BUDGET.operation * 2, AnswerLoss::Reset);
    let lost = call_via::<E>(through(e, &proxy), &key, a).await;
    assert!(proxy.lost() >= 1, "the commit reached DynamoDB");
    assert_eq!(status(&lost), target(e).unavailable, "{}", text(&lost));
    assert_eq!(
        version(e).await,
        before + 1,
        "committed once, SDK resends included"
    );
    proxy.clear();

    let retry = call(e, false, &key, a).await;
    assert_eq!(status(&retry), target(e).success, "{}", text(&retry));
    assert_eq!(header(&retry, REPLAYED), Some("true"), "the retry is a replay");
    assert_eq!(header(&retry, "etag"), Some(tag_of::<E>(before + 1).as_str()));
    assert_eq!(version(e).await, before + 1, "never executed twice");

    let lost_before = proxy.lost();
    proxy.lose_answers(&WRITES, Duration::ZERO, AnswerLoss::Reset);
    let resent = call_via::<E>(through(e, &proxy), &[], b).await;
    assert_eq!(proxy.lost(), lost_before + 1, "one answer lost");
    assert_eq!(status(&resent), target(e).success, "{}", text(&resent));
    assert_eq!(header(&resent, "etag"), Some(tag_of::<E>(before + 2).as_str()));
    assert_eq!(
        version(e).await,
        before + 2,
        "the SDK's resend is not applied again"
    );
}

/// The function killed right after its commit (its future dropped while
/// the commit's answer is on its way): the retry with the same key gets the
/// first success replayed; the change is applied once.
pub async fn killed_after_commit<E: Endpoint>() {
    let e = &fixture::<E>().await;
    let [a, ..] = &target(e).bodies;
    let before = version(e).await;
    let proxy = FaultProxy::start(target(e).db.endpoint()).await;
    let key = [("idempotency-key", "killed-1")];
    proxy.lose_answers(&WRITES, Duration::from_secs(60), AnswerLoss::Unanswered);
    let table = through(e, &proxy);
    let request = Box::pin(call_via::<E>(table, &key, a));
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
    assert_eq!(status(&retry), target(e).success, "{}", text(&retry));
    assert_eq!(header(&retry, REPLAYED), Some("true"));
    assert_eq!(version(e).await, before + 1, "never executed twice");
}
