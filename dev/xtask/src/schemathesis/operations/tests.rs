//! The operations generated from the workspace's events and spec, and
//! the config written from them.

use super::{Operation, STATIC_CONFIG, config, operations, render};
use crate::success_events::of_template;
use testkit::{routes::template_routes, workspace_root};

/// The workspace's `openapi.yaml`.
fn spec() -> serde_norway::Value {
    serde_norway::from_str(&std::fs::read_to_string(workspace_root().join("openapi.yaml")).unwrap()).unwrap()
}

/// The operations of the workspace.
fn generated() -> Vec<Operation> {
    operations(&spec(), &of_template(&workspace_root()).unwrap()).unwrap_or_else(|e| panic!("{e:#}"))
}

#[test]
fn every_route_gets_an_operation_with_its_credential_and_every_path_parameter() {
    let routes = template_routes(&workspace_root().join("template.yaml")).unwrap();
    let operations = generated();
    assert_eq!(operations.len(), routes.len());
    for route in &routes {
        let op = operations
            .iter()
            .find(|o| o.path == route.path && o.method == route.method)
            .unwrap_or_else(|| panic!("no operation of {}", route.key()));
        let (name, value) = &op.credential;
        assert!(!name.is_empty() && !value.is_empty(), "{op:?}");
        for parameter in route
            .path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}'))
        {
            let key = format!("path.{}", parameter.0);
            assert!(
                op.parameters.iter().any(|(k, v)| *k == key && !v.is_empty()),
                "{}: no value for {key}: {op:?}",
                route.key()
            );
        }
    }
}

#[test]
fn the_credential_header_is_named_by_the_spec_and_valued_by_the_event() {
    let operations = generated();
    let credential = |path: &str| {
        let op = operations.iter().find(|o| o.path == path).unwrap();
        (op.credential.0.as_str(), op.credential.1.as_str())
    };
    // An http bearer scheme; the bench event's owner token.
    assert_eq!(
        credential("/v1/account"),
        ("Authorization", "Bearer demo-token-v1-owner")
    );
    assert_eq!(
        credential("/v1/account/email/confirm"),
        ("Authorization", "Bearer demo-token-v1-verified")
    );
    // An apiKey scheme, named as the spec spells it.
    assert_eq!(
        credential("/accounts/{accountId}"),
        ("x-api-key", "demo-key-crm-a")
    );
    // The first of two alternatives that the event sends.
    assert_eq!(
        credential("/v2/accounts/{accountId}"),
        ("X-Auth-Token", "demo-token-v2-admin")
    );
    let metadata = operations
        .iter()
        .find(|o| o.path == "/accounts/{accountId}/metadata")
        .unwrap();
    assert_eq!(
        metadata.parameters,
        [("path.accountId".to_owned(), "acct_abc123".to_owned())]
    );
}

#[test]
fn an_operation_is_rendered_as_a_toml_table() {
    let op = Operation {
        path: "/a/{id}".to_owned(),
        method: "PATCH".to_owned(),
        credential: ("x-api-key".to_owned(), "k\"ey\\".to_owned()),
        parameters: vec![("path.id".to_owned(), "1".to_owned())],
    };
    let bare = Operation {
        parameters: Vec::new(),
        ..op.clone()
    };
    assert_eq!(
        render(&[op, bare]),
        "\n[[operations]]\ninclude-name = \"PATCH /a/{id}\"\n\
         headers = { \"x-api-key\" = \"k\\\"ey\\\\\" }\nparameters = { \"path.id\" = \"1\" }\n\
         \n[[operations]]\ninclude-name = \"PATCH /a/{id}\"\n\
         headers = { \"x-api-key\" = \"k\\\"ey\\\\\" }\n"
    );
}

#[test]
fn the_config_is_the_static_part_then_one_operation_per_route() {
    let root = workspace_root();
    let static_part = std::fs::read_to_string(root.join(STATIC_CONFIG)).unwrap();
    let text = config(&root, &static_part).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(text.starts_with(static_part.trim_end()));
    assert!(text.contains("hooks = \"dev/schemathesis_hooks.py\""));
    let routes = template_routes(&root.join("template.yaml")).unwrap();
    assert_eq!(text.matches("\n[[operations]]\n").count(), routes.len());
    assert!(text.contains(&render(&generated())));
    // Operations written by hand would be sent twice: refused.
    let error = config(&root, &format!("{static_part}\n[[operations]]\n")).unwrap_err();
    assert!(error.to_string().contains("generated from the events"), "{error}");
}
