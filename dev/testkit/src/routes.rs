//! The HTTP routes of `template.yaml`, and the checks API Gateway makes at
//! deploy time that cfn-lint and `sam validate --lint` do not.
//!
//! An HTTP API refuses (with a `ConflictException`, after the stack has
//! started) two routes whose variable path segments under the same parent
//! have different names: `/accounts/{id}/metadata` beside
//! `/accounts/{accountId}` fails to deploy. [`conflicts`] finds those, and
//! duplicate method + path pairs, so a test fails long before a deploy does.
//! [`watch_router`] reads the router `cargo lambda watch` uses locally from
//! the workspace `Cargo.toml`, so a test can hold it equal to the template.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One route: a method, a path, and the binary (function) serving it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// HTTP method in upper case (`PATCH`), or `ANY`.
    pub method: String,
    /// The route's path template (`/accounts/{accountId}`).
    pub path: String,
    /// The cargo binary of the function the route invokes.
    pub function: String,
}

impl Route {
    /// The API Gateway route key, `PATCH /accounts/{accountId}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every `HttpApi` event of every `AWS::Serverless::Function` in the
/// template at `path`, sorted. A function's binary is its
/// `Metadata.BuildProperties.Binary` (what `sam build` builds).
pub fn template_routes(path: &Path) -> Result<Vec<Route>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    template_routes_from_str(&text)
}

/// [`template_routes`] of a template given as text.
pub fn template_routes_from_str(text: &str) -> Result<Vec<Route>, String> {
    let template: serde_norway::Value = serde_norway::from_str(text).map_err(|e| format!("template: {e}"))?;
    let resources = template
        .get("Resources")
        .and_then(|r| r.as_mapping())
        .ok_or("template: no Resources")?;
    let mut routes = Vec::new();
    for (id, resource) in resources {
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap_or("?");
        let function = resource
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|b| b.get("Binary"))
            .and_then(|b| b.as_str())
            .ok_or_else(|| format!("template: function {id} has no Metadata.BuildProperties.Binary"))?;
        let Some(events) = resource
            .get("Properties")
            .and_then(|p| p.get("Events"))
            .and_then(|e| e.as_mapping())
        else {
            continue;
        };
        for (name, event) in events {
            if event.get("Type").and_then(|t| t.as_str()) != Some("HttpApi") {
                continue;
            }
            let name = name.as_str().unwrap_or("?");
            let field = |key: &str| {
                event
                    .get("Properties")
                    .and_then(|p| p.get(key))
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("template: event {id}.{name} has no {key}"))
            };
            routes.push(Route {
                method: field("Method")?.to_ascii_uppercase(),
                path: field("Path")?,
                function: function.to_owned(),
            });
        }
    }
    routes.sort();
    Ok(routes)
}

/// The route keys named in any `AWS::Serverless::HttpApi`'s `RouteSettings`
/// (per-route throttling); each must be a route the template defines.
pub fn route_setting_keys_from_str(text: &str) -> Result<Vec<String>, String> {
    let template: serde_norway::Value = serde_norway::from_str(text).map_err(|e| format!("template: {e}"))?;
    let mut keys = Vec::new();
    for (_, resource) in template
        .get("Resources")
        .and_then(|r| r.as_mapping())
        .into_iter()
        .flatten()
    {
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::Serverless::HttpApi") {
            continue;
        }
        if let Some(settings) = resource
            .get("Properties")
            .and_then(|p| p.get("RouteSettings"))
            .and_then(|s| s.as_mapping())
        {
            keys.extend(settings.keys().filter_map(|k| k.as_str()).map(str::to_owned));
        }
    }
    Ok(keys)
}

/// Everything API Gateway would refuse in `routes`, one sentence each:
/// a method + path defined twice, and variable segments with different
/// names under the same parent path. Empty when the routes deploy.
pub fn conflicts(routes: &[Route]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for route in routes {
        if !seen.insert((route.method.as_str(), route.path.as_str())) {
            problems.push(format!("route {} is defined twice", route.key()));
        }
    }
    // parent path (with variables normalised to `{}`) -> variable names used
    // directly below it, with a route that uses each.
    let mut variables: BTreeMap<String, BTreeMap<&str, &str>> = BTreeMap::new();
    for route in routes {
        let mut parent = String::new();
        for segment in route.path.split('/').filter(|s| !s.is_empty()) {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                variables
                    .entry(parent.clone())
                    .or_default()
                    .entry(name)
                    .or_insert(route.path.as_str());
                parent.push_str("/{}");
            } else {
                parent.push('/');
                parent.push_str(segment);
            }
        }
    }
    for (parent, names) in variables {
        if names.len() > 1 {
            let listed: Vec<String> = names
                .iter()
                .map(|(name, path)| format!("{{{name}}} in {path}"))
                .collect();
            problems.push(format!(
                "variable segments under {:?} have different names: {}",
                if parent.is_empty() { "/" } else { &parent },
                listed.join(", ")
            ));
        }
    }
    problems
}

/// The router of `cargo lambda watch` in the workspace `Cargo.toml` at
/// `path` (`[workspace.metadata.lambda.watch.router]`), as routes, sorted.
pub fn watch_router(path: &Path) -> Result<Vec<Route>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    watch_router_from_str(&text)
}

/// [`watch_router`] of a manifest given as text.
pub fn watch_router_from_str(text: &str) -> Result<Vec<Route>, String> {
    let manifest: toml::Table = text.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    let router = manifest
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("lambda"))
        .and_then(|l| l.get("watch"))
        .and_then(|w| w.get("router"))
        .and_then(|r| r.as_table())
        .ok_or("Cargo.toml: no [workspace.metadata.lambda.watch.router]")?;
    let mut routes = Vec::new();
    for (path, targets) in router {
        let targets = targets
            .as_array()
            .ok_or_else(|| format!("Cargo.toml: router entry {path} is not a list"))?;
        for target in targets {
            let field = |key: &str| {
                target
                    .get(key)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("Cargo.toml: router entry {path} has no {key}"))
            };
            routes.push(Route {
                method: field("method")?.to_ascii_uppercase(),
                path: path.clone(),
                function: field("function")?,
            });
        }
    }
    routes.sort();
    Ok(routes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route {
            method: method.to_owned(),
            path: path.to_owned(),
            function: "f".to_owned(),
        }
    }

    #[test]
    fn sibling_variables_with_different_names_conflict() {
        let problems = conflicts(&[
            route("PATCH", "/accounts/{id}/metadata"),
            route("PATCH", "/accounts/{accountId}"),
        ]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("{accountId}") && problems[0].contains("{id}"),
            "{problems:?}"
        );
    }

    #[test]
    fn deeper_conflicts_are_found_below_variables_too() {
        let problems = conflicts(&[route("GET", "/a/{x}/b/{y}"), route("GET", "/a/{z}/b/{w}/c")]);
        // {x} vs {z} under /a, and {y} vs {w} under /a/{}/b.
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn same_names_under_one_parent_and_different_parents_are_fine() {
        assert!(
            conflicts(&[
                route("PATCH", "/accounts/{accountId}/metadata"),
                route("PATCH", "/accounts/{accountId}"),
                route("PATCH", "/v0/accounts/{account_id}"),
                route("PATCH", "/v2/accounts/{accountId}"),
                route("PATCH", "/clients/{accountId}"),
            ])
            .is_empty()
        );
    }

    #[test]
    fn duplicate_method_and_path_conflict() {
        let problems = conflicts(&[route("PATCH", "/v1/account"), route("PATCH", "/v1/account")]);
        assert_eq!(
            problems,
            vec!["route PATCH /v1/account is defined twice".to_owned()]
        );
        assert!(conflicts(&[route("PATCH", "/v1/account"), route("POST", "/v1/account")]).is_empty());
    }

    #[test]
    fn reads_http_api_events_and_the_watch_router() {
        let template = r#"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: my-fn
    Properties:
      Environment:
        Variables:
          TABLE_NAME: !Ref Table
      Events:
        Patch:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: patch
            Path: /things/{thingId}
        Timer:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
"#;
        let routes = template_routes_from_str(template).unwrap();
        assert_eq!(
            routes,
            vec![Route {
                method: "PATCH".into(),
                path: "/things/{thingId}".into(),
                function: "my-fn".into()
            }]
        );
        let manifest = r#"
[workspace.metadata.lambda.watch.router]
"/things/{thingId}" = [{ method = "PATCH", function = "my-fn" }]
"#;
        assert_eq!(watch_router_from_str(manifest).unwrap(), routes);
    }
}
