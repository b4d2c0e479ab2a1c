use super::{FUNCTIONS, endpoints};
use std::path::Path;

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

/// Each endpoint's `check_request` agrees with its events
/// (`events/<binary>/<status>-<case>.json`): it accepts every 2xx event,
/// refuses at least one (each endpoint has an event refused for its
/// request alone), and an event it refuses is answered with the status it
/// refuses it with, or with a 401 or 403, which the handler decides first
/// (the credential). It may accept an event the handler refuses for what
/// only the table tells (a stored code, a tenant's custom fields).
#[test]
fn check_request_agrees_with_each_endpoint_s_events() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for endpoint in endpoints() {
        let dir = root.join("events").join(endpoint.binary);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        let mut refused = 0;
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let status = name
                .split('-')
                .next()
                .and_then(|s| s.parse::<u16>().ok())
                .unwrap_or_else(|| panic!("{}/{name}: not named <status>-<case>.json", endpoint.binary));
            let request = lambda_http::request::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let refusal = (endpoint.refusal)(&request);
            if (200..300).contains(&status) {
                assert_eq!(refusal, None, "{}/{name}: a 2xx event refused", endpoint.binary);
            }
            if let Some(found) = refusal {
                refused += 1;
                assert!(
                    found.as_u16() == status || [401, 403].contains(&status),
                    "{}/{name}: check_request refuses it with {found}",
                    endpoint.binary
                );
            }
        }
        assert!(
            refused > 0,
            "{}: check_request refuses none of its events",
            endpoint.binary
        );
    }
}
