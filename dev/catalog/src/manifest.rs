//! Reads one function crate's `Cargo.toml` into its catalog entry, as Rust
//! source. The build script (`build.rs`) runs it over every crate of
//! `functions/`; the crate's tests run it over manifests written to fail.
//!
//! What a function's manifest says of it:
//!
//! - its package and binaries: `[package] name` and each `[[bin]] name`
//!   (none: one binary named as the package);
//! - its table: `[package.metadata.lambda.env] TABLE_NAME`, which
//!   `cargo lambda watch` also gives the function;
//! - `[package.metadata.catalog]`: `contract`, the seed contract it
//!   implements (`"003"`; none for a function no route reaches), which
//!   orders the tools' tables; `trigger`, `"http"` (the default) or
//!   `"stream"`; `bench-events`, per binary the file of `events/<binary>/`
//!   that `cargo perf` starts it with.

use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

/// One function as the manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The package.
    pub package: String,
    /// `contract`, if any.
    pub contract: Option<String>,
    /// `true` for `trigger = "stream"`.
    pub stream: bool,
    /// `TABLE_NAME`.
    pub table: String,
    /// Each binary and its bench event's file name, in the manifest's order.
    pub binaries: Vec<(String, String)>,
}

/// The table at `key` of `table`.
fn table<'a>(table: &'a DeTable<'a>, key: &str) -> Option<&'a DeTable<'a>> {
    match table.get(key)?.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// The string at `key` of `table`.
fn string<'a>(table: &'a DeTable<'a>, key: &str) -> Option<&'a str> {
    match table.get(key)?.get_ref() {
        DeValue::String(s) => Some(s),
        _ => None,
    }
}

/// The entry of the manifest `text` (a crate's `Cargo.toml`), or what it
/// lacks, naming the key to add. Read with toml's parser alone (no serde):
/// the build script then adds no feature to a crate the functions use.
pub fn entry(text: &str) -> Result<Entry, String> {
    let manifest = DeTable::parse(text).map_err(|e| format!("not TOML: {e}"))?;
    let manifest = manifest.get_ref();
    let package = table(manifest, "package");
    let name = package
        .and_then(|p| string(p, "name"))
        .ok_or("no [package] name")?
        .to_owned();
    let metadata = package.and_then(|p| table(p, "metadata"));
    let table_name = metadata
        .and_then(|m| table(m, "lambda"))
        .and_then(|l| table(l, "env"))
        .and_then(|e| string(e, "TABLE_NAME"))
        .ok_or("no [package.metadata.lambda.env] TABLE_NAME (its table's logical id)")?
        .to_owned();
    let catalog = metadata
        .and_then(|m| table(m, "catalog"))
        .ok_or("no [package.metadata.catalog] (contract, trigger, bench-events)")?;
    for key in catalog.keys() {
        let key: &str = key.get_ref();
        if !["contract", "trigger", "bench-events"].contains(&key) {
            return Err(format!("[package.metadata.catalog]: unknown key `{key}`"));
        }
    }
    let contract = match catalog.get("contract") {
        None => None,
        Some(_) => Some(
            string(catalog, "contract")
                .ok_or("contract: not a string")?
                .to_owned(),
        ),
    };
    let stream = match (catalog.get("trigger"), string(catalog, "trigger")) {
        (None, _) | (_, Some("http")) => false,
        (_, Some("stream")) => true,
        _ => return Err("trigger: \"http\" or \"stream\"".to_owned()),
    };
    let events = table(catalog, "bench-events")
        .ok_or("no bench-events: { <binary> = \"<file of events/<binary>/>\" }")?;
    let mut bench_events = BTreeMap::new();
    for (binary, file) in events.iter() {
        let binary: &str = binary.get_ref();
        match file.get_ref() {
            DeValue::String(f) if f.ends_with(".json") && !f.contains('/') => {
                bench_events.insert(binary.to_owned(), f.to_string());
            }
            _ => return Err(format!("bench-events.{binary}: a file name of events/{binary}/")),
        }
    }
    let mut binaries = Vec::new();
    for binary in binary_names(manifest, &name)? {
        let event = bench_events
            .remove(&binary)
            .ok_or_else(|| format!("bench-events: no event for the binary {binary}"))?;
        binaries.push((binary, event));
    }
    if let Some(extra) = bench_events.keys().next() {
        return Err(format!("bench-events: {extra} is not a binary of the package"));
    }
    Ok(Entry {
        package: name,
        contract,
        stream,
        table: table_name,
        binaries,
    })
}

/// The `[[bin]]` names, or the package's name when there is none.
fn binary_names(manifest: &DeTable<'_>, package: &str) -> Result<Vec<String>, String> {
    let Some(bins) = manifest.get("bin") else {
        return Ok(vec![package.to_owned()]);
    };
    let DeValue::Array(bins) = bins.get_ref() else {
        return Err("[[bin]]: not an array".to_owned());
    };
    bins.iter()
        .map(|b| match b.get_ref() {
            DeValue::Table(b) => string(b, "name")
                .map(str::to_owned)
                .ok_or_else(|| "[[bin]] without a name".to_owned()),
            _ => Err("[[bin]]: not a table".to_owned()),
        })
        .collect()
}

/// The catalog's order: by contract, then the functions with none, each
/// group by package.
pub fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        (a.contract.is_none(), &a.contract, &a.package).cmp(&(b.contract.is_none(), &b.contract, &b.package))
    });
}

/// `entries` as the source of `FUNCTIONS`.
pub fn source(entries: &[Entry]) -> String {
    let mut out = String::from(
        "/// Every function crate of the workspace, in catalog order.\npub const FUNCTIONS: &[Function] = &[\n",
    );
    for e in entries {
        let trigger = if e.stream { "Stream" } else { "Http" };
        out.push_str(&format!(
            "    Function {{\n        package: {:?},\n        contract: {:?},\n        fuzz_target: {:?},\n        binaries: &[\n",
            e.package,
            e.contract,
            e.package.replace('-', "_"),
        ));
        for (binary, event) in &e.binaries {
            out.push_str(&format!(
                "            Binary {{ name: {binary:?}, trigger: Trigger::{trigger}, table: {:?}, bench_event: {:?} }},\n",
                e.table,
                format!("events/{binary}/{event}"),
            ));
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n");
    out
}
