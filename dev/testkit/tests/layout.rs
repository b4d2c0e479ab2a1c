//! Every endpoint crate has the same module layout (functions/README.md),
//! so learning one predicts the next. What types can say is said by them:
//! each contract is a `shared::endpoint::Endpoint`, and the store's raw
//! writes (UpdateItem, TransactWriteItems) are private to `shared`, so no
//! endpoint can commit or retry a write outside the shared driver.
//!
//! What types cannot say is checked here by reading the sources as text:
//! the top-level modules of each function crate and of `shared` import each
//! other in no circle, and storage types (`AttributeValue`) are named only
//! in a function crate's `store` modules.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
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

/// The crates whose top-level modules must not import each other in a
/// circle: every function crate and `shared`.
fn module_crates() -> Vec<std::path::PathBuf> {
    let mut dirs = crates();
    dirs.push(workspace_root().join("shared"));
    dirs
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `text` without its comments (`//` to the end of the line, outside string
/// literals, and `/* */`): a doc link is not an import.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_string = !in_string;
                out.push(c);
            }
            '\\' if in_string => {
                out.push(c);
                out.extend(chars.next());
            }
            '/' if !in_string && chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if !in_string && chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The names the path `rest` (after `crate::` or the `super::`s that reach the crate
/// root) starts with: `store::x` names `store`, `{store, change::y}` names
/// both.
fn first_names(rest: &str) -> Vec<String> {
    let word = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let rest = rest.trim_start();
    let Some(group) = rest.strip_prefix('{') else {
        return vec![word(rest)];
    };
    let mut names = vec![word(group)];
    let mut depth = 1;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => names.push(word(&group[i + 1..])),
            _ => {}
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

/// The top-level modules (below the crate root) the file at `module` (its
/// path of module names from the root) refers to: `crate::<m>`,
/// `use crate::{<m>, ..}` and `super::`s that reach the crate root.
fn references(text: &str, module: &[String]) -> BTreeSet<String> {
    let text = without_comments(text);
    let mut found = BTreeSet::new();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    for (at, _) in text.match_indices("crate::") {
        if text[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        found.extend(first_names(&text[at + "crate::".len()..]));
    }
    for (at, _) in text.match_indices("super::") {
        if text[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let mut rest = &text[at..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        if text[..at].ends_with("super::") {
            continue; // counted from the first `super::` of the run
        }
        // Fewer `super`s stay inside the file's own top-level module.
        if ups == module.len() {
            found.extend(first_names(rest));
        }
    }
    found
}

/// For each top-level module of the crate at `dir`, the other top-level
/// modules its files refer to.
fn module_graph(dir: &Path) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let src = dir.join("src");
    let files = rust_files(&src);
    let mut modules = BTreeSet::new();
    let mut file_modules = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let mut path: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        if matches!(path[0].as_str(), "lib" | "main" | "bin") {
            continue;
        }
        modules.insert(path[0].clone());
        file_modules.push((file, path));
    }
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let aliases = root_aliases(&lib, &modules);
    let mut graph = std::collections::BTreeMap::<String, BTreeSet<String>>::new();
    for (file, path) in file_modules {
        let text = std::fs::read_to_string(file).unwrap();
        let edges = graph.entry(path[0].clone()).or_default();
        for name in references(&text, &path) {
            let name = aliases.get(&name).cloned().unwrap_or(name);
            if name != path[0] && modules.contains(&name) {
                edges.insert(name);
            }
        }
    }
    graph
}

/// The names the crate root re-exports from a top-level module
/// (`pub use store::{idempotency, scope};` makes `crate::scope` name
/// `store`), each with that module.
fn root_aliases(lib: &str, modules: &BTreeSet<String>) -> std::collections::BTreeMap<String, String> {
    let mut aliases = std::collections::BTreeMap::new();
    let lib = without_comments(lib);
    for (at, _) in lib.match_indices("pub use ") {
        let rest = &lib[at + "pub use ".len()..];
        let module: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(path) = rest[module.len()..].strip_prefix("::") else {
            continue;
        };
        if modules.contains(&module) {
            for name in first_names(path) {
                aliases.insert(name, module.clone());
            }
        }
    }
    aliases
}

/// A circle in `graph`, as the modules on it with the first repeated at the
/// end (`store -> change -> store`), if there is one.
fn circle(graph: &std::collections::BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        graph: &std::collections::BTreeMap<String, BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(graph, node, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let mut circles = Vec::new();
    for dir in module_crates() {
        if let Some(cycle) = circle(&module_graph(&dir)) {
            circles.push(format!("{}: {}", dir.display(), cycle.join(" -> ")));
        }
    }
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

#[test]
fn the_module_graph_sees_every_kind_of_reference() {
    let module = |path: &[&str]| -> Vec<String> { path.iter().map(|p| (*p).to_owned()).collect() };
    let names = |list: &[&str]| -> BTreeSet<String> { list.iter().map(|p| (*p).to_owned()).collect() };
    let text = "use crate::{\n    error::{ApiError, invalid},\n    request::AccountId,\n};\n\
                use super::store::x; // crate::response\nfn f() { crate::seed::items(); $crate::lib; }";
    assert_eq!(
        references(text, &module(&["change"])),
        names(&["error", "request", "seed", "store"])
    );
    assert_eq!(
        references(
            "use super::super::auth; use super::sibling;",
            &module(&["change", "custom"])
        ),
        names(&["auth"])
    );
    let graph = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"])]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), names(&v)))
        .collect();
    assert_eq!(circle(&graph), Some(module(&["a", "b", "c", "a"])));
    // A module the root re-exports from another stands for that one.
    let aliases = root_aliases(
        "pub mod store;\n/// `crate::scope`\npub use store::{idempotency, scope};\npub use lambda_http;",
        &names(&["store"]),
    );
    let store = |name: &str| (name.to_owned(), "store".to_owned());
    assert_eq!(
        aliases,
        [store("idempotency"), store("scope")].into_iter().collect()
    );
}

/// A store module: `src/store.rs` or a file below `src/store/`.
fn is_store_file(src: &Path, file: &Path) -> bool {
    let relative = file.strip_prefix(src).unwrap();
    relative == Path::new("store.rs") || relative.starts_with("store")
}

#[test]
fn attribute_values_are_named_only_in_store_modules() {
    let mut found = Vec::new();
    for dir in crates() {
        let src = dir.join("src");
        for file in rust_files(&src) {
            if !is_store_file(&src, &file)
                && std::fs::read_to_string(&file).unwrap().contains("AttributeValue")
            {
                found.push(
                    file.strip_prefix(workspace_root())
                        .unwrap_or(&file)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    assert!(
        found.is_empty(),
        "AttributeValue named outside store modules:\n{}",
        found.join("\n")
    );
}
