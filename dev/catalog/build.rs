//! Writes the catalog (`FUNCTIONS`) from the manifests of `functions/*/`
//! (`src/manifest.rs` says what each must hold). A crate whose manifest
//! lacks its entry fails the build, naming the key to add.

#[path = "src/manifest.rs"]
mod manifest;

use std::{fs, path::Path};

fn main() {
    let functions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../functions");
    // A new crate of `functions/*` (a workspace member) enters Cargo.lock.
    println!("cargo::rerun-if-changed=../../Cargo.lock");
    let mut dirs: Vec<_> = fs::read_dir(&functions)
        .expect("functions/")
        .map(|d| d.expect("functions/").path())
        .filter(|d| d.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    let mut entries = Vec::new();
    for dir in dirs {
        let path = dir.join("Cargo.toml");
        println!("cargo::rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).expect("a function's Cargo.toml");
        match manifest::entry(&text) {
            Ok(entry) => entries.push(entry),
            Err(lack) => panic!("{}: {lack} (see dev/catalog/src/manifest.rs)", path.display()),
        }
    }
    manifest::sort(&mut entries);
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("functions.rs");
    fs::write(out, manifest::source(&entries)).expect("OUT_DIR/functions.rs");
}
