//! Finding the principal a secret belongs to.

use super::{CredentialCache, SecretHash};
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
/// Through the process's [`CredentialCache`] ([`super::cache::global`]):
/// a credential found less than its TTL ago in this container costs no
/// call; otherwise one strongly consistent GetItem
/// ([`CREDENTIAL_READ_IS_CONSISTENT`]), so a credential deleted or changed
/// a moment ago is seen as it is now, not after DynamoDB's replication
/// delay. With the cache off (TTL 0, the default when
/// `CREDENTIAL_CACHE_TTL_SECONDS` is unset) a revoked key stops on the very
/// next request; with a TTL, at most that TTL after this container last
/// read it. An item that does not deserialize as `P` is a data error,
/// reported as [`StoreError::Rejected`] (a 500), never as "unknown
/// secret"; neither it nor an unknown secret is cached.
pub async fn find_principal<P: DeserializeOwned + Clone + Send + Sync + 'static>(
    table: &Table,
    secret: &str,
) -> Result<Option<P>, StoreError> {
    find_principal_in(super::cache::global(), table, secret).await
}

/// [`find_principal`] through `cache` instead of the process's cache.
pub async fn find_principal_in<P: DeserializeOwned + Clone + Send + Sync + 'static>(
    cache: &CredentialCache,
    table: &Table,
    secret: &str,
) -> Result<Option<P>, StoreError> {
    let hash = SecretHash::of(secret);
    let malformed =
        |e: serde_dynamo::Error| StoreError::Rejected(format!("credential {hash} is malformed: {e}"));
    if let Some(principal) = cache.get::<P>(table.name(), &hash) {
        tracing::debug!(credential = %hash, "credential from the cache");
        return Ok(Some(principal));
    }
    let Some(item) = table
        .get(&credential_key(&hash), CREDENTIAL_READ_IS_CONSISTENT)
        .await?
    else {
        tracing::info!(credential = %hash, "unknown credential");
        return Ok(None);
    };
    let principal: P = serde_dynamo::from_item(item).map_err(malformed)?;
    if cache.is_enabled() {
        cache.insert(table.name(), &hash, principal.clone());
    }
    Ok(Some(principal))
}

/// Opens the connection to DynamoDB ahead of the first request (during a
/// function's init, which Lambda runs at full CPU before the first
/// invocation): one eventually consistent GetItem of a credential key no
/// secret hashes to (`CREDENTIAL#warm-up`, never stored; 0.5 RCU), so
/// credentials are resolved, the request is signed and the TCP and TLS
/// handshakes are done once, here. Its outcome is only logged: a failure
/// leaves the first request to connect, as it would have without this.
pub async fn warm_up(table: &Table) {
    let key = Key::new(format!("{CREDENTIAL_PK_PREFIX}warm-up"), "CREDENTIAL");
    let started = std::time::Instant::now();
    match table.get(&key, false).await {
        Ok(_) => tracing::debug!(
            elapsed_us = started.elapsed().as_micros() as u64,
            "DynamoDB connection opened"
        ),
        Err(e) => tracing::info!(error = %e, "DynamoDB warm-up call failed; the first request connects"),
    }
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
