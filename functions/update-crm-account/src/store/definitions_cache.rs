//! The per-container cache of each tenant's field definitions, so that a
//! plain update with `custom` from a tenant seen recently is one DynamoDB
//! call (the write) instead of two (the definitions Query, then the write).
//!
//! # What it trades
//!
//! Values are **accepted** against definitions read up to the TTL ago by
//! this container. Definitions only change in two ways:
//!
//! - this API appends options (`allow_new_options=true`). That only widens
//!   what is valid, so nothing accepted from an older copy is wrong; the
//!   container that appended forgets its copy after the write;
//! - a tool outside this API narrows a definition (changes its type,
//!   removes an option or the field). For at most the TTL after such a
//!   change, a warm container that read the old definition may still
//!   accept a value the new one refuses: the same bound as the credential
//!   cache's revocation delay.
//!
//! A value is never **refused** from the cache: when the cached copy
//! refuses a value (an unknown field, an option it does not list), the
//! definitions are read again and the request is checked against them, so
//! a field or option created a moment ago works at once. A transaction
//! (a number move, new options) is conditioned on each definition's
//! `version` as planned; one planned from a stale copy is cancelled, and
//! the driver plans it again from a fresh read (never from the cache).
//!
//! # Configuration
//!
//! [`TTL_VAR`] (`FIELD_DEFINITIONS_CACHE_TTL_SECONDS`), whole seconds, read
//! once per container: unset or `0` keeps nothing (tests and local runs);
//! template.yaml sets 60 (parameter `FieldDefinitionsCacheTtlSeconds`); an
//! invalid value or one above 900 turns the cache off with a warning. At
//! most [`CAPACITY`] tenants per container, keyed by table and tenant.

use super::definition::{self, FieldDef};
use shared::cache::TtlCache;
use shared::store::{StoreError, Table};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The environment variable holding the TTL in whole seconds.
pub const TTL_VAR: &str = "FIELD_DEFINITIONS_CACHE_TTL_SECONDS";

/// The most tenants one container keeps definitions for.
pub const CAPACITY: usize = 256;

/// A tenant's definitions by field key, shared between requests.
pub type Definitions = Arc<HashMap<String, FieldDef>>;

/// (table, tenant).
type Key = (Box<str>, Box<str>);

type Cache = TtlCache<Key, Definitions>;

static CACHE: OnceLock<Cache> = OnceLock::new();

fn cache() -> &'static Cache {
    CACHE.get_or_init(|| TtlCache::new(shared::cache::ttl_from_env(TTL_VAR), CAPACITY))
}

/// Sets this process's TTL instead of [`TTL_VAR`], for tools that run the
/// handler in process (the bench, tests). Must run before the first
/// request; afterwards the TTL in use stays and an error is returned.
pub fn install(ttl: Duration) -> Result<(), Duration> {
    CACHE.set(TtlCache::new(ttl, CAPACITY)).map_err(|_| ttl)
}

fn key(table: &Table, tenant: &str) -> Key {
    (table.name().into(), tenant.into())
}

/// The tenant's definitions as this container read them less than the TTL
/// ago, if it did.
pub fn cached(table: &Table, tenant: &str) -> Option<Definitions> {
    cache().get(&key(table, tenant))
}

/// The tenant's definitions read from the table now (one Query), kept for
/// the TTL.
pub async fn read(table: &Table, tenant: &str) -> Result<Definitions, StoreError> {
    let definitions = Arc::new(definition::load(table, tenant).await?);
    cache().insert(key(table, tenant), definitions.clone());
    Ok(definitions)
}

/// Drops this container's copy of the tenant's definitions (after this
/// container changed them).
pub fn forget(table: &Table, tenant: &str) {
    cache().remove(&key(table, tenant));
}
