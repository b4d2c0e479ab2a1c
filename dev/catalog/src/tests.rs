use super::*;
use std::collections::BTreeSet;

#[test]
fn names_are_unique() {
    let unique = packages().collect::<BTreeSet<_>>().len();
    assert_eq!(unique, FUNCTIONS.len(), "a package listed twice");
    let unique = binaries().map(|b| b.name).collect::<BTreeSet<_>>().len();
    assert_eq!(unique, binaries().count(), "a binary listed twice");
    let unique = fuzz_targets().collect::<BTreeSet<_>>().len();
    assert_eq!(unique, fuzz_targets().count(), "a fuzz target listed twice");
}

#[test]
fn each_fuzz_target_is_named_as_its_crate() {
    for f in FUNCTIONS {
        assert_eq!(f.fuzz_target, f.crate_name(), "{}: its fuzz target", f.package);
    }
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
