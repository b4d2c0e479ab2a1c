//! A small per-container cache with a time to live, for what a function may
//! reuse across requests for a bounded time instead of reading it again:
//! credentials ([`crate::auth::cache`]) and a tenant's custom field
//! definitions (contract 002).
//!
//! What it guarantees:
//!
//! - an entry is returned for less than the TTL after it was inserted, never
//!   after; a TTL of zero (or a capacity of zero) keeps nothing;
//! - at most `capacity` entries: inserting into a full cache first drops
//!   every expired entry, then the oldest ones;
//! - a value is handed out as a clone (cache an `Arc` for large values).
//!
//! What to cache is the caller's decision; both users cache only what was
//! found, never an absence or an error, so something created a moment ago
//! is seen at once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Where the cache reads the time (tests move it by hand).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// The environment variables' limit: a larger TTL turns the cache off.
pub const MAX_TTL: Duration = Duration::from_secs(900);

/// Key → (value, when stored), bounded, with a TTL.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    clock: Clock,
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K, V> std::fmt::Debug for TtlCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> TtlCache<K, V> {
    /// A cache keeping entries for `ttl`, at most `capacity` of them.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self::with_clock(ttl, capacity, Arc::new(Instant::now))
    }

    /// [`TtlCache::new`] reading the time from `clock`.
    pub fn with_clock(ttl: Duration, capacity: usize, clock: Clock) -> Self {
        TtlCache {
            ttl,
            capacity,
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How long an entry is kept.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Whether anything is kept at all.
    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero() && self.capacity > 0
    }

    /// Entries held, expired ones included until they are dropped.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// No entry held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value stored for `key` less than the TTL ago.
    pub fn get(&self, key: &K) -> Option<V> {
        if !self.is_enabled() {
            return None;
        }
        let now = (self.clock)();
        self.lock()
            .get(key)
            .filter(|(_, stored)| now.saturating_duration_since(*stored) < self.ttl)
            .map(|(value, _)| value.clone())
    }

    /// Stores `value` for `key` (replacing any earlier one) as of now.
    pub fn insert(&self, key: K, value: V) {
        if !self.is_enabled() {
            return;
        }
        let now = (self.clock)();
        let mut entries = self.lock();
        if !entries.contains_key(&key) && entries.len() >= self.capacity {
            self.evict(&mut entries, now);
        }
        entries.insert(key, (value, now));
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Makes room for one entry: every expired entry goes, then the oldest.
    fn evict(&self, entries: &mut HashMap<K, (V, Instant)>, now: Instant) {
        let ttl = self.ttl;
        entries.retain(|_, (_, stored)| now.saturating_duration_since(*stored) < ttl);
        while entries.len() >= self.capacity {
            let oldest = entries
                .iter()
                .min_by_key(|(_, (_, stored))| *stored)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => entries.remove(&key),
                None => break,
            };
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, (V, Instant)>> {
        // Every mutation is a single insert, remove or retain, so a map
        // behind a poisoned lock is consistent and is used.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A clock for tests that moves only when told to: the clock, and the
/// milliseconds it is ahead of its start (store into it to move it).
pub fn manual_clock() -> (Clock, Arc<AtomicU64>) {
    let start = Instant::now();
    let offset_ms = Arc::new(AtomicU64::new(0));
    let offset = offset_ms.clone();
    let clock: Clock = Arc::new(move || start + Duration::from_millis(offset.load(Ordering::SeqCst)));
    (clock, offset_ms)
}

/// The TTL that the environment variable `variable` holding `value` asks
/// for, in whole seconds: zero (off) when unset or empty, and zero with a
/// warning when it is not a whole number of seconds or is above
/// [`MAX_TTL`] (a typo must not lengthen what a cache may keep serving).
pub fn ttl_from(variable: &str, value: Option<&str>) -> Duration {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Duration::ZERO;
    };
    match value.parse::<u64>().map(Duration::from_secs) {
        Ok(ttl) if ttl <= MAX_TTL => ttl,
        _ => {
            tracing::warn!(
                variable,
                value,
                max_seconds = MAX_TTL.as_secs(),
                "not a TTL in seconds within the limit; the cache is off"
            );
            Duration::ZERO
        }
    }
}

/// [`ttl_from`] of the process environment's `variable`.
pub fn ttl_from_env(variable: &str) -> Duration {
    ttl_from(variable, std::env::var(variable).ok().as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_ttl_variable_is_read_safely() {
        let v = "SOME_TTL";
        assert_eq!(ttl_from(v, None), Duration::ZERO);
        assert_eq!(ttl_from(v, Some("")), Duration::ZERO);
        assert_eq!(ttl_from(v, Some("0")), Duration::ZERO);
        assert_eq!(ttl_from(v, Some("60")), Duration::from_secs(60));
        assert_eq!(ttl_from(v, Some(" 5 ")), Duration::from_secs(5));
        assert_eq!(ttl_from(v, Some("900")), MAX_TTL);
        for bad in ["901", "-1", "1.5", "60s", "abc", "99999999999999999999"] {
            assert_eq!(ttl_from(v, Some(bad)), Duration::ZERO, "{bad}");
        }
    }

    #[test]
    fn entries_expire_after_the_ttl_and_can_be_removed() {
        let (clock, offset) = manual_clock();
        let cache = TtlCache::with_clock(Duration::from_secs(60), 8, clock);
        cache.insert("k", 1);
        offset.store(59_999, Ordering::SeqCst);
        assert_eq!(cache.get(&"k"), Some(1));
        offset.store(60_000, Ordering::SeqCst);
        assert_eq!(cache.get(&"k"), None);
        cache.insert("k", 2);
        cache.remove(&"k");
        assert_eq!(cache.get(&"k"), None);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_zero_ttl_or_capacity_keeps_nothing() {
        for cache in [
            TtlCache::new(Duration::ZERO, 8),
            TtlCache::new(Duration::from_secs(1), 0),
        ] {
            cache.insert("k", 1);
            assert!(cache.is_empty());
            assert_eq!(cache.get(&"k"), None);
            assert!(!cache.is_enabled());
        }
    }

    #[test]
    fn a_full_cache_drops_expired_entries_then_the_oldest() {
        let (clock, offset) = manual_clock();
        let cache = TtlCache::with_clock(Duration::from_secs(10), 3, clock);
        for i in 0..3u64 {
            offset.store(i * 1000, Ordering::SeqCst);
            cache.insert(i, i);
        }
        // Full: the oldest (0) goes.
        offset.store(3_000, Ordering::SeqCst);
        cache.insert(3, 3);
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&0), None);
        assert_eq!(cache.get(&1), Some(1));
        // Later, 1 and 2 have expired: all expired go at once.
        offset.store(12_500, Ordering::SeqCst);
        cache.insert(4, 4);
        assert_eq!(cache.len(), 2, "1 and 2 expired and were dropped");
        assert_eq!(cache.get(&3), Some(3));
        assert_eq!(cache.get(&4), Some(4));
        // Replacing a key in a full cache drops nothing.
        offset.store(12_600, Ordering::SeqCst);
        cache.insert(5, 5);
        cache.insert(5, 6);
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&5), Some(6));
    }
}
