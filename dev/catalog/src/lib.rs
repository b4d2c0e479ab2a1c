//! The functions of this workspace as data, and the lists the dev tooling
//! derives from them: the bench's packages and binaries (`cargo perf`), the
//! fuzz targets (`cargo xtask fuzz`) and the event bodies each one runs
//! (`dev/fuzzing`), the tables the load harness checks.
//!
//! A function is one entry in [`FUNCTIONS`], which the build script reads
//! from the crate's own `Cargo.toml` (`[package.metadata.catalog]`, see
//! `src/manifest.rs`): a new crate of `functions/` is in the catalog, or
//! its build fails naming what its manifest lacks. What cannot be derived
//! from it (the template, `openapi.yaml`, `events/`, the registry of the
//! functions' types in `dev/endpoints`) is held equal to it by tests
//! (`dev/testkit/tests/registered.rs` names each). functions/README.md,
//! "Adding a function", has the whole list.
//!
//! No dependencies (the build script's is toml's parser alone): `perf`
//! (dev profile, kept light) and the release-built `bench-driver` link it,
//! and it may add no feature to a crate the functions use.

mod function;
mod functions;
#[cfg(test)]
mod manifest;

pub use function::{Binary, Function, Trigger};
pub use functions::FUNCTIONS;

/// The fuzz target of the shared body parsing, which belongs to no function.
pub const SHARED_FUZZ_TARGET: &str = "json_body";

/// Every binary of every function, in catalog order.
pub fn binaries() -> impl Iterator<Item = &'static Binary> {
    FUNCTIONS.iter().flat_map(|f| f.binaries)
}

/// Every binary invoked through API Gateway, in catalog order.
pub fn http_binaries() -> impl Iterator<Item = &'static Binary> {
    binaries().filter(|b| b.trigger == Trigger::Http)
}

/// Every package, in catalog order: what is deployed.
pub fn packages() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.package)
}

/// Every function's table (logical id in `template.yaml`), each once, in
/// catalog order.
pub fn tables() -> Vec<&'static str> {
    let mut tables: Vec<&'static str> = Vec::new();
    for binary in binaries() {
        if !tables.contains(&binary.table) {
            tables.push(binary.table);
        }
    }
    tables
}

/// Every fuzz target of `fuzz/`, in the order they run: the shared body
/// parsing, then one per function.
pub fn fuzz_targets() -> impl Iterator<Item = &'static str> {
    std::iter::once(SHARED_FUZZ_TARGET).chain(FUNCTIONS.iter().map(|f| f.fuzz_target))
}

/// The function whose fuzz target is `target`.
pub fn by_fuzz_target(target: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.fuzz_target == target)
}

/// The log targets of every function: each package's crate and each
/// binary's crate (`update_current_account`, `confirm_account_email`),
/// sorted and without repeats: what the tests, which run every function
/// in one process, let log below INFO (`shared::telemetry::init`).
pub fn log_targets() -> Vec<String> {
    let mut targets: Vec<String> = FUNCTIONS
        .iter()
        .flat_map(|f| std::iter::once(f.crate_name()).chain(f.binaries.iter().map(Binary::crate_name)))
        .collect();
    targets.sort();
    targets.dedup();
    targets
}

#[cfg(test)]
mod tests;
