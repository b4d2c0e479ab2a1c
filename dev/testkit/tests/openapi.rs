//! `openapi.yaml` describes the API the template deploys: exactly the
//! template's routes, each operation with an id, a success, a 401, a
//! security requirement naming a defined scheme and the `If-Match`,
//! `If-None-Match` and `Idempotency-Key` header parameters, and no `$ref`
//! that points nowhere. Each check is a function returning its problems, so
//! the tests below also show that a broken spec is caught.

use serde_norway::{Mapping, Value};
use std::collections::BTreeSet;
use testkit::routes::{self, Route};
use testkit::workspace_root;

/// The HTTP methods an OpenAPI path item may hold operations under.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn spec() -> Value {
    let path = workspace_root().join("openapi.yaml");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("openapi.yaml: {e}"))
}

fn template_routes() -> BTreeSet<(String, String)> {
    routes::template_routes(&workspace_root().join("template.yaml"))
        .unwrap()
        .into_iter()
        .map(|Route { method, path, .. }| (method, path))
        .collect()
}

/// A mapping key as text (`'200'` and `200` alike).
fn key_text(key: &Value) -> Option<String> {
    match key {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every operation: (METHOD, path, operation object).
fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let path = key_text(path).unwrap_or_default();
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((method.to_ascii_uppercase(), path.clone(), operation));
            }
        }
    }
    found
}

/// (a) The spec's (METHOD, path) pairs against the template's routes.
fn route_problems(spec: &Value, template: &BTreeSet<(String, String)>) -> Vec<String> {
    let documented: BTreeSet<(String, String)> =
        operations(spec).into_iter().map(|(m, p, _)| (m, p)).collect();
    let mut problems = Vec::new();
    for (method, path) in template.difference(&documented) {
        problems.push(format!("template route {method} {path} is not in openapi.yaml"));
    }
    for (method, path) in documented.difference(template) {
        problems.push(format!(
            "openapi.yaml documents {method} {path}, which template.yaml does not route"
        ));
    }
    problems
}

/// (b) The version, and each operation's id, 2xx, 401 and security.
fn operation_problems(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if spec.get("openapi").and_then(Value::as_str) != Some("3.1.0") {
        problems.push(format!("openapi must be \"3.1.0\", is {:?}", spec.get("openapi")));
    }
    let schemes: BTreeSet<String> = spec
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| key_text(name))
        .collect();
    let top_security = spec.get("security");
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(spec) {
        let at = format!("{method} {path}");
        match operation.get("operationId").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => {
                if !ids.insert(id.to_owned()) {
                    problems.push(format!("{at}: operationId {id} is used twice"));
                }
            }
            _ => problems.push(format!("{at}: no operationId")),
        }
        let statuses: Vec<String> = operation
            .get("responses")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .filter_map(|(status, _)| key_text(status))
            .collect();
        if !statuses.iter().any(|s| s.len() == 3 && s.starts_with('2')) {
            problems.push(format!("{at}: no 2xx response"));
        }
        if !statuses.iter().any(|s| s == "401") {
            problems.push(format!("{at}: no 401 response"));
        }
        problems.extend(security_problems(
            &at,
            operation.get("security").or(top_security),
            &schemes,
        ));
    }
    problems
}

/// A security requirement list: present, not empty, every alternative
/// naming at least one scheme, and every scheme defined.
fn security_problems(at: &str, security: Option<&Value>, schemes: &BTreeSet<String>) -> Vec<String> {
    let Some(requirements) = security.and_then(Value::as_sequence).filter(|r| !r.is_empty()) else {
        return vec![format!("{at}: no security requirement")];
    };
    let mut problems = Vec::new();
    for requirement in requirements {
        let names: Vec<String> = requirement
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(name, _)| key_text(name))
            .collect();
        if names.is_empty() {
            problems.push(format!(
                "{at}: a security requirement names no scheme (anonymous access)"
            ));
        }
        for name in names {
            if !schemes.contains(&name) {
                problems.push(format!(
                    "{at}: security scheme {name} is not in components.securitySchemes"
                ));
            }
        }
    }
    problems
}

/// The request headers every operation takes: the shared frame reads them
/// on every route (`shared::endpoint::respond`).
const FRAME_HEADERS: [&str; 3] = ["If-Match", "If-None-Match", "Idempotency-Key"];

/// An operation's header parameters (names as written), `$ref`s to
/// `#/components/parameters/...` resolved.
fn header_parameters(spec: &Value, operation: &Value) -> BTreeSet<String> {
    let components = spec.get("components").and_then(|c| c.get("parameters"));
    operation
        .get("parameters")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|parameter| match parameter.get("$ref").and_then(Value::as_str) {
            Some(target) => target
                .strip_prefix("#/components/parameters/")
                .and_then(|name| components.and_then(|c| c.get(name))),
            None => Some(parameter),
        })
        .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some("header"))
        .filter_map(|parameter| parameter.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// (d) Every operation documents the headers of the shared frame.
fn frame_header_problems(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (method, path, operation) in operations(spec) {
        let headers = header_parameters(spec, operation);
        for name in FRAME_HEADERS {
            if !headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                problems.push(format!("{method} {path}: no {name} header parameter"));
            }
        }
    }
    problems
}

/// (c) Every `$ref` is local and resolves to something under `components`.
fn ref_problems(spec: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    collect_refs(spec, &mut refs);
    let mut problems = Vec::new();
    for target in refs {
        let Some(pointer) = target.strip_prefix("#/components/") else {
            problems.push(format!("$ref {target} does not point into #/components/"));
            continue;
        };
        let mut node = spec.get("components");
        for segment in pointer.split('/') {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            node = node
                .and_then(|n| n.as_mapping())
                .and_then(|m| lookup(m, &segment));
        }
        if node.is_none() {
            problems.push(format!("$ref {target} resolves to nothing"));
        }
    }
    problems
}

fn lookup<'a>(mapping: &'a Mapping, key: &str) -> Option<&'a Value> {
    mapping
        .iter()
        .find(|(k, _)| key_text(k).as_deref() == Some(key))
        .map(|(_, v)| v)
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Mapping(mapping) => {
            for (key, child) in mapping {
                if key.as_str() == Some("$ref") {
                    refs.push(child.as_str().unwrap_or("<not a string>").to_owned());
                } else {
                    collect_refs(child, refs);
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        Value::Tagged(tagged) => collect_refs(&tagged.value, refs),
        _ => {}
    }
}

#[test]
fn spec_documents_exactly_the_template_routes() {
    let template = template_routes();
    assert!(template.len() >= 7, "{template:?}");
    let problems = route_problems(&spec(), &template);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_operation_has_an_id_a_success_a_401_and_security() {
    let problems = operation_problems(&spec());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_ref_resolves_to_a_component() {
    let spec = spec();
    let mut refs = Vec::new();
    collect_refs(&spec, &mut refs);
    assert!(!refs.is_empty());
    let problems = ref_problems(&spec);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_operation_takes_the_conditional_and_idempotency_headers() {
    let problems = frame_header_problems(&spec());
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The checks catch what they are for: a route missing from the spec, an
/// extra one, a missing operationId / 401 / security, an undefined scheme,
/// a dangling `$ref` and a missing frame header.
#[test]
fn the_checks_catch_a_broken_spec() {
    let template = template_routes();
    let mut broken = spec();
    let paths = broken.get_mut("paths").and_then(Value::as_mapping_mut).unwrap();
    let (first_path, _) = paths.iter().next().map(|(k, v)| (k.clone(), v.clone())).unwrap();
    paths.remove(&first_path);
    paths.insert(
        Value::String("/nowhere".into()),
        serde_norway::from_str(
            "patch:\n  responses:\n    '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Missing'}}}}\n  security: [{}, {noSuchScheme: []}]\n",
        )
        .unwrap(),
    );
    let routes = route_problems(&broken, &template).join("\n");
    let removed = first_path.as_str().unwrap();
    assert!(
        routes.contains(&format!("{removed} is not in openapi.yaml")),
        "{routes}"
    );
    assert!(routes.contains("documents PATCH /nowhere"), "{routes}");

    let operations = operation_problems(&broken).join("\n");
    for expected in [
        "PATCH /nowhere: no operationId",
        "PATCH /nowhere: no 401 response",
        "names no scheme",
        "noSuchScheme is not in components.securitySchemes",
    ] {
        assert!(
            operations.contains(expected),
            "{expected:?} not in:\n{operations}"
        );
    }

    let headers = frame_header_problems(&broken);
    for name in FRAME_HEADERS {
        assert!(
            headers.contains(&format!("PATCH /nowhere: no {name} header parameter")),
            "{headers:#?}"
        );
    }
    assert!(
        headers.iter().all(|p| p.starts_with("PATCH /nowhere:")),
        "{headers:#?}"
    );

    let refs = ref_problems(&broken);
    assert!(
        refs.contains(&"$ref #/components/schemas/Missing resolves to nothing".to_owned()),
        "{refs:#?}"
    );
}
