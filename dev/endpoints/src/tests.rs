use super::ENDPOINTS;

/// The registry serves exactly the catalog's HTTP binaries, in its order,
/// each on the table the catalog names.
#[test]
fn the_registry_is_the_catalog_s_http_binaries() {
    let registry: Vec<(&str, &str)> = ENDPOINTS.iter().map(|e| (e.binary, e.table)).collect();
    let catalog: Vec<(&str, &str)> = catalog::http_binaries().map(|b| (b.name, b.table)).collect();
    assert_eq!(
        registry, catalog,
        "dev/endpoints/src/lib.rs ENDPOINTS (left) must list the HTTP binaries of dev/catalog \
         (right), in its order: add `endpoint::<your_crate::YourEndpoint>(\"binary\")` and \
         the crate to dev/endpoints/Cargo.toml; the tables come from each Endpoint::TABLE"
    );
}

/// Each endpoint's log target, derived from its type, is the crate of the
/// catalog's function that serves it: its `main` lets exactly that crate
/// log below INFO.
#[test]
fn each_endpoint_logs_as_its_function_s_crate() {
    for endpoint in ENDPOINTS {
        let function = catalog::FUNCTIONS
            .iter()
            .find(|f| f.binaries.iter().any(|b| b.name == endpoint.binary))
            .expect("a catalog function serves each endpoint");
        assert_eq!(
            (endpoint.log_target)(),
            function.crate_name(),
            "{}",
            endpoint.binary
        );
    }
}
