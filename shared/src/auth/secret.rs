//! The stored form of a secret.

use sha2::{Digest, Sha256};
use std::fmt;

/// The SHA-256 of a secret (token, API key), hex-encoded: the only form in
/// which secrets are stored.
///
/// Our secrets are random and long (at least 128 bits), so a plain
/// SHA-256 is enough: there is nothing to brute-force, and a fast hash keeps
/// the lookup to one GetItem. `Debug` and `Display` show only a prefix.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

impl SecretHash {
    /// Hashes a secret (every request does: the hex is written from a
    /// table, a quarter of what `hex::encode`'s char iterator costs).
    pub fn of(secret: &str) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(secret.as_bytes());
        let mut hex = [0u8; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest.iter()) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        SecretHash(hex.iter().copied().map(char::from).collect())
    }

    /// A hash given in hex (seed files may hold hashes instead of secrets).
    /// `None` unless it is 64 lowercase hex digits.
    pub fn from_hex(hex: &str) -> Option<Self> {
        (hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| SecretHash(hex.to_owned()))
    }

    /// The full hex digest (for keys).
    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

/// Hex digits of a secret made by [`generate_secret`].
pub const GENERATED_SECRET_LEN: usize = 64;

/// A fresh secret for a new credential: [`GENERATED_SECRET_LEN`] lowercase
/// hex digits carrying 244 random bits (the random bits of two UUIDv4s,
/// drawn from the operating system's generator). It is well formed for
/// every header a credential is read from (visible ASCII, no space, far
/// under the 512-byte limit), and long enough that a plain SHA-256 is the
/// right way to store it ([`SecretHash`]).
pub fn generate_secret() -> String {
    let mut secret = String::with_capacity(GENERATED_SECRET_LEN);
    for _ in 0..2 {
        secret.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    secret
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({}…)", &self.0[..8])
    }
}

impl fmt::Display for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}…", &self.0[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_sha256_and_prints_only_a_prefix() {
        let h = SecretHash::of("abc");
        assert_eq!(
            h.as_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(format!("{h}"), "ba7816bf…");
        assert_eq!(format!("{h:?}"), "SecretHash(ba7816bf…)");
        assert_eq!(SecretHash::from_hex(h.as_hex()), Some(h));
        assert_eq!(SecretHash::from_hex("XYZ"), None);
    }

    #[test]
    fn generated_secrets_are_long_distinct_hex() {
        let (a, b) = (generate_secret(), generate_secret());
        assert_ne!(a, b);
        for secret in [a, b] {
            assert_eq!(secret.len(), GENERATED_SECRET_LEN);
            assert!(
                secret
                    .bytes()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            );
        }
    }
}
