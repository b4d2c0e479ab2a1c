//! Every endpoint crate has the same module layout (functions/README.md),
//! so learning one predicts the next, and no endpoint commits or retries a
//! write outside the shared driver (`shared::store::write`).

use std::collections::BTreeSet;
use std::path::Path;
use testkit::workspace_root;

/// The modules every endpoint crate has, and nothing else at the top level.
const MODULES: [&str; 8] = [
    "lib", "auth", "request", "change", "store", "response", "error", "seed",
];

/// What no endpoint crate may call: committing, classifying or retrying a
/// write is the shared driver's job.
const DRIVER_ONLY: [&str; 6] = [
    "optimistic::",
    "claims::commit",
    ".transact(",
    "transact::",
    "MAX_ATTEMPTS",
    "store_failure!",
];

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
        let src = dir.join("src");
        let mut files = BTreeSet::new();
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                assert!(
                    name == "bin" || MODULES.contains(&name.as_str()),
                    "{}: src/{name}/ is not the folder of a standard module",
                    dir.display()
                );
            } else if name != "main" {
                files.insert(name);
            }
        }
        let expected: BTreeSet<String> = MODULES.iter().map(|m| (*m).to_owned()).collect();
        assert_eq!(files, expected, "{}: top-level modules", dir.display());
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_endpoint_commits_or_retries_outside_the_shared_driver() {
    for dir in crates() {
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for banned in DRIVER_ONLY {
                    assert!(
                        !code.contains(banned),
                        "{}:{}: `{banned}` belongs to the shared write driver: {line}",
                        file.display(),
                        n + 1
                    );
                }
            }
        }
    }
}
