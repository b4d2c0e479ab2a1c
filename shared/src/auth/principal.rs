//! Finding the principal a secret belongs to.

use super::SecretHash;
use crate::store::{Item, Key, StoreError, Table};
use serde::de::DeserializeOwned;

/// Credential reads are strongly consistent (twice the read cost of an
/// eventually consistent one: 1 RCU instead of 0.5 for a small item), so
/// revocation takes effect on the next request.
pub const CREDENTIAL_READ_IS_CONSISTENT: bool = true;

/// The partition key prefix of every credential item. IAM denies every
/// function writes to partitions starting with it (template.yaml).
pub const CREDENTIAL_PK_PREFIX: &str = "CREDENTIAL#";

/// The key of the credential item for a secret's hash.
pub fn credential_key(hash: &SecretHash) -> Key {
    Key::new(format!("{CREDENTIAL_PK_PREFIX}{}", hash.as_hex()), "CREDENTIAL")
}

/// Looks up the principal `P` stored under `secret`'s hash: `Ok(None)` when
/// no credential has that hash (a 401 for the caller).
///
/// One strongly consistent GetItem ([`CREDENTIAL_READ_IS_CONSISTENT`]), so
/// a credential deleted or changed a moment ago is seen as it is now: a
/// revoked key stops at once, not after DynamoDB's replication delay. An
/// item that does not deserialize as `P` is a data error, reported as
/// [`StoreError::Rejected`] (a 500), never as "unknown secret".
pub async fn find_principal<P: DeserializeOwned>(
    table: &Table,
    secret: &str,
) -> Result<Option<P>, StoreError> {
    let hash = SecretHash::of(secret);
    let Some(item) = table
        .get(&credential_key(&hash), CREDENTIAL_READ_IS_CONSISTENT)
        .await?
    else {
        tracing::info!(credential = %hash, "unknown credential");
        return Ok(None);
    };
    serde_dynamo::from_item(item)
        .map(Some)
        .map_err(|e| StoreError::Rejected(format!("credential {hash} is malformed: {e}")))
}

/// The credential item for a secret's hash, holding the principal's
/// attributes (`principal` must not contain `pk` / `sk`).
pub fn credential_item(hash: &SecretHash, principal: Item) -> Item {
    credential_key(hash).into_item_with(principal)
}

/// How a seed file names a secret: the secret itself (hashed on load; for
/// demo credentials) or only its SHA-256 in hex (for real ones).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum SeedSecret {
    /// The secret in clear text: `{"token": "demo-token"}`.
    Clear {
        /// The secret.
        token: String,
    },
    /// Only the hash: `{"token_sha256": "<64 hex digits>"}`.
    Hashed {
        /// SHA-256 of the secret, lowercase hex.
        token_sha256: String,
    },
}

impl SeedSecret {
    /// The credential item for this secret with the principal's attributes;
    /// an error naming `what` when `token_sha256` is not 64 lowercase hex digits.
    pub fn credential(&self, what: &str, principal: Item) -> Result<Item, String> {
        let hash = self
            .hash()
            .ok_or_else(|| format!("{what}: token_sha256 must be 64 lowercase hex digits"))?;
        Ok(credential_item(&hash, principal))
    }

    /// The hash to store; `None` when `token_sha256` is not 64 lowercase hex digits.
    pub fn hash(&self) -> Option<SecretHash> {
        match self {
            SeedSecret::Clear { token } => Some(SecretHash::of(token)),
            SeedSecret::Hashed { token_sha256 } => SecretHash::from_hex(token_sha256),
        }
    }
}
