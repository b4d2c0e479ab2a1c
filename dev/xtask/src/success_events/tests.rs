//! The rule that picks each route's success event, on the workspace's own
//! events, and the message a route without one gets.

use super::{SuccessEvent, of_routes, of_template};
use testkit::{routes::Route, workspace_root};

/// The success event of the template's route `key`.
fn event(events: &[SuccessEvent], key: &str) -> SuccessEvent {
    events
        .iter()
        .find(|e| e.route.key() == key)
        .unwrap_or_else(|| panic!("no success event of {key}"))
        .clone()
}

#[test]
fn every_route_of_the_template_has_a_success_event() {
    // On failure, the message names each route and the event to add.
    let events = of_template(&workspace_root()).unwrap_or_else(|e| panic!("{e:#}"));
    for event in &events {
        assert!(event.file.starts_with("events/"), "{event:?}");
        assert!(!event.raw_path.is_empty(), "{event:?}");
    }
}

#[test]
fn the_bench_event_is_preferred_else_the_first_2xx_event_by_name() {
    let events = of_template(&workspace_root()).unwrap();
    // The bench event, though 200-admin-names-account.json sorts first.
    let v1 = event(&events, "PATCH /v1/account");
    assert_eq!(v1.file, "events/update-current-account/200-contract-example.json");
    assert_eq!(v1.header("Authorization"), Some("Bearer demo-token-v1-owner"));
    // Its binary's bench event is a 401: the first 2xx by name.
    let confirm = event(&events, "POST /v1/account/email/confirm");
    assert_eq!(confirm.file, "events/confirm-account-email/200-confirm.json");
    // The bench event is of another route of the binary.
    let clients = event(&events, "PATCH /clients/{accountId}");
    assert_eq!(clients.file, "events/update-crm-account/200-clients-alias.json");
    assert_eq!(clients.raw_path, "/clients/1002");
    assert_eq!(clients.path_parameters["accountId"], "1002");
    assert_eq!(clients.body, r#"{"isActive": false}"#);
    // 204 is a success too.
    let metadata = event(&events, "PATCH /accounts/{accountId}/metadata");
    assert_eq!(
        metadata.file,
        "events/update-account-metadata/204-contract-example.json"
    );
}

#[test]
fn a_route_without_a_2xx_event_is_named_with_the_event_to_add() {
    let route = |method: &str, path: &str, function: &str| Route {
        method: method.to_owned(),
        path: path.to_owned(),
        function: function.to_owned(),
    };
    let routes = [
        route("PATCH", "/v2/accounts/{accountId}", "update-account-v2"),
        route("DELETE", "/v2/accounts/{accountId}", "update-account-v2"),
    ];
    let error = format!("{:#}", of_routes(&workspace_root(), &routes).unwrap_err());
    assert!(
        error.contains("no 2xx event of DELETE /v2/accounts/{accountId}")
            && error.contains("events/update-account-v2/2xx-<case>.json")
            && error.contains(r#""routeKey": "DELETE /v2/accounts/{accountId}""#),
        "{error}"
    );
    assert!(!error.contains("PATCH"), "{error}");
}
