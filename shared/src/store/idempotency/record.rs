//! The record a committed request leaves under its key: written in the
//! same transaction as its change, read by every retry.

use super::{Claim, MAX_STORED_BODY_BYTES, REPLAYED, RETENTION, Refusal, TTL_ATTRIBUTE};
use crate::store::{Cond, Item, PK, attr::text};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response, http::HeaderValue};
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

mod attrs {
    pub const FINGERPRINT: &str = "fingerprint";
    pub const TOKEN: &str = "token";
    pub const STATUS: &str = "status";
    pub const HEADERS: &str = "headers";
    pub const BODY: &str = "body";
    /// The length of a body too large to keep (instead of [`BODY`]).
    pub const BODY_NOT_KEPT: &str = "body_not_kept";
}

/// What a live record says to a request with the same key.
#[derive(Debug)]
pub enum Found {
    /// The record is this very request's (a commit retried by the SDK
    /// after its answer was lost found it): the change is committed, and
    /// the request's own answer stands.
    Ours,
    /// Another request with this fingerprint committed: its answer, marked
    /// `Idempotent-Replayed: true`.
    Replay(Response<Body>),
    /// The key cannot answer this request (422, or 409 when the first
    /// answer was not kept).
    Refused(Refusal),
}

/// A response too large to keep (its body length), recorded without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotKept(pub usize);

fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Claim {
    /// What `record` (read under this claim's key) says to this request:
    /// `None` when it has expired (DynamoDB's TTL deletes records late).
    pub fn found(&self, record: &Item, now: SystemTime) -> Option<Found> {
        let expires = record
            .get(TTL_ATTRIBUTE)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
        if expires < epoch_seconds(now) {
            return None;
        }
        if text(record, attrs::TOKEN) == Some(self.token.as_str()) {
            return Some(Found::Ours);
        }
        if text(record, attrs::FINGERPRINT) != Some(self.fingerprint.as_str()) {
            return Some(Found::Refused(Refusal::KeyReused));
        }
        Some(match stored_response(record) {
            Some(response) => Found::Replay(response),
            None => Found::Refused(Refusal::NotKept),
        })
    }

    /// The condition under which this claim's record may be written: no
    /// record, or an expired one.
    pub fn free(&self, now: SystemTime) -> Cond {
        Cond::not_exists(PK).or(Cond::Lt(
            vec![TTL_ATTRIBUTE.to_owned()],
            AttributeValue::N(epoch_seconds(now).to_string()),
        ))
    }
}

/// The record of `claim`'s request answered with `response`, kept for
/// [`RETENTION`] from `now`: status, headers (but `x-request-id`: a replay
/// gets its own) and body, or only the body's length when it is over
/// [`MAX_STORED_BODY_BYTES`] (then also returned as [`NotKept`], for the
/// request's log line).
pub fn record_item(claim: &Claim, response: &Response<Body>, now: SystemTime) -> (Item, Option<NotKept>) {
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let mut item = claim.record.to_item();
    item.insert(attrs::FINGERPRINT.to_owned(), s(&claim.fingerprint));
    item.insert(attrs::TOKEN.to_owned(), s(&claim.token));
    item.insert(
        attrs::STATUS.to_owned(),
        AttributeValue::N(response.status().as_u16().to_string()),
    );
    item.insert(
        attrs::HEADERS.to_owned(),
        AttributeValue::M(stored_headers(response)),
    );
    item.insert(
        TTL_ATTRIBUTE.to_owned(),
        AttributeValue::N(epoch_seconds(now + RETENTION).to_string()),
    );
    let body: &[u8] = response.body().as_ref();
    let not_kept = (body.len() > MAX_STORED_BODY_BYTES).then_some(NotKept(body.len()));
    match (response.body(), not_kept) {
        (_, Some(NotKept(len))) => {
            item.insert(
                attrs::BODY_NOT_KEPT.to_owned(),
                AttributeValue::N(len.to_string()),
            );
        }
        (Body::Empty, None) => {}
        (Body::Text(text), None) => {
            item.insert(attrs::BODY.to_owned(), s(text));
        }
        (_, None) => {
            item.insert(attrs::BODY.to_owned(), AttributeValue::B(body.to_vec().into()));
        }
    }
    (item, not_kept)
}

/// Every response header but `x-request-id`.
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

/// The response a record holds, marked as a replay; `None` when its body
/// was not kept (or the record is unreadable).
pub fn stored_response(record: &Item) -> Option<Response<Body>> {
    if record.contains_key(attrs::BODY_NOT_KEPT) {
        return None;
    }
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
    use super::super::tests::request;
    use super::*;

    fn claim(body: &str) -> Claim {
        Claim::from_request(&request(&[("idempotency-key", "k")], body))
            .unwrap()
            .unwrap()
    }

    fn response(body: &str) -> Response<Body> {
        let mut original = Response::new(Body::Text(body.into()));
        original
            .headers_mut()
            .insert("etag", HeaderValue::from_static("\"v2\""));
        original
            .headers_mut()
            .insert("x-request-id", HeaderValue::from_static("r1"));
        original
    }

    #[test]
    fn a_record_replays_its_response_to_the_same_request_only() {
        let now = SystemTime::now();
        let first = claim("{}");
        let (record, not_kept) = record_item(&first, &response("{\"id\":1}"), now);
        assert_eq!(not_kept, None);
        assert!(matches!(first.found(&record, now), Some(Found::Ours)));
        let Some(Found::Replay(replay)) = claim("{}").found(&record, now) else {
            panic!("a retry gets the first response");
        };
        assert_eq!(replay.status(), 200);
        assert_eq!(replay.headers()["etag"], "\"v2\"");
        assert_eq!(replay.headers()[REPLAYED], "true");
        assert!(replay.headers().get("x-request-id").is_none());
        assert!(matches!(replay.body(), Body::Text(t) if t == "{\"id\":1}"));
        assert!(matches!(
            claim("{\"other\":1}").found(&record, now),
            Some(Found::Refused(Refusal::KeyReused))
        ));
        let later = now + RETENTION + std::time::Duration::from_secs(2);
        assert!(claim("{}").found(&record, later).is_none(), "expired");
    }

    #[test]
    fn a_response_too_large_is_recorded_without_its_body() {
        let now = SystemTime::now();
        let big = "x".repeat(MAX_STORED_BODY_BYTES + 1);
        let (record, not_kept) = record_item(&claim("{}"), &response(&big), now);
        assert_eq!(not_kept, Some(NotKept(big.len())));
        assert!(!record.contains_key(attrs::BODY));
        assert!(matches!(
            claim("{}").found(&record, now),
            Some(Found::Refused(Refusal::NotKept))
        ));
    }
}
