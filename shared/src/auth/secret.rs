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
    /// Hashes a secret.
    pub fn of(secret: &str) -> Self {
        SecretHash(hex::encode(Sha256::digest(secret.as_bytes())))
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
}
