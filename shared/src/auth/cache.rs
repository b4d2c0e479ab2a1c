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
//! - At most [`CAPACITY`] secrets per container; when full, expired entries
//!   go first, then the oldest.
//! - Entries are the credential items as read, keyed by table name and
//!   hash (two endpoints in one process, as in the bench, never see each
//!   other's); each hit is deserialized again (a few attributes: ~1 µs).

use super::SecretHash;
use crate::store::Item;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The environment variable holding the TTL in whole seconds.
pub const CREDENTIAL_CACHE_TTL_VAR: &str = "CREDENTIAL_CACHE_TTL_SECONDS";

/// The TTL template.yaml deploys (its `CredentialCacheTtlSeconds` parameter's
/// default): the revocation delay traded for one round trip per request.
pub const DEPLOYED_TTL: Duration = Duration::from_secs(60);

/// The longest TTL accepted; a larger value disables the cache.
pub const MAX_TTL: Duration = Duration::from_secs(900);

/// The most secrets one container keeps.
pub const CAPACITY: usize = 1024;

/// Where "now" comes from (a test clock in tests).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

struct Entry {
    table: Box<str>,
    item: Item,
    stored: Instant,
}

/// A bounded map from a credential's hash to its principal, each entry
/// valid for the TTL after it was read from the table. See the module docs.
pub struct CredentialCache {
    ttl: Duration,
    capacity: usize,
    clock: Clock,
    entries: Mutex<HashMap<SecretHash, Vec<Entry>>>,
}

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCache")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl CredentialCache {
    /// A cache keeping entries for `ttl` (`Duration::ZERO`: keeps nothing)
    /// and at most `capacity` secrets, on the monotonic clock.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self::with_clock(ttl, capacity, Arc::new(Instant::now))
    }

    /// [`CredentialCache::new`] with `clock` as "now" (for tests).
    pub fn with_clock(ttl: Duration, capacity: usize, clock: Clock) -> Self {
        CredentialCache {
            ttl,
            capacity,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// A cache that keeps nothing: every lookup reads the table.
    pub fn disabled() -> Self {
        Self::new(Duration::ZERO, 0)
    }

    /// The cache [`CREDENTIAL_CACHE_TTL_VAR`] asks for (see the module docs),
    /// with [`CAPACITY`].
    pub fn from_env() -> Self {
        let value = std::env::var(CREDENTIAL_CACHE_TTL_VAR).ok();
        Self::new(ttl_from(value.as_deref()), CAPACITY)
    }

    /// How long an entry is used after its read; zero when disabled.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Whether anything is ever kept.
    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero() && self.capacity > 0
    }

    /// How many secrets are held (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no secret is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The credential item read for `hash` from `table` less than the TTL
    /// ago, if any.
    pub fn get(&self, table: &str, hash: &SecretHash) -> Option<Item> {
        if !self.is_enabled() {
            return None;
        }
        let now = (self.clock)();
        let entries = self.lock();
        entries
            .get(hash)?
            .iter()
            .find(|e| &*e.table == table)
            .filter(|e| now.saturating_duration_since(e.stored) < self.ttl)
            .map(|e| e.item.clone())
    }

    /// Keeps `item`, the credential just read for `hash` from `table` (and
    /// found well-formed), for the TTL. Only found credentials are passed here.
    pub fn insert(&self, table: &str, hash: &SecretHash, item: Item) {
        if !self.is_enabled() {
            return;
        }
        let now = (self.clock)();
        let entry = Entry {
            table: table.into(),
            item,
            stored: now,
        };
        let mut entries = self.lock();
        if !entries.contains_key(hash) && entries.len() >= self.capacity {
            self.evict(&mut entries, now);
        }
        let slot = entries.entry(hash.clone()).or_default();
        slot.retain(|e| e.table != entry.table);
        slot.push(entry);
    }

    /// Makes room for one secret: drops every expired entry, then, if still
    /// full, the secret read longest ago.
    fn evict(&self, entries: &mut HashMap<SecretHash, Vec<Entry>>, now: Instant) {
        let ttl = self.ttl;
        entries.retain(|_, slot| {
            slot.retain(|e| now.saturating_duration_since(e.stored) < ttl);
            !slot.is_empty()
        });
        while entries.len() >= self.capacity {
            let oldest = entries
                .iter()
                .min_by_key(|(_, slot)| slot.iter().map(|e| e.stored).max())
                .map(|(hash, _)| hash.clone());
            match oldest {
                Some(hash) => entries.remove(&hash),
                None => break,
            };
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SecretHash, Vec<Entry>>> {
        // A panic while holding the lock leaves a consistent map (every
        // mutation is a single insert or remove), so a poisoned lock is used.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The TTL for a value of [`CREDENTIAL_CACHE_TTL_VAR`]: zero when unset,
/// empty, not a whole number of seconds or above [`MAX_TTL`] (the last two
/// with a warning).
pub fn ttl_from(value: Option<&str>) -> Duration {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Duration::ZERO;
    };
    match value.parse::<u64>().map(Duration::from_secs) {
        Ok(ttl) if ttl <= MAX_TTL => ttl,
        _ => {
            tracing::warn!(
                variable = CREDENTIAL_CACHE_TTL_VAR,
                value,
                max_seconds = MAX_TTL.as_secs(),
                "not a TTL in seconds within the limit; the credential cache is off"
            );
            Duration::ZERO
        }
    }
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
    use aws_sdk_dynamodb::types::AttributeValue;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn item(v: &str) -> Item {
        [("v".to_owned(), AttributeValue::S(v.to_owned()))].into()
    }

    /// A clock that moves only when told to.
    fn manual_clock() -> (Clock, Arc<AtomicU64>) {
        let start = Instant::now();
        let offset_ms = Arc::new(AtomicU64::new(0));
        let offset = offset_ms.clone();
        let clock: Clock = Arc::new(move || start + Duration::from_millis(offset.load(Ordering::SeqCst)));
        (clock, offset_ms)
    }

    #[test]
    fn the_ttl_variable_is_read_safely() {
        assert_eq!(ttl_from(None), Duration::ZERO);
        assert_eq!(ttl_from(Some("")), Duration::ZERO);
        assert_eq!(ttl_from(Some("0")), Duration::ZERO);
        assert_eq!(ttl_from(Some("60")), Duration::from_secs(60));
        assert_eq!(ttl_from(Some(" 5 ")), Duration::from_secs(5));
        assert_eq!(ttl_from(Some("900")), MAX_TTL);
        for bad in ["901", "-1", "1.5", "60s", "abc", "99999999999999999999"] {
            assert_eq!(ttl_from(Some(bad)), Duration::ZERO, "{bad}");
        }
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let (clock, offset) = manual_clock();
        let cache = CredentialCache::with_clock(Duration::from_secs(60), 8, clock);
        let hash = SecretHash::of("k");
        cache.insert("T", &hash, item("tenant-a"));
        offset.store(59_999, Ordering::SeqCst);
        assert_eq!(cache.get("T", &hash), Some(item("tenant-a")));
        offset.store(60_000, Ordering::SeqCst);
        assert_eq!(cache.get("T", &hash), None);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = CredentialCache::new(Duration::ZERO, CAPACITY);
        let hash = SecretHash::of("k");
        cache.insert("T", &hash, item("1"));
        assert!(cache.is_empty());
        assert_eq!(cache.get("T", &hash), None);
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
        assert_eq!(cache.get("C", &hash), None);
        // A new read replaces the entry of the same table.
        cache.insert("A", &hash, item("a2"));
        assert_eq!(cache.get("A", &hash), Some(item("a2")));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_full_cache_drops_expired_entries_then_the_oldest() {
        let (clock, offset) = manual_clock();
        let cache = CredentialCache::with_clock(Duration::from_secs(10), 3, clock);
        let h = |i: u32| SecretHash::of(&format!("k{i}"));
        for i in 0..3 {
            offset.store(u64::from(i) * 1000, Ordering::SeqCst);
            cache.insert("T", &h(i), item(&i.to_string()));
        }
        // Full: the oldest (k0) goes.
        offset.store(3_000, Ordering::SeqCst);
        cache.insert("T", &h(3), item("3"));
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get("T", &h(0)), None);
        assert_eq!(cache.get("T", &h(1)), Some(item("1")));
        // Later, k1..k3 have expired but k3: all expired go at once.
        offset.store(12_500, Ordering::SeqCst);
        cache.insert("T", &h(4), item("4"));
        assert_eq!(cache.len(), 2, "k1 and k2 expired and were dropped");
        assert_eq!(cache.get("T", &h(3)), Some(item("3")));
        assert_eq!(cache.get("T", &h(4)), Some(item("4")));
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
