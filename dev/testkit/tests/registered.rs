//! Every function crate is registered everywhere a function must be, so a
//! new endpoint forgotten in one place fails here, by name, instead of
//! silently (a template without its function, a log target capped at
//! INFO, an event file missing, a fuzz target or local handler absent).
//!
//! A function is a binary of a crate in `functions/` (a crate may have
//! several: `update-current-account` also builds `confirm-account-email`).

use std::path::{Path, PathBuf};
use testkit::workspace_root;

/// The binaries of every crate in `functions/`: (crate directory, binary).
fn binaries() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut crates: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("functions"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    for dir in crates {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let mut names: Vec<String> = manifest
            .split("[[bin]]")
            .skip(1)
            .filter_map(|section| {
                section
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("name = "))
                    .map(|n| n.trim_matches('"').to_owned())
            })
            .collect();
        if names.is_empty() && dir.join("src/main.rs").exists() {
            // The default binary, named as the package.
            names.push(dir.file_name().unwrap().to_string_lossy().into_owned());
        }
        assert!(!names.is_empty(), "{}: no binary", dir.display());
        for name in names {
            out.push((dir.clone(), name));
        }
    }
    assert!(out.len() >= 6, "{out:?}");
    out
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(workspace_root().join(path)).unwrap()
}

fn crate_name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().replace('-', "_")
}

#[test]
fn every_function_has_its_template_resource_and_event_files() {
    let template = read("template.yaml");
    for (_, bin) in binaries() {
        assert!(
            template.contains(&format!("Binary: {bin}\n")),
            "template.yaml: no function builds the binary {bin} (Metadata: BuildProperties: Binary)"
        );
        let events = workspace_root().join("events").join(&bin);
        let count = std::fs::read_dir(&events)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0);
        assert!(count > 0, "events/{bin}/ has no event file");
    }
}

#[test]
fn every_function_crate_logs_below_info_and_has_a_fuzz_target() {
    let fuzz = read("fuzz/Cargo.toml");
    for (dir, bin) in binaries() {
        let lib = crate_name(&dir);
        for target in [lib.clone(), bin.replace('-', "_")] {
            assert!(
                shared::telemetry::WORKSPACE_TARGETS.contains(&target.as_str()),
                "shared::telemetry::WORKSPACE_TARGETS lacks {target}: its logs would be capped at INFO"
            );
        }
        assert!(
            fuzz.contains(&format!("name = \"{lib}\"")),
            "fuzz/Cargo.toml has no target {lib}"
        );
    }
}

/// An endpoint's `main.rs` is `shared::lambda_main!(..)`; any other
/// function is fed by a stream.
fn is_endpoint(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("src/main.rs")).is_ok_and(|m| m.contains("shared::lambda_main!("))
}

#[test]
fn every_stream_function_runs_in_the_local_run_with_its_template_filter() {
    let dev = read("dev/xtask/src/dev.rs");
    let template = read("template.yaml");
    for (dir, _) in binaries().into_iter().filter(|(dir, _)| !is_endpoint(dir)) {
        let lib = crate_name(&dir);
        assert!(
            dev.contains(&format!("{lib}::")),
            "dev/xtask/src/dev.rs: `cargo xtask dev` does not run {lib}'s handler on its stream"
        );
        assert!(
            template.contains("Type: AWS::Lambda::EventSourceMapping"),
            "template.yaml: {lib} has no event source mapping"
        );
    }
}

#[test]
fn every_function_is_served_by_the_local_api_and_measured_by_the_bench() {
    let local = read("dev/xtask/src/functions.rs");
    let bench = read("dev/bench-driver/src/scenarios.rs");
    for (dir, bin) in binaries().into_iter().filter(|(dir, _)| is_endpoint(dir)) {
        assert!(
            local.contains(&format!("\"{bin}\"")),
            "dev/xtask/src/functions.rs: the local API has no handler for {bin}"
        );
        let lib = crate_name(&dir);
        assert!(
            bench.contains(&lib),
            "dev/bench-driver/src/scenarios.rs: the bench has no scenario of {lib}"
        );
    }
}
