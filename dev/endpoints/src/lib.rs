//! Every function crate's types, the one registry the dev tooling takes
//! them from: each HTTP endpoint (its handler, the rules it checks before
//! reading anything, its log target) and each seed section (how a seed
//! file's records become items). The local API (`cargo xtask`), the bench
//! (`bench-driver`), the seed loader (`dev/seeding`) and the fuzz targets
//! (`dev/fuzzing`) are built from it.
//!
//! It names each function's types, so it cannot be derived from the catalog
//! (`dev/catalog`, plain data); its test holds it equal to the catalog's
//! functions, their HTTP binaries and their tables.

mod endpoint;
mod section;

pub use endpoint::{Answer, Endpoint, Handler};
pub use section::SeedSection;

use endpoint::endpoint;
use section::section;
use shared::store::Table;

/// One function crate: its HTTP endpoints and its seed section.
pub struct Function {
    /// Its HTTP endpoints, each with the binary serving it.
    pub endpoints: &'static [Endpoint],
    /// Its section of a seed file.
    pub seed: SeedSection,
}

/// Every function crate with a route, in the catalog's order.
pub const FUNCTIONS: &[Function] = &[
    Function {
        endpoints: &[endpoint::<update_account_metadata::Metadata>(
            "update-account-metadata",
        )],
        seed: section::<update_account_metadata::seed::Seed>(),
    },
    Function {
        endpoints: &[endpoint::<update_tenant_account::TenantAccount>(
            "update-tenant-account",
        )],
        seed: section::<update_tenant_account::seed::Seed>(),
    },
    Function {
        endpoints: &[endpoint::<update_crm_account::CrmAccount>("update-crm-account")],
        seed: section::<update_crm_account::seed::Seed>(),
    },
    Function {
        endpoints: &[
            endpoint::<update_current_account::CurrentAccount>("update-current-account"),
            endpoint::<update_current_account::ConfirmEmail>("confirm-account-email"),
        ],
        seed: section::<update_current_account::seed::Seed>(),
    },
    Function {
        endpoints: &[endpoint::<update_account_v2::AccountV2>("update-account-v2")],
        seed: section::<update_account_v2::seed::Seed>(),
    },
];

/// Every HTTP endpoint, in the catalog's order.
pub fn endpoints() -> impl Iterator<Item = &'static Endpoint> {
    FUNCTIONS.iter().flat_map(|f| f.endpoints)
}

/// The function whose package is `package`.
pub fn function(package: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.seed.name == package)
}

/// The endpoint served by `binary`.
pub fn endpoint_of(binary: &str) -> Option<&'static Endpoint> {
    endpoints().find(|e| e.binary == binary)
}

/// The handler of `binary` on `table`, if it is an HTTP function.
pub fn handler(binary: &str, table: Table) -> Option<Handler> {
    endpoint_of(binary).map(|e| (e.handler)(table))
}

/// The log targets of every endpoint's crate, for a process that serves
/// them all (`shared::telemetry::init`).
pub fn log_targets() -> Vec<&'static str> {
    let mut targets: Vec<&str> = endpoints().map(|e| (e.log_target)()).collect();
    targets.sort_unstable();
    targets.dedup();
    targets
}

#[cfg(test)]
mod tests;
