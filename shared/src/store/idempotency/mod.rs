//! Safe retries (IETF draft-ietf-httpapi-idempotency-key-header): a
//! request carrying `Idempotency-Key` takes effect at most once per
//! credential and key within [`RETENTION`], and its retries get its answer.
//!
//! # How
//!
//! The record that makes this true is written *with* the change: the
//! request's write and a Put of its record (holding the whole response)
//! are one TransactWriteItems, so the record exists exactly when the change
//! does. No lock is taken and none can be left behind: a request whose
//! write did not commit leaves nothing, and a retry runs afresh.
//!
//! 1. [`Claim::from_request`] reads the key (1-255 printable ASCII, bare or
//!    as a structured-field string `"..."`; anything else is 400), derives
//!    the record's key from the credential headers and the key
//!    (`IDEMPOTENCY#<sha256>`: another credential's same key is another
//!    record, and neither the key nor the credential is stored), and the
//!    request's [fingerprint].
//! 2. Nothing is written while the request authenticates, parses and
//!    validates: a request refused before its write leaves no record, so a
//!    corrected retry with the same key works.
//! 3. The write driver ([`crate::store::write`]) reads the item and the
//!    record together (TransactGetItems, one serializable snapshot). A live
//!    record with the same fingerprint is the answer: its response is
//!    replayed with `Idempotent-Replayed: true`; another fingerprint is 422.
//!    Otherwise the driver plans the write from the item, conditioned on its
//!    version, and hands back the item the write will leave, without
//!    committing it.
//! 4. The request's answer is rendered from that (contract 001's prospects
//!    query included), then [`crate::endpoint::respond`] commits the write
//!    and the record in one transaction, the record conditioned on being
//!    absent or expired. A cancelled transaction is classified: the record
//!    exists (a concurrent duplicate committed first: replay, or 422), the
//!    item changed (the request runs again from a fresh read), a claim was
//!    taken (the endpoint's own answer).
//! 5. Whatever happens after the commit (the answer lost, the deadline, the
//!    function killed), a retry finds the record in step 3 and gets the
//!    first answer.
//!
//! An answer that says the service is unavailable (5xx, or the contract's
//! 429) is never committed: the write is dropped with it, and a retry runs
//! again. Every other answer of a request that reached its write is
//! committed with the write and replayed, errors included (a wrong
//! confirmation code is counted once and answered 400 again).
//!
//! # Limits
//!
//! - Keys: at most [`MAX_KEY_LENGTH`] characters.
//! - Records live [`RETENTION`] (24 h) after the commit: DynamoDB's TTL
//!   (attribute [`TTL_ATTRIBUTE`]) deletes them later; an expired record is
//!   treated as absent.
//! - A response body over [`MAX_STORED_BODY_BYTES`] is not kept: the record
//!   is still written with the change (so the change is never applied
//!   twice), and a retry is answered 409 `idempotency_response_not_kept`.

mod fingerprint;
mod record;

pub use fingerprint::fingerprint;
pub use record::{Found, NotKept, record_item, stored_response};

use crate::store::Key;
use lambda_http::Request;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The response header marking a replayed response (`true`).
pub const REPLAYED: &str = "idempotent-replayed";

/// How long a committed request's response is kept for replay.
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

/// A malformed `Idempotency-Key` (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be one header of 1-255 printable ASCII characters")]
pub struct MalformedKey;

/// Why a request with a key is not executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The key was used for a request with another fingerprint (422).
    KeyReused,
    /// A request with this key committed, and its response was too large
    /// to keep (409).
    NotKept,
    /// A request with this key committed: its response is replayed.
    Replayed,
}

/// A request's idempotency key, as the record it is kept under.
#[derive(Debug, Clone)]
pub struct Claim {
    record: Key,
    fingerprint: String,
    /// Tells this request's own record from another's (a write retried by
    /// the SDK after its answer was lost finds its own record).
    token: String,
}

impl Claim {
    /// The request's claim: `None` without the header.
    pub fn from_request(req: &Request) -> Result<Option<Self>, MalformedKey> {
        let mut values = req.headers().get_all(IDEMPOTENCY_KEY).iter();
        let Some(value) = values.next() else {
            return Ok(None);
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
        Ok(Some(Claim {
            record: Key::new(
                format!("IDEMPOTENCY#{}", hex::encode(record.finalize())),
                RECORD_SK,
            ),
            fingerprint: fingerprint(req),
            token: uuid::Uuid::new_v4().to_string(),
        }))
    }

    /// The key of the record this request's answer is kept under.
    pub fn record_key(&self) -> &Key {
        &self.record
    }

    /// This request's own token (on its record and its staged write).
    pub(crate) fn token(&self) -> &str {
        &self.token
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

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::{Body, http::HeaderValue};

    pub(super) fn request(headers: &[(&str, &str)], body: &str) -> Request {
        let mut req = lambda_http::http::Request::builder()
            .method("PATCH")
            .uri("/v2/accounts/acc_1");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.body(Body::Text(body.to_owned())).unwrap()
    }

    fn claim(req: &Request) -> Claim {
        Claim::from_request(req).unwrap().unwrap()
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
        assert!(Claim::from_request(&twice).is_err());
        assert!(matches!(Claim::from_request(&request(&[], "{}")), Ok(None)));
    }

    #[test]
    fn records_are_per_credential_and_key() {
        let a = claim(&request(
            &[("idempotency-key", "k"), ("x-auth-token", "one")],
            "{}",
        ));
        let b = claim(&request(
            &[("idempotency-key", "k"), ("x-auth-token", "two")],
            "{}",
        ));
        let c = claim(&request(
            &[("idempotency-key", "k"), ("x-auth-token", "one")],
            "{\"a\":1}",
        ));
        assert_ne!(a.record, b.record, "another credential, another record");
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.record, c.record);
        assert_ne!(a.fingerprint, c.fingerprint, "another body, another fingerprint");
        assert_ne!(a.token, c.token, "every request its own token");
        let pk = a.record.to_item()["pk"].as_s().unwrap().clone();
        assert!(!pk.contains("one") && pk.starts_with("IDEMPOTENCY#"), "{pk}");
    }
}
