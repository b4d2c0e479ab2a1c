use super::*;
use crate::manifest;
use std::collections::BTreeSet;

#[test]
fn names_are_unique() {
    let unique = packages().collect::<BTreeSet<_>>().len();
    assert_eq!(unique, FUNCTIONS.len(), "a package listed twice");
    let unique = binaries().map(|b| b.name).collect::<BTreeSet<_>>().len();
    assert_eq!(unique, binaries().count(), "a binary listed twice");
    let unique = fuzz_targets().collect::<BTreeSet<_>>().len();
    assert_eq!(unique, fuzz_targets().count(), "a fuzz target listed twice");
    let contracts: Vec<_> = FUNCTIONS.iter().filter_map(|f| f.contract).collect();
    let unique = contracts.iter().collect::<BTreeSet<_>>().len();
    assert_eq!(
        unique,
        contracts.len(),
        "two functions name one contract in [package.metadata.catalog]: {contracts:?}"
    );
}

/// The catalog is ordered by contract, the functions without one last;
/// the contracts' functions and the mailer are in it as their manifests
/// say (a function added later may stand anywhere the order puts it).
#[test]
fn the_functions_are_in_contract_order_then_those_without_one() {
    let keys: Vec<_> = FUNCTIONS
        .iter()
        .map(|f| (f.contract.is_none(), f.contract, f.package))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let contract = |c: &str| FUNCTIONS.iter().find(|f| f.contract == Some(c)).unwrap().package;
    assert_eq!(contract("000"), "update-account-metadata");
    assert_eq!(contract("003"), "update-current-account");
    assert_eq!(contract("004"), "update-account-v2");
    let mailer = FUNCTIONS
        .iter()
        .find(|f| f.package == "send-account-email")
        .unwrap();
    assert_eq!(
        (mailer.contract, mailer.binaries[0].trigger),
        (None, Trigger::Stream)
    );
    let current = FUNCTIONS
        .iter()
        .find(|f| f.package == "update-current-account")
        .unwrap();
    let names: Vec<_> = current.binaries.iter().map(|b| (b.name, b.bench_event)).collect();
    assert_eq!(
        names,
        [
            (
                "update-current-account",
                "events/update-current-account/200-contract-example.json"
            ),
            (
                "confirm-account-email",
                "events/confirm-account-email/401-unknown-token.json"
            ),
        ]
    );
    assert_eq!(current.fuzz_target, "update_current_account");
}

const MANIFEST: &str = r#"
[package]
name = "update-things"

[[bin]]
name = "update-things"

[[bin]]
name = "confirm-things"

[package.metadata.lambda.env]
TABLE_NAME = "ThingsTable"

[package.metadata.catalog]
contract = "005"
bench-events = { update-things = "200-a.json", confirm-things = "401-b.json" }
"#;

#[test]
fn a_manifest_gives_its_package_contract_table_and_binaries() {
    let entry = manifest::entry(MANIFEST).unwrap();
    assert_eq!(entry.package, "update-things");
    assert_eq!(entry.contract.as_deref(), Some("005"));
    assert!(!entry.stream);
    assert_eq!(entry.table, "ThingsTable");
    assert_eq!(
        entry.binaries,
        [
            ("update-things".to_owned(), "200-a.json".to_owned()),
            ("confirm-things".to_owned(), "401-b.json".to_owned())
        ]
    );
    let source = manifest::source(&[entry]);
    assert!(source.contains(r#"contract: Some("005")"#), "{source}");
    assert!(source.contains(r#"fuzz_target: "update_things""#), "{source}");
    assert!(
        source.contains(r#"bench_event: "events/confirm-things/401-b.json""#),
        "{source}"
    );
}

#[test]
fn a_manifest_lacking_its_entry_is_refused_naming_the_key() {
    let cases = [
        (
            MANIFEST.replace("[package.metadata.catalog]", "[package.metadata.other]"),
            "[package.metadata.catalog]",
        ),
        (MANIFEST.replace("TABLE_NAME", "TABLE"), "TABLE_NAME"),
        (
            MANIFEST.replace(r#", confirm-things = "401-b.json""#, ""),
            "no event for the binary confirm-things",
        ),
        (
            MANIFEST.replace("confirm-things = ", "confirm-thing = "),
            "no event for the binary confirm-things",
        ),
        (
            MANIFEST.replace(r#""401-b.json""#, r#""x/401-b.json""#),
            "bench-events.confirm-things",
        ),
        (
            MANIFEST.replace(r#"contract = "005""#, r#"trigger = "cron""#),
            "trigger",
        ),
        (
            MANIFEST.replace(r#"contract = "005""#, r#"contracts = "005""#),
            "unknown key `contracts`",
        ),
    ];
    for (text, named) in cases {
        let refused = manifest::entry(&text).unwrap_err();
        assert!(refused.contains(named), "{refused:?} does not name {named}");
    }
    let one_binary = MANIFEST.replace("[[bin]]\nname = \"confirm-things\"\n", "");
    let refused = manifest::entry(&one_binary).unwrap_err();
    assert!(refused.contains("confirm-things is not a binary"), "{refused}");
}

#[test]
fn a_package_without_bins_is_one_binary_and_a_stream_sorts_last() {
    let text = MANIFEST
        .replace(
            "[[bin]]\nname = \"update-things\"\n\n[[bin]]\nname = \"confirm-things\"\n",
            "",
        )
        .replace(r#", confirm-things = "401-b.json""#, "");
    let first = manifest::entry(&text).unwrap();
    assert_eq!(first.binaries.len(), 1);
    let streamed = text
        .replace(r#"contract = "005""#, r#"trigger = "stream""#)
        .replace("update-things", "a-stream");
    let stream = manifest::entry(&streamed).unwrap();
    assert!(stream.stream && stream.contract.is_none());
    let mut entries = vec![stream, first];
    manifest::sort(&mut entries);
    assert_eq!(entries[0].package, "update-things");
}

#[test]
fn each_bench_event_is_one_of_its_binary_s_events() {
    for b in binaries() {
        let dir = format!("events/{}/", b.name);
        let file = b.bench_event.strip_prefix(&dir);
        assert!(
            file.is_some_and(|f| f.ends_with(".json") && !f.contains('/')),
            "{}: bench event {} is not a file of {dir}",
            b.name,
            b.bench_event
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(b.bench_event);
        assert!(path.is_file(), "{}: {} does not exist", b.name, b.bench_event);
    }
}

#[test]
fn every_function_has_a_binary() {
    for f in FUNCTIONS {
        assert!(!f.binaries.is_empty(), "{}: no binary", f.package);
    }
}

#[test]
fn each_table_is_listed_once_in_catalog_order() {
    let tables = tables();
    let unique = tables.iter().collect::<BTreeSet<_>>().len();
    assert_eq!(unique, tables.len(), "{tables:?}");
    assert_eq!(tables.first(), binaries().next().map(|b| &b.table));
    for b in binaries() {
        assert!(
            tables.contains(&b.table),
            "{}: its table {} is missing",
            b.name,
            b.table
        );
    }
}
