//! Every endpoint crate has the same module layout (functions/README.md),
//! so learning one predicts the next. What types can say is said by them:
//! each contract is a `shared::endpoint::Endpoint`, and the store's raw
//! writes (UpdateItem, TransactWriteItems) are private to `shared`, so no
//! endpoint can commit or retry a write outside the shared driver.

use std::collections::BTreeSet;
use testkit::workspace_root;

/// The modules every endpoint crate has, and nothing else at the top level.
const MODULES: &[&str] = &[
    "lib", "auth", "request", "change", "store", "response", "error", "seed",
];

/// The modules of a function fed by a stream instead of HTTP (the mailer):
/// what the record asks, the store, the messages, their transports, the
/// batch response and the errors.
const STREAM_MODULES: &[&str] = &[
    "lib",
    "request",
    "store",
    "mail",
    "transport",
    "response",
    "error",
];

/// An endpoint crate's `main.rs` is the one line `shared::lambda_main!(..)`;
/// any other function crate is fed by a stream.
fn is_endpoint(dir: &std::path::Path) -> bool {
    std::fs::read_to_string(dir.join("src/main.rs")).is_ok_and(|m| m.contains("shared::lambda_main!("))
}

fn crates() -> Vec<std::path::PathBuf> {
    let mut crates: Vec<_> = std::fs::read_dir(workspace_root().join("functions"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    assert!(crates.len() >= 5, "{crates:?}");
    crates
}

#[test]
fn every_endpoint_crate_has_the_same_modules() {
    for dir in crates() {
        let modules = if is_endpoint(&dir) {
            MODULES
        } else {
            STREAM_MODULES
        };
        let src = dir.join("src");
        let mut files = BTreeSet::new();
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                assert!(
                    name == "bin" || modules.contains(&name.as_str()),
                    "{}: src/{name}/ is not the folder of a standard module",
                    dir.display()
                );
            } else if name != "main" {
                files.insert(name);
            }
        }
        let expected: BTreeSet<String> = modules.iter().map(|m| (*m).to_owned()).collect();
        assert_eq!(files, expected, "{}: top-level modules", dir.display());
    }
}
