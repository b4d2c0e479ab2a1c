//! The fuzz targets are the catalog's (`dev/catalog`), in its order, each
//! with its logic: a function with routes through the registry
//! (`dev/endpoints`), a stream function with its own.

/// Every target of the catalog has its logic, under the catalog's name:
/// building them panics, naming the function, when a stream function has
/// none or a function with routes is missing from the registry.
#[test]
fn the_targets_are_the_catalog_s() {
    let here: Vec<&str> = fuzzing::targets().iter().map(|t| t.name).collect();
    let catalog: Vec<&str> = catalog::fuzz_targets().collect();
    assert_eq!(here, catalog);
}

/// Every committed corpus belongs to a target.
#[test]
fn every_corpus_is_a_target_s() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let targets: Vec<&str> = catalog::fuzz_targets().collect();
    for dir in std::fs::read_dir(corpus).unwrap() {
        let name = dir.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            targets.contains(&name.as_str()),
            "fuzz/corpus/{name}: no such target"
        );
    }
}

/// The `function` binary's target comes from the environment, and a name
/// that is no target is refused by name.
#[test]
fn a_target_is_found_by_name_and_an_unknown_one_is_refused() {
    assert_eq!(fuzzing::target("update_account_v2").name, "update_account_v2");
    let unknown = std::panic::catch_unwind(|| fuzzing::target("update_nothing"));
    let message = *unknown.err().unwrap().downcast::<String>().unwrap();
    assert!(message.contains("no fuzz target \"update_nothing\""), "{message}");
}
