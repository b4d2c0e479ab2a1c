//! Each HTTP route's success event: the example event the smoke probes
//! ([`crate::smoke`]) and schemathesis' operations ([`crate::schemathesis`])
//! are derived from, so a new route needs nothing in either but its events.
//!
//! The events are `events/<binary>/<status>-<case>.json` (API Gateway HTTP
//! API payload 2.0). A route's success event is, among the events of any
//! binary whose `routeKey` is the route's and whose status (the file
//! name's prefix) is 2xx: the bench event of the route's binary
//! (`bench_event` in `catalog::FUNCTIONS`) when it is one of them, else the
//! first by file name. The bench event is preferred because it is the
//! function's main example (its owner's own request: on `PATCH
//! /v1/account` the owner's token, where the first by name is an admin's
//! naming an account in `X-Account-Id`).

#[cfg(test)]
mod tests;

use anyhow::{Context, bail};
use serde_json::Value;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};
use testkit::routes::{Route, template_routes};

/// One route's success event, as read from its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessEvent {
    /// The route (of `template.yaml`) it succeeds on.
    pub route: Route,
    /// Its file, relative to the workspace root (`events/<binary>/<file>`).
    pub file: String,
    /// Its `rawPath`: the route's path with the event's parameters.
    pub raw_path: String,
    /// Its `headers`, names as written.
    pub headers: BTreeMap<String, String>,
    /// Its `pathParameters` (none on a path without parameters).
    pub path_parameters: BTreeMap<String, String>,
    /// Its `body` (empty when it has none).
    pub body: String,
}

impl SuccessEvent {
    /// The value of its header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The success event of every route of the template under `root` (the
/// workspace root), in the template's route order. An error names every
/// route without one and says what to add.
pub fn of_template(root: &Path) -> anyhow::Result<Vec<SuccessEvent>> {
    let routes = template_routes(&root.join("template.yaml")).map_err(anyhow::Error::msg)?;
    of_routes(root, &routes)
}

/// The success event of each of `routes` among the events under
/// `root/events`, in the order of `routes` (see the module docs for the
/// rule). An error names every route without one and says what to add.
pub fn of_routes(root: &Path, routes: &[Route]) -> anyhow::Result<Vec<SuccessEvent>> {
    let events = http_events(root)?;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for route in routes {
        let key = route.key();
        let mut candidates: Vec<&(String, Value)> = events
            .iter()
            .filter(|(file, event)| is_success(file) && event["routeKey"].as_str() == Some(key.as_str()))
            .collect();
        candidates.sort_by(|(a, _), (b, _)| (file_name(a), a).cmp(&(file_name(b), b)));
        let bench = catalog::binaries()
            .find(|b| b.name == route.function)
            .map(|b| b.bench_event);
        let chosen = candidates
            .iter()
            .find(|(file, _)| Some(file.as_str()) == bench)
            .or(candidates.first());
        match chosen {
            Some((file, event)) => found.push(read(route, file, event)?),
            None => missing.push(format!(
                "no 2xx event of {key}: add events/{}/2xx-<case>.json (a 2xx status, e.g. \
                 200-<case>.json) with \"routeKey\": \"{key}\"",
                route.function
            )),
        }
    }
    if !missing.is_empty() {
        bail!("{}", missing.join("; "));
    }
    Ok(found)
}

/// Every event of `root/events` that has a `routeKey` (an HTTP event):
/// (path relative to `root`, event).
fn http_events(root: &Path) -> anyhow::Result<Vec<(String, Value)>> {
    let mut events = Vec::new();
    let dir = root.join("events");
    for binary in std::fs::read_dir(&dir).with_context(|| dir.display().to_string())? {
        let binary = binary?.path();
        if !binary.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&binary)? {
            let path: PathBuf = file?.path();
            if path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let event: Value =
                serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
            if event.get("routeKey").is_some() {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                events.push((relative.to_string_lossy().replace('\\', "/"), event));
            }
        }
    }
    Ok(events)
}

/// The file name of a path written with `/`.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether the event file's status (its name's prefix) is 2xx.
fn is_success(path: &str) -> bool {
    testkit::events::status_of(file_name(path)).is_some_and(|s| (200..300).contains(&s))
}

/// The event `event` of `file` as `route`'s success event.
fn read(route: &Route, file: &str, event: &Value) -> anyhow::Result<SuccessEvent> {
    if event["isBase64Encoded"].as_bool() == Some(true) {
        bail!("{file}: a base64-encoded body cannot be a success event; write the body as text");
    }
    let strings = |field: &str| -> anyhow::Result<BTreeMap<String, String>> {
        match &event[field] {
            Value::Null => Ok(BTreeMap::new()),
            Value::Object(map) => map
                .iter()
                .map(|(name, value)| {
                    let value = value
                        .as_str()
                        .with_context(|| format!("{file}: {field}.{name} is not a string"))?;
                    Ok((name.clone(), value.to_owned()))
                })
                .collect(),
            _ => bail!("{file}: {field} is not an object"),
        }
    };
    Ok(SuccessEvent {
        route: route.clone(),
        file: file.to_owned(),
        raw_path: event["rawPath"]
            .as_str()
            .with_context(|| format!("{file}: no rawPath"))?
            .to_owned(),
        headers: strings("headers")?,
        path_parameters: strings("pathParameters")?,
        body: event["body"].as_str().unwrap_or_default().to_owned(),
    })
}
