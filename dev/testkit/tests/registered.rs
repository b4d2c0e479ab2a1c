//! Every function crate is registered everywhere a function must be, so a
//! new function forgotten in one place fails here, by name, saying what to
//! add where, instead of silently (a template without its function, an
//! event file missing, a fuzz target absent).
//!
//! The crates of `functions/` are held equal to the catalog (`dev/catalog`),
//! from which the tooling derives its lists (bench, fuzz runs, load
//! harness); what cannot be derived from it is held equal to it here (the
//! template, `openapi.yaml`, `events/`; `fuzz/`'s two binaries run the
//! derived targets) or by its own crate's test (the registry in
//! `dev/endpoints`, a stream function's fuzz logic in `dev/fuzzing`, the
//! demo sections of `dev/seeding`, the bench paths of `bench-driver`). The
//! smoke probes and schemathesis' operations are derived from each route's
//! 2xx event (`xtask`'s `success_events`).
//! functions/README.md, "Adding a function", lists every step.
//!
//! A function is a binary of a crate in `functions/` (a crate may have
//! several: `update-current-account` also builds `confirm-account-email`).

use catalog::{FUNCTIONS, Trigger};
use serde_norway::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use testkit::workspace_root;

/// A binary of a crate in `functions/`.
#[derive(Debug)]
struct Found {
    /// The crate's directory name (its package).
    package: String,
    /// The binary.
    name: String,
    /// Its `main` is `shared::lambda_main!(..)` (else a stream function).
    http: bool,
}

/// The binaries of every crate in `functions/`, read from its manifest.
fn binaries() -> Vec<Found> {
    let mut out = Vec::new();
    let mut crates: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("functions"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    crates.sort();
    for dir in crates {
        let package = dir.file_name().unwrap().to_string_lossy().into_owned();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let field = |section: &str, key: &str| {
            section.lines().find_map(|l| {
                let value = l.trim().strip_prefix(key)?.trim_start().strip_prefix('=')?;
                Some(value.trim().trim_matches('"').to_owned())
            })
        };
        let mut found: Vec<(String, PathBuf)> = manifest
            .split("[[bin]]")
            .skip(1)
            .filter_map(|section| {
                let name = field(section, "name")?;
                let path = field(section, "path").unwrap_or_else(|| format!("src/bin/{name}.rs"));
                Some((name, dir.join(path)))
            })
            .collect();
        if found.is_empty() && dir.join("src/main.rs").exists() {
            // The default binary, named as the package.
            found.push((package.clone(), dir.join("src/main.rs")));
        }
        assert!(!found.is_empty(), "{}: no binary", dir.display());
        for (name, source) in found {
            let main =
                std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
            out.push(Found {
                package: package.clone(),
                name,
                http: main.contains("shared::lambda_main!("),
            });
        }
    }
    assert!(out.len() >= 6, "{out:?}");
    out
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(workspace_root().join(path)).unwrap()
}

/// One line per binary: `package binary http|stream`.
fn lines<'a>(binaries: impl Iterator<Item = (&'a str, &'a str, bool)>) -> BTreeSet<String> {
    binaries
        .map(|(package, name, http)| format!("{package} {name} {}", if http { "http" } else { "stream" }))
        .collect()
}

#[test]
fn the_catalog_has_every_binary_with_the_trigger_its_main_serves() {
    let found = binaries();
    let crates = lines(
        found
            .iter()
            .map(|b| (b.package.as_str(), b.name.as_str(), b.http)),
    );
    let listed = lines(FUNCTIONS.iter().flat_map(|f| {
        f.binaries
            .iter()
            .map(|b| (f.package, b.name, b.trigger == Trigger::Http))
    }));
    let missing: Vec<_> = crates.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&crates).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "dev/catalog must list every binary of functions/ with its trigger: `http` (the \
         default) when its main is shared::lambda_main!, else `stream`, in the crate's \
         [package.metadata.catalog] (dev/catalog/src/manifest.rs):\n  \
         found: {missing:?}\n  catalogued: {extra:?}"
    );
}

/// `!Ref X` (or a plain string) as `X`.
fn reference(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        other => other.as_str(),
    }
}

/// The template's resources: (logical id, resource).
fn resources(template: &Value) -> Vec<(&str, &Value)> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(id, r)| (id.as_str().unwrap(), r))
        .collect()
}

#[test]
fn every_function_has_its_template_resource_and_event_files() {
    let template: Value = serde_norway::from_str(&read("template.yaml")).unwrap();
    let resources = resources(&template);
    for bin in catalog::binaries() {
        let name = bin.name;
        let function = resources
            .iter()
            .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(name));
        let Some((id, function)) = function else {
            panic!(
                "template.yaml: no function builds the binary {name}: add an \
                 AWS::Serverless::Function with `Metadata: BuildProperties: Binary: {name}`"
            );
        };
        let table = reference(&function["Properties"]["Environment"]["Variables"]["TABLE_NAME"]);
        assert_eq!(
            table,
            Some(bin.table),
            "template.yaml: {id}'s TABLE_NAME must be `!Ref {}`, the table dev/catalog names for {name}",
            bin.table
        );
        let of_type = |logical_id: &str, kind: &str| {
            resources
                .iter()
                .any(|(i, r)| *i == logical_id && r["Type"].as_str() == Some(kind))
        };
        assert!(
            of_type(bin.table, "AWS::DynamoDB::Table"),
            "template.yaml: no AWS::DynamoDB::Table {} ({name}'s table): add it",
            bin.table
        );
        let logs = reference(&function["Properties"]["LoggingConfig"]["LogGroup"]);
        assert!(
            logs.is_some_and(|logs| of_type(logs, "AWS::Logs::LogGroup")),
            "template.yaml: {id}'s `LoggingConfig: LogGroup` must be `!Ref` an AWS::Logs::LogGroup of \
             the template (its retention and name): add one, as the other functions have, found {logs:?}"
        );
        if bin.trigger == Trigger::Stream {
            let mapped = resources.iter().any(|(_, r)| {
                r["Type"].as_str() == Some("AWS::Lambda::EventSourceMapping")
                    && reference(&r["Properties"]["FunctionName"]) == Some(id)
            });
            assert!(
                mapped,
                "template.yaml: no AWS::Lambda::EventSourceMapping has `FunctionName: !Ref {id}` \
                 ({name} is a stream function)"
            );
        }
        let events = workspace_root().join("events").join(name);
        let count = std::fs::read_dir(&events)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0);
        assert!(
            count > 0,
            "events/{name}/ has no event file: add one event per expected status, named <status>-<case>.json"
        );
    }
}

#[test]
fn every_http_function_has_a_route_and_its_operations() {
    let routes = testkit::routes::template_routes(&workspace_root().join("template.yaml")).unwrap();
    let spec: Value = serde_norway::from_str(&read("openapi.yaml")).unwrap();
    for bin in catalog::http_binaries() {
        let name = bin.name;
        let mine: Vec<_> = routes.iter().filter(|r| r.function == name).collect();
        assert!(
            !mine.is_empty(),
            "template.yaml: no HttpApi route invokes {name}: add an `Events:` entry of `Type: HttpApi` to its function"
        );
        for route in mine {
            let operation = spec
                .get("paths")
                .and_then(|p| p.get(route.path.as_str()))
                .and_then(|p| p.get(route.method.to_ascii_lowercase().as_str()));
            assert!(
                operation.is_some(),
                "openapi.yaml: no operation {} for {name}: add `{}: {}:` under `paths`",
                route.key(),
                route.path,
                route.method.to_ascii_lowercase()
            );
        }
    }
}

/// `key` of each entry of the array of tables `array` in the TOML file
/// `path` (`[[bin]] name`), in file order.
/// Rust source without its `//` comments (a name in a comment registers
/// nothing).
fn without_comments(source: &str) -> String {
    source
        .lines()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn toml_field(path: &str, array: &str, key: &str) -> Vec<String> {
    let file: toml::Table = read(path).parse().unwrap();
    file[array]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: no [[{array}]]"))
        .iter()
        .filter_map(|entry| entry.get(key).and_then(|v| v.as_str()).map(str::to_owned))
        .collect()
}

/// `fuzz/` (a workspace of its own, so no test of its own) builds the two
/// binaries every target runs in: `json_body`, and `function`, which runs
/// the target `FUZZ_TARGET` names (dev/fuzzing derives one per function).
#[test]
fn the_fuzz_binaries_run_dev_fuzzing_s_targets() {
    let bins = toml_field("fuzz/Cargo.toml", "bin", "name");
    assert_eq!(
        bins,
        ["json_body", "function"],
        "fuzz/Cargo.toml's [[bin]] targets"
    );
    for (bin, call) in [
        ("json_body", "fuzzing::json_body(data)"),
        ("function", "fuzzing::target_from_env()"),
    ] {
        let source = format!("fuzz/fuzz_targets/{bin}.rs");
        let text = std::fs::read_to_string(workspace_root().join(&source)).unwrap_or_default();
        assert!(text.contains(call), "{source}: missing, or not calling `{call}`");
    }
}

#[test]
fn every_stream_function_runs_in_the_local_run() {
    let dev = without_comments(&read("dev/xtask/src/dev.rs"));
    for f in FUNCTIONS {
        if !f.binaries.iter().any(|b| b.trigger == Trigger::Stream) {
            continue;
        }
        let lib = f.crate_name();
        assert!(
            dev.contains(&format!("{lib}::")),
            "dev/xtask/src/dev.rs: `cargo xtask dev` does not run {lib}'s handler on its stream: \
             add it as send_account_email's is"
        );
    }
}
