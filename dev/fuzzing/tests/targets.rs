//! The fuzz targets' logic covers exactly the catalog's targets
//! (`dev/catalog`), in its order: a function added there without its
//! target here fails, by name.

#[test]
fn the_targets_are_the_catalog_s() {
    let here: Vec<&str> = fuzzing::TARGETS.iter().map(|t| t.name).collect();
    let catalog: Vec<&str> = catalog::fuzz_targets().collect();
    assert_eq!(
        here, catalog,
        "dev/fuzzing/src/lib.rs TARGETS (left) must be dev/catalog's fuzz targets (right), in \
         its order: add `Target {{ name: \"your_crate\", run: your_crate }}` and \
         `pub fn your_crate(data: &[u8]) -> Verdict` (parse + validate, no DynamoDB)"
    );
}
