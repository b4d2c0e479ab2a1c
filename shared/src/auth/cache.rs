//! The per-container credential cache: a secret's hash → the principal it
//! was found to stand for, kept for a short time so that a caller seen
//! recently costs no credential read.
//!
//! # What it trades
//!
//! Without it every request reads its credential item (one strongly
//! consistent GetItem, [`super::CREDENTIAL_READ_IS_CONSISTENT`]) before its
//! write: two dependent round trips for a plain update. With it, a caller
//! whose credential was read by the same container less than the TTL ago
//! costs one. The price is the **revocation delay**: a credential deleted
//! (or changed) in the table keeps working, with the principal it had, in
//! every warm container that read it during the last TTL, for at most the
//! TTL after that read. Lambda runs many containers, each with its own
//! cache, so the bound is per container and cannot be shortened by a
//! signal: it is exactly the TTL.
//!
//! # Configuration
//!
//! [`CREDENTIAL_CACHE_TTL_VAR`] (`CREDENTIAL_CACHE_TTL_SECONDS`), read once
//! when the first credential is looked up:
//!
//! - unset or `0`: no cache; every request reads its credential, and a
//!   revocation stops the very next request. This is what tests, local runs
//!   and any deployment that does not opt in get.
//! - `1` to [`MAX_TTL`] seconds: the cache, with that TTL. template.yaml
//!   sets [`DEPLOYED_TTL`] (60 s, parameter `CredentialCacheTtlSeconds`):
//!   an API key leaked and revoked keeps working for at most one more
//!   minute, the same order as the time a person needs to notice and act,
//!   while a client sending more than one request a minute to a container
//!   saves a round trip on all but the first.
//! - anything else (not a number, above [`MAX_TTL`]): no cache, with a
//!   warning in the log (a typo must not lengthen the revocation delay).
//!
//! # What is cached, and what is not
//!
//! - Only credentials that were found: an unknown secret is looked up again
//!   on every request, so a credential created a moment ago works at once,
//!   and random secrets cannot fill the cache.
//! - Never an error (a throttled read, a malformed item).
//! - At most [`CAPACITY`] credentials per container; when full, expired entries
//!   go first, then the oldest.
//! - Entries are the principals the credential items deserialized into,
//!   keyed by table name and hash (two endpoints in one process, as in the
//!   bench, never see each other's). A hit clones the principal (a few
//!   short strings) instead of deserializing the item again: ~4k fewer
//!   instructions a request. An entry of another principal type (two
//!   endpoints reading one table in one process) is a miss, and the read
//!   replaces it.

use super::SecretHash;
use crate::cache::TtlCache;
use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The environment variable holding the TTL in whole seconds.
pub const CREDENTIAL_CACHE_TTL_VAR: &str = "CREDENTIAL_CACHE_TTL_SECONDS";

/// The TTL template.yaml deploys (its `CredentialCacheTtlSeconds` parameter's
/// default): the revocation delay traded for one round trip per request.
pub const DEPLOYED_TTL: Duration = Duration::from_secs(60);

/// The longest TTL accepted; a larger value disables the cache.
pub const MAX_TTL: Duration = crate::cache::MAX_TTL;

/// The most credentials one container keeps.
pub const CAPACITY: usize = 1024;

/// Where "now" comes from (a test clock in tests).
pub type Clock = crate::cache::Clock;

/// A bounded map from (table, credential hash) to the principal its
/// credential item was read as, each entry valid for the TTL after it was
/// read from the table (a [`TtlCache`]). See the module docs.
#[derive(Debug)]
pub struct CredentialCache(TtlCache<(Box<str>, SecretHash), Arc<dyn Any + Send + Sync>>);

impl CredentialCache {
    /// A cache keeping entries for `ttl` (`Duration::ZERO`: keeps nothing)
    /// and at most `capacity` credentials, on the monotonic clock.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        CredentialCache(TtlCache::new(ttl, capacity))
    }

    /// [`CredentialCache::new`] with `clock` as "now" (for tests).
    pub fn with_clock(ttl: Duration, capacity: usize, clock: Clock) -> Self {
        CredentialCache(TtlCache::with_clock(ttl, capacity, clock))
    }

    /// A cache that keeps nothing: every lookup reads the table.
    pub fn disabled() -> Self {
        Self::new(Duration::ZERO, 0)
    }

    /// The cache [`CREDENTIAL_CACHE_TTL_VAR`] asks for (see the module docs).
    pub fn from_env() -> Self {
        Self::new(crate::cache::ttl_from_env(CREDENTIAL_CACHE_TTL_VAR), CAPACITY)
    }

    /// How long an entry is trusted.
    pub fn ttl(&self) -> Duration {
        self.0.ttl()
    }

    /// Whether anything is kept at all.
    pub fn is_enabled(&self) -> bool {
        self.0.is_enabled()
    }

    /// Credentials held (expired ones included until dropped).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No credential held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The principal of `hash` in `table`, when its credential was read as
    /// a `P` less than the TTL ago.
    pub fn get<P: Clone + 'static>(&self, table: &str, hash: &SecretHash) -> Option<P> {
        let entry = self.0.get(&(table.into(), hash.clone()))?;
        entry.downcast_ref::<P>().cloned()
    }

    /// Keeps `principal`, just read from `table` for `hash`, for the TTL.
    pub fn insert<P: Send + Sync + 'static>(&self, table: &str, hash: &SecretHash, principal: P) {
        self.0.insert((table.into(), hash.clone()), Arc::new(principal));
    }
}

/// The TTL for a value of [`CREDENTIAL_CACHE_TTL_VAR`] ([`crate::cache::ttl_from`]).
pub fn ttl_from(value: Option<&str>) -> Duration {
    crate::cache::ttl_from(CREDENTIAL_CACHE_TTL_VAR, value)
}

static GLOBAL: OnceLock<CredentialCache> = OnceLock::new();

/// The process's cache, which [`super::find_principal`] uses: the one
/// installed by [`install_global`], else [`CredentialCache::from_env`] (made
/// at the first call, and kept for the life of the process).
pub fn global() -> &'static CredentialCache {
    GLOBAL.get_or_init(CredentialCache::from_env)
}

/// Makes `cache` the process's cache, for tools that run handlers in
/// process with a TTL of their own (the bench). Must run before the first
/// credential lookup; afterwards the cache in use stays and `cache` is
/// given back.
pub fn install_global(cache: CredentialCache) -> Result<(), CredentialCache> {
    GLOBAL.set(cache)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: &str) -> String {
        v.to_owned()
    }

    #[test]
    fn the_ttl_variable_is_read_by_the_shared_rules() {
        // The rules themselves are tested in crate::cache.
        assert_eq!(ttl_from(Some("60")), DEPLOYED_TTL);
        assert_eq!(ttl_from(Some("901")), Duration::ZERO);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = CredentialCache::new(Duration::ZERO, CAPACITY);
        let hash = SecretHash::of("k");
        cache.insert("T", &hash, item("1"));
        assert!(cache.is_empty());
        assert_eq!(cache.get::<String>("T", &hash), None);
        assert!(!CredentialCache::disabled().is_enabled());
    }

    #[test]
    fn entries_are_kept_apart_by_table() {
        let cache = CredentialCache::new(Duration::from_secs(60), 8);
        let hash = SecretHash::of("k");
        cache.insert("A", &hash, item("a"));
        cache.insert("B", &hash, item("b"));
        assert_eq!(cache.get("A", &hash), Some(item("a")));
        assert_eq!(cache.get("B", &hash), Some(item("b")));
        assert_eq!(cache.get::<String>("C", &hash), None);
        // Another principal type under the same key is a miss.
        assert_eq!(cache.get::<u32>("A", &hash), None);
        // A new read replaces the entry of the same table.
        cache.insert("A", &hash, item("a2"));
        assert_eq!(cache.get("A", &hash), Some(item("a2")));
        assert_eq!(cache.len(), 2, "one entry per table");
    }

    #[test]
    fn the_global_cache_follows_the_environment() {
        // Unit tests do not set the variable: the cache is off, so every
        // test in this process sees revocations at once.
        if std::env::var_os(CREDENTIAL_CACHE_TTL_VAR).is_none() {
            assert!(!global().is_enabled());
        }
    }
}
