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

/// The entry of the manifest `text` (a crate's `Cargo.toml`), or what it
/// lacks, naming the key to add.
pub fn entry(text: &str) -> Result<Entry, String> {
    let manifest: toml::Table = text.parse().map_err(|e| format!("not TOML: {e}"))?;
    let package = manifest.get("package").and_then(toml::Value::as_table);
    let name = package
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .ok_or("no [package] name")?
        .to_owned();
    let metadata = package
        .and_then(|p| p.get("metadata"))
        .and_then(toml::Value::as_table);
    let table = metadata
        .and_then(|m| m.get("lambda"))
        .and_then(|l| l.get("env"))
        .and_then(|e| e.get("TABLE_NAME"))
        .and_then(toml::Value::as_str)
        .ok_or("no [package.metadata.lambda.env] TABLE_NAME (its table's logical id)")?
        .to_owned();
    let catalog = metadata
        .and_then(|m| m.get("catalog"))
        .and_then(toml::Value::as_table)
        .ok_or("no [package.metadata.catalog] (contract, trigger, bench-events)")?;
    for key in catalog.keys() {
        if !["contract", "trigger", "bench-events"].contains(&key.as_str()) {
            return Err(format!("[package.metadata.catalog]: unknown key `{key}`"));
        }
    }
    let contract = match catalog.get("contract") {
        None => None,
        Some(c) => Some(c.as_str().ok_or("contract: not a string")?.to_owned()),
    };
    let stream = match catalog.get("trigger").map(toml::Value::as_str) {
        None | Some(Some("http")) => false,
        Some(Some("stream")) => true,
        Some(_) => return Err("trigger: \"http\" or \"stream\"".to_owned()),
    };
    let mut bench_events: BTreeMap<String, String> = catalog
        .get("bench-events")
        .and_then(toml::Value::as_table)
        .ok_or("no bench-events: { <binary> = \"<file of events/<binary>/>\" }")?
        .iter()
        .map(|(binary, file)| match file.as_str() {
            Some(f) if f.ends_with(".json") && !f.contains('/') => Ok((binary.clone(), f.to_owned())),
            _ => Err(format!("bench-events.{binary}: a file name of events/{binary}/")),
        })
        .collect::<Result<_, _>>()?;
    let mut binaries = Vec::new();
    for binary in binary_names(&manifest, &name)? {
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
        table,
        binaries,
    })
}

/// The `[[bin]]` names, or the package's name when there is none.
fn binary_names(manifest: &toml::Table, package: &str) -> Result<Vec<String>, String> {
    let Some(bins) = manifest.get("bin") else {
        return Ok(vec![package.to_owned()]);
    };
    bins.as_array()
        .ok_or("[[bin]]: not an array")?
        .iter()
        .map(|b| {
            b.get("name")
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| "[[bin]] without a name".to_owned())
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
