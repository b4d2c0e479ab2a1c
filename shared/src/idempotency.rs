//! Safe retries (IETF draft-ietf-httpapi-idempotency-key-header): a
//! request carrying `Idempotency-Key` is executed at most once per
//! credential and key within [`RETENTION`].
//!
//! How, in the endpoint's own table (every function already writes it):
//!
//! 1. [`Claim::from_request`] reads the key (1-255 printable ASCII, bare or
//!    as a structured-field string `"..."`; anything else is 400) and
//!    derives the record's key from the credential headers and the key
//!    (`IDEMPOTENCY#<sha256>`: another credential's same key is another
//!    record, and neither the key nor the credential is stored), and the
//!    request's fingerprint (SHA-256 of method, path and body bytes).
//! 2. Nothing is written while the request authenticates, parses and
//!    validates: a request refused before its write leaves no record, so a
//!    corrected retry with the same key works. Just before the first write,
//!    the driver calls [`before_write`], which takes an in-progress lock:
//!    one conditional UpdateItem, `ReturnValuesOnConditionCheckFailure =
//!    ALL_OLD`, so a held key answers from the record it returns with no
//!    second read: same fingerprint and done: the first response is replayed
//!    (with `Idempotent-Replayed: true`); same fingerprint, still running:
//!    409; another fingerprint: 422.
//! 3. The lock expires at the invocation's deadline: a function killed
//!    mid-request blocks the key until then, not for 24 hours.
//! 4. After the response is rendered, [`finish`] stores a 2xx (status,
//!    headers including `ETag`, body) for [`RETENTION`], or deletes the lock
//!    for any other answer (an error wrote nothing the client must not
//!    repeat). The record's `ttl` attribute (epoch seconds, declared as the
//!    table's TTL in template.yaml) lets DynamoDB delete it afterwards;
//!    until it does, the lock's condition treats an expired record as free.
//!
//! Limits, chosen and documented: a response body over
//! [`MAX_STORED_BODY_BYTES`] (contract 001 with very many prospects) is
//! not kept, and the key is released, so a retry executes again; if
//! storing the response fails (DynamoDB down after the write), the lock
//! stays until the deadline and a later retry executes again. Executing
//! again merges the same values once more: the stored fields end the same,
//! with a new `version` and update timestamp (and, for a v1 email change, a
//! new verification code, counted in that account's budget).

use crate::scope;
use crate::store::{Cond, Item, Key, StoreError, Table, Update};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use lambda_http::{Body, Request, Response, http::HeaderValue};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The response header marking a replayed response (`true`).
pub const REPLAYED: &str = "idempotent-replayed";

/// How long a completed request's response is kept for replay.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 255;

/// The largest response body kept for replay (DynamoDB items are at most
/// 400 KB, and the record holds headers too).
pub const MAX_STORED_BODY_BYTES: usize = 300 * 1024;

/// The headers whose values identify the caller's credential (whichever
/// the endpoint reads); the record key is derived from them.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "x-api-key", "x-auth-token"];

/// The record's sort key.
const RECORD_SK: &str = "IDEMPOTENCY";

/// The record's TTL attribute, declared in template.yaml.
pub const TTL_ATTRIBUTE: &str = "ttl";

mod attrs {
    pub const STATE: &str = "state";
    pub const FINGERPRINT: &str = "fingerprint";
    pub const TOKEN: &str = "token";
    pub const LOCK_UNTIL: &str = "lock_until";
    pub const STATUS: &str = "status";
    pub const HEADERS: &str = "headers";
    pub const BODY: &str = "body";
    pub const IN_PROGRESS: &str = "in_progress";
    pub const DONE: &str = "done";
}

/// A malformed `Idempotency-Key` (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be one header of 1-255 printable ASCII characters")]
pub struct MalformedKey;

/// Why a request with a key is not executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The first request with this key is still running (409).
    InProgress,
    /// The key was used for a request with another body or path (422).
    KeyReused,
    /// The first request completed: its response is replayed.
    Replayed,
}

/// Where a request stands with its idempotency key.
#[derive(Debug, Default)]
pub enum Claim {
    /// No key.
    #[default]
    None,
    /// A key, not yet locked (nothing written so far).
    Pending(Pending),
    /// Locked by this request; its response is still to be stored.
    Held(Held),
    /// The first request's response, to send again.
    Replay(Response<Body>),
}

/// A key not yet locked.
#[derive(Debug)]
pub struct Pending {
    record: Key,
    fingerprint: String,
    lock_until: SystemTime,
}

/// A lock this request holds.
#[derive(Debug)]
pub struct Held {
    record: Key,
    token: String,
}

impl Claim {
    /// The request's claim: [`Claim::None`] without the header, else
    /// [`Claim::Pending`] with a lock that lasts `time_left` (the
    /// invocation's remaining time).
    pub fn from_request(req: &Request, time_left: Duration) -> Result<Self, MalformedKey> {
        let mut values = req.headers().get_all(IDEMPOTENCY_KEY).iter();
        let Some(value) = values.next() else {
            return Ok(Claim::None);
        };
        if values.next().is_some() {
            return Err(MalformedKey);
        }
        let key = parse_key(value.to_str().map_err(|_| MalformedKey)?)?;
        let mut credential = Sha256::new();
        for name in CREDENTIAL_HEADERS {
            for value in req.headers().get_all(name) {
                credential.update(name.as_bytes());
                credential.update([0]);
                credential.update(value.as_bytes());
                credential.update([0]);
            }
        }
        let mut record = Sha256::new();
        record.update(b"idempotency\0");
        record.update(credential.finalize());
        record.update(key.as_bytes());
        let mut fingerprint = Sha256::new();
        fingerprint.update(req.method().as_str().as_bytes());
        fingerprint.update([0]);
        fingerprint.update(req.uri().path().as_bytes());
        fingerprint.update([0]);
        fingerprint.update(req.body().as_ref());
        Ok(Claim::Pending(Pending {
            record: Key::new(
                format!("IDEMPOTENCY#{}", hex::encode(record.finalize())),
                RECORD_SK,
            ),
            fingerprint: hex::encode(fingerprint.finalize()),
            lock_until: SystemTime::now() + time_left,
        }))
    }
}

/// The key itself: a bare token or an sf-string, 1-255 characters of
/// printable ASCII (space to `~`).
fn parse_key(value: &str) -> Result<&str, MalformedKey> {
    let key = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let printable = key.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if key.is_empty() || key.len() > MAX_KEY_LENGTH || !printable || key.contains('"') {
        return Err(MalformedKey);
    }
    Ok(key)
}

fn epoch_millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn number(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn expires_at(now: SystemTime) -> AttributeValue {
    number((epoch_millis(now + RETENTION) / 1000).to_string())
}

/// Takes the request's lock before its first write (a no-op without a
/// pending key, or outside a request scope): see the module docs.
pub async fn before_write(table: &Table) -> Result<(), StoreErrorOr> {
    let Some(Claim::Pending(pending)) = scope::with_claim(|claim| match claim {
        Claim::Pending(_) => Some(std::mem::take(claim)),
        _ => None,
    })
    .flatten() else {
        return Ok(());
    };
    let now = SystemTime::now();
    let token = uuid::Uuid::new_v4().to_string();
    let mut lock = Update::new();
    lock.set(&[attrs::STATE], AttributeValue::S(attrs::IN_PROGRESS.to_owned()))
        .set(
            &[attrs::FINGERPRINT],
            AttributeValue::S(pending.fingerprint.clone()),
        )
        .set(&[attrs::TOKEN], AttributeValue::S(token.clone()))
        .set(&[attrs::LOCK_UNTIL], number(epoch_millis(pending.lock_until)))
        .set(&[TTL_ATTRIBUTE], expires_at(now))
        .remove(&[attrs::STATUS])
        .remove(&[attrs::HEADERS])
        .remove(&[attrs::BODY])
        .require(
            Cond::not_exists(crate::store::PK)
                .or(Cond::Lt(
                    vec![TTL_ATTRIBUTE.to_owned()],
                    number(epoch_millis(now) / 1000),
                ))
                .or(Cond::And(vec![
                    Cond::eq_str(attrs::STATE, attrs::IN_PROGRESS),
                    Cond::Lt(vec![attrs::LOCK_UNTIL.to_owned()], number(epoch_millis(now))),
                ])),
        );
    match table.update(&pending.record, lock, ReturnValue::None).await {
        Ok(_) => {
            scope::with_claim(|claim| {
                *claim = Claim::Held(Held {
                    record: pending.record,
                    token,
                })
            });
            Ok(())
        }
        Err(StoreError::ConditionFailed { item: Some(record) }) => {
            let refusal = held_by_another(&record, &pending.fingerprint);
            if refusal == Refusal::Replayed {
                let response = stored_response(&record).ok_or_else(|| {
                    StoreErrorOr::Store(StoreError::Failed("an idempotency record is unreadable".into()))
                })?;
                scope::with_claim(|claim| *claim = Claim::Replay(response));
            }
            Err(StoreErrorOr::Refused(refusal))
        }
        // Held a moment ago and gone now (released or expired): the
        // holder was running; the client retries.
        Err(StoreError::ConditionFailed { item: None }) => Err(StoreErrorOr::Refused(Refusal::InProgress)),
        Err(e) => Err(StoreErrorOr::Store(e)),
    }
}

/// Why [`before_write`] stopped the write.
#[derive(Debug)]
pub enum StoreErrorOr {
    /// The key is held or used: see [`Refusal`].
    Refused(Refusal),
    /// DynamoDB failed.
    Store(StoreError),
}

fn held_by_another(record: &Item, fingerprint: &str) -> Refusal {
    let text = |name| crate::store::attr::text(record, name);
    if text(attrs::FINGERPRINT) != Some(fingerprint) {
        Refusal::KeyReused
    } else if text(attrs::STATE) == Some(attrs::DONE) {
        Refusal::Replayed
    } else {
        Refusal::InProgress
    }
}

/// Stores the response of the request that holds `held` (a 2xx whose body
/// fits), or releases the key (anything else). Failures are logged: the
/// response stands either way.
pub async fn finish(table: &Table, held: Held, response: &Response<Body>) {
    let body_len = match response.body() {
        Body::Empty => 0,
        Body::Text(text) => text.len(),
        Body::Binary(bytes) => bytes.len(),
        _ => usize::MAX,
    };
    let owned = Cond::eq_str(attrs::TOKEN, &held.token);
    let outcome = if response.status().is_success() && body_len <= MAX_STORED_BODY_BYTES {
        let mut store = Update::new();
        store
            .set(&[attrs::STATE], AttributeValue::S(attrs::DONE.to_owned()))
            .set(&[attrs::STATUS], number(response.status().as_u16()))
            .set(&[attrs::HEADERS], AttributeValue::M(stored_headers(response)))
            .set(&[TTL_ATTRIBUTE], expires_at(SystemTime::now()))
            .remove(&[attrs::LOCK_UNTIL])
            .require(owned);
        match response.body() {
            Body::Text(text) => store.set(&[attrs::BODY], AttributeValue::S(text.clone())),
            Body::Binary(bytes) => store.set(&[attrs::BODY], AttributeValue::B(bytes.clone().into())),
            _ => &mut store,
        };
        table
            .update(&held.record, store, ReturnValue::None)
            .await
            .map(drop)
    } else {
        if response.status().is_success() {
            tracing::info!(
                body_len,
                "response too large to keep for replay; idempotency key released"
            );
        }
        table.delete(&held.record, Some(owned)).await
    };
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "idempotency record not finished; the key stays locked until the deadline");
    }
}

/// Every response header but `x-request-id` (a replay gets its own).
fn stored_headers(response: &Response<Body>) -> HashMap<String, AttributeValue> {
    let mut headers: HashMap<String, Vec<AttributeValue>> = HashMap::new();
    for (name, value) in response.headers() {
        if name == "x-request-id" {
            continue;
        }
        if let Ok(value) = value.to_str() {
            headers
                .entry(name.as_str().to_owned())
                .or_default()
                .push(AttributeValue::S(value.to_owned()));
        }
    }
    headers
        .into_iter()
        .map(|(name, values)| (name, AttributeValue::L(values)))
        .collect()
}

/// The response a done record holds, marked as a replay.
fn stored_response(record: &Item) -> Option<Response<Body>> {
    let status = match record.get(attrs::STATUS)? {
        AttributeValue::N(n) => n.parse::<u16>().ok()?,
        _ => return None,
    };
    let body = match record.get(attrs::BODY) {
        Some(AttributeValue::S(text)) => Body::Text(text.clone()),
        Some(AttributeValue::B(bytes)) => Body::Binary(bytes.clone().into_inner()),
        _ => Body::Empty,
    };
    let mut response = Response::new(body);
    *response.status_mut() = lambda_http::http::StatusCode::from_u16(status).ok()?;
    if let Some(AttributeValue::M(headers)) = record.get(attrs::HEADERS) {
        for (name, values) in headers {
            let Ok(name) = lambda_http::http::HeaderName::from_bytes(name.as_bytes()) else {
                continue;
            };
            for value in values.as_l().map(Vec::as_slice).unwrap_or_default() {
                if let Some(value) = value.as_s().ok().and_then(|v| HeaderValue::from_str(v).ok()) {
                    response.headers_mut().append(name.clone(), value);
                }
            }
        }
    }
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)], body: &str) -> Request {
        let mut req = lambda_http::http::Request::builder()
            .method("PATCH")
            .uri("/v2/accounts/acc_1");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.body(Body::Text(body.to_owned())).unwrap()
    }

    fn pending(req: &Request) -> Pending {
        match Claim::from_request(req, Duration::from_secs(5)) {
            Ok(Claim::Pending(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_are_printable_ascii_up_to_255_bare_or_quoted() {
        assert_eq!(parse_key("abc-123"), Ok("abc-123"));
        assert_eq!(parse_key("\"8e03978e-40d5\""), Ok("8e03978e-40d5"));
        assert_eq!(parse_key(&"k".repeat(255)).map(str::len), Ok(255));
        for bad in ["", "\"\"", "tab\there", "é", "a\"b"] {
            assert_eq!(parse_key(bad), Err(MalformedKey), "{bad:?}");
        }
        assert_eq!(parse_key(&"k".repeat(256)), Err(MalformedKey));
        let twice = {
            let mut req = request(&[("idempotency-key", "a")], "{}");
            req.headers_mut()
                .append("idempotency-key", HeaderValue::from_static("b"));
            req
        };
        assert!(Claim::from_request(&twice, Duration::ZERO).is_err());
        assert!(matches!(
            Claim::from_request(&request(&[], "{}"), Duration::ZERO),
            Ok(Claim::None)
        ));
    }

    #[test]
    fn records_are_per_credential_and_fingerprints_per_request() {
        let a = pending(&request(
            &[("idempotency-key", "k"), ("x-auth-token", "one")],
            "{}",
        ));
        let b = pending(&request(
            &[("idempotency-key", "k"), ("x-auth-token", "two")],
            "{}",
        ));
        let c = pending(&request(
            &[("idempotency-key", "k"), ("x-auth-token", "one")],
            "{\"a\":1}",
        ));
        assert_ne!(a.record, b.record, "another credential, another record");
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.record, c.record);
        assert_ne!(a.fingerprint, c.fingerprint, "another body, another fingerprint");
        let pk = a.record.to_item()["pk"].as_s().unwrap().clone();
        assert!(!pk.contains("one") && pk.starts_with("IDEMPOTENCY#"), "{pk}");
    }

    #[test]
    fn a_record_says_who_holds_the_key() {
        let mut record = Item::new();
        record.insert(attrs::FINGERPRINT.into(), AttributeValue::S("f".into()));
        record.insert(attrs::STATE.into(), AttributeValue::S(attrs::IN_PROGRESS.into()));
        assert_eq!(held_by_another(&record, "f"), Refusal::InProgress);
        assert_eq!(held_by_another(&record, "g"), Refusal::KeyReused);
        record.insert(attrs::STATE.into(), AttributeValue::S(attrs::DONE.into()));
        assert_eq!(held_by_another(&record, "f"), Refusal::Replayed);
    }

    #[test]
    fn a_stored_response_is_replayed_with_its_headers() {
        let mut original = Response::new(Body::Text("{\"id\":1}".into()));
        *original.status_mut() = lambda_http::http::StatusCode::OK;
        original
            .headers_mut()
            .insert("etag", HeaderValue::from_static("\"v2\""));
        original
            .headers_mut()
            .insert("x-request-id", HeaderValue::from_static("r1"));
        let mut record = Item::new();
        record.insert(attrs::STATUS.into(), number(200));
        record.insert(
            attrs::HEADERS.into(),
            AttributeValue::M(stored_headers(&original)),
        );
        record.insert(attrs::BODY.into(), AttributeValue::S("{\"id\":1}".into()));
        let replay = stored_response(&record).unwrap();
        assert_eq!(replay.status(), 200);
        assert_eq!(replay.headers()["etag"], "\"v2\"");
        assert_eq!(replay.headers()[REPLAYED], "true");
        assert!(replay.headers().get("x-request-id").is_none());
        assert!(matches!(replay.body(), Body::Text(t) if t == "{\"id\":1}"));
    }
}
