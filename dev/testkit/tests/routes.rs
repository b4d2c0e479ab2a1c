//! The project's routes deploy: `template.yaml` has no route API Gateway
//! would refuse, the per-route settings name real routes, and the router of
//! `cargo lambda watch` (workspace `Cargo.toml`) serves exactly the
//! template's routes with the same functions.

use testkit::routes::{self, Route};
use testkit::workspace_root;

fn template_routes() -> Vec<Route> {
    routes::template_routes(&workspace_root().join("template.yaml")).unwrap()
}

#[test]
fn template_routes_have_no_conflicts() {
    let routes = template_routes();
    assert!(routes.len() >= 7, "{routes:?}");
    let problems = routes::conflicts(&routes);
    assert!(problems.is_empty(), "API Gateway would refuse: {problems:#?}");
}

#[test]
fn route_settings_name_defined_routes() {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    let defined: Vec<String> = template_routes().iter().map(Route::key).collect();
    for key in routes::route_setting_keys_from_str(&text).unwrap() {
        assert!(
            defined.contains(&key),
            "RouteSettings names {key:?}, not a route: {defined:?}"
        );
    }
}

#[test]
fn watch_router_serves_exactly_the_template_routes() {
    let router = routes::watch_router(&workspace_root().join("Cargo.toml")).unwrap();
    assert_eq!(
        router,
        template_routes(),
        "Cargo.toml's [workspace.metadata.lambda.watch.router] (left) must route exactly the \
         template's routes (right): add `\"<path>\" = [{{ method = \"<METHOD>\", function = \
         \"<binary>\" }}]` for each route of a new function"
    );
}
