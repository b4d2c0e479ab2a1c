use super::{FUNCTIONS, endpoints};

/// The registry holds exactly the catalog's functions with a route, in its
/// order, each with its HTTP binaries on the table the catalog names.
#[test]
fn the_registry_is_the_catalog_s_http_functions() {
    let registry: Vec<(&str, Vec<(&str, &str)>)> = FUNCTIONS
        .iter()
        .map(|f| {
            (
                f.seed.name,
                f.endpoints.iter().map(|e| (e.binary, e.table)).collect(),
            )
        })
        .collect();
    let catalog: Vec<(&str, Vec<(&str, &str)>)> = catalog::FUNCTIONS
        .iter()
        .filter(|f| f.http_binaries().next().is_some())
        .map(|f| (f.package, f.http_binaries().map(|b| (b.name, b.table)).collect()))
        .collect();
    assert_eq!(
        registry, catalog,
        "dev/endpoints/src/lib.rs FUNCTIONS (left) must list the functions of dev/catalog with \
         HTTP binaries (right), in its order: add a `Function` with \
         `endpoint::<your_crate::YourEndpoint>(\"binary\")` per binary and \
         `section::<your_crate::seed::Seed>()`, and the crate to dev/endpoints/Cargo.toml; \
         packages come from each seed::Section::NAME, tables from each Endpoint::TABLE"
    );
}

/// Each seed section goes to the table its function's endpoints use.
#[test]
fn each_seed_section_goes_to_its_endpoints_table() {
    for f in FUNCTIONS {
        for e in f.endpoints {
            assert_eq!(f.seed.table, e.table, "{}", e.binary);
        }
    }
}

/// Each endpoint's log target, derived from its type, is the crate of the
/// catalog's function that serves it: its `main` lets exactly that crate
/// log below INFO.
#[test]
fn each_endpoint_logs_as_its_function_s_crate() {
    for endpoint in endpoints() {
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
