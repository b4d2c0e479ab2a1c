//! Finding the secrets and personal data in test inputs, to assert that
//! none of them ever reaches a log line.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Key names whose string values are secret or personal.
const SECRET_KEYS: &[&str] = &[
    "token",
    "key",
    "code",
    "secret",
    "password",
    "email",
    "authorization",
];

/// Every secret or personal string in `values` (seed sections, API Gateway
/// events): values of keys named like a token, key, code, password or
/// email, any string with an `@`, `Authorization` values without their
/// scheme, bodies of events parsed as JSON, and the full SHA-256 (hex) of
/// each (logs may show only an 8-digit prefix). Strings shorter than 6
/// characters are left out: they are not secrets (`true`, `de`), and they
/// would match unrelated log text.
pub fn secrets_in(values: &[&Value]) -> Vec<String> {
    let mut found = Vec::new();
    for value in values {
        walk(value, false, &mut found);
    }
    let hashes: Vec<String> = found
        .iter()
        .map(|s| hex::encode(Sha256::digest(s.as_bytes())))
        .collect();
    found.extend(hashes);
    found.sort();
    found.dedup();
    found.retain(|s| s.chars().count() >= 6);
    found
}

fn walk(value: &Value, secret: bool, found: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Ok(inner @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(s) {
                walk(&inner, secret, found);
            }
            if secret || s.contains('@') {
                let clear = s.strip_prefix("Bearer ").unwrap_or(s);
                found.push(clear.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| walk(v, secret, found)),
        Value::Object(map) => {
            for (k, v) in map {
                let k = k.to_ascii_lowercase();
                // `routeKey` is API Gateway's route (`PATCH /v1/account`).
                let is_secret = SECRET_KEYS.iter().any(|s| k.contains(s))
                    && !k.ends_with("_id")
                    && k != "key_id"
                    && k != "routekey";
                walk(v, is_secret, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_tokens_emails_codes_and_their_hashes() {
        let event = json!({
            "headers": {"authorization": "Bearer tok-123456", "x-api-key": "key-abcdef", "host": "localhost"},
            "body": "{\"email\": \"jane@example.com\", \"name\": \"Jane Doe\", \"code\": \"424242\"}"
        });
        let secrets = secrets_in(&[&event]);
        for s in ["tok-123456", "key-abcdef", "jane@example.com", "424242"] {
            assert!(secrets.contains(&s.to_owned()), "{s} missing from {secrets:?}");
        }
        assert!(secrets.contains(&hex::encode(Sha256::digest(b"tok-123456"))));
        assert!(
            !secrets.iter().any(|s| s == "Jane Doe" || s == "localhost"),
            "{secrets:?}"
        );
    }
}
