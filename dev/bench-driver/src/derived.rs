//! The paths of a function measured from its example events
//! (`events/<binary>/<status>-<case>.json`, API Gateway HTTP API payload
//! 2.0), so that a function with no scenario written in
//! [`crate::scenarios`] is measured with nothing to add:
//!
//! - `plain update`: its catalog `bench_event` when that is a 2xx event,
//!   else its first 2xx event by file name (required);
//! - `401 <case>`: its first 401 event by file name, if any;
//! - `400 <case>`: its first 400 event by file name, if any.
//!
//! Each path sends its event unchanged, every time: the bench runs a path
//! many times on one demo seed and checks every answer's status, so the
//! event must answer its status on the demo seed however often it is sent
//! (no `If-Match` of a version it moves, no value it may set only once).

use crate::scenarios::{Events, Scenario};
use catalog::{Binary, Function};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The headers a request's credential is read from, in the order looked at.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "x-api-key", "x-auth-token"];

/// One event file of `events/<binary>/`, named `<status>-<case>.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Example {
    /// `200-update-account-name.json`.
    file: String,
    /// 200.
    status: u16,
    /// `update account name`.
    case: String,
}

impl Example {
    /// The example of a file named `<status>-<case>.json`, else none.
    fn of(file: &str) -> Option<Self> {
        let (_, case) = file.strip_suffix(".json")?.split_once('-')?;
        Some(Example {
            file: file.to_owned(),
            status: fixtures::events::status_of(file)?,
            case: case.replace('-', " "),
        })
    }
}

/// The derived scenarios of `function` on its first HTTP binary, with its
/// events read under `root` (the workspace): the plain update, then the
/// 401 and the 400 it has events for. None for a function without an HTTP
/// binary; an error naming the file to add when it has no 2xx event, or
/// naming the file that cannot be read as JSON.
pub fn of(function: &Function, root: &Path) -> Result<Vec<Scenario>, String> {
    let Some(binary) = function.http_binaries().next() else {
        return Ok(Vec::new());
    };
    let examples = examples(root, binary.name)?;
    let bench_event = binary.bench_event.rsplit('/').next().unwrap_or_default();
    let success = |e: &&Example| (200..300).contains(&e.status);
    let plain = examples
        .iter()
        .filter(success)
        .find(|e| e.file == bench_event)
        .or_else(|| examples.iter().find(success))
        .ok_or_else(|| {
            format!(
                "events/{0}/: no 2xx event, so {1} has no plain update to measure: add \
                 events/{0}/200-<case>.json (a request answered 2xx on the demo seed however \
                 often it is sent), or write its scenarios in dev/bench-driver/src/scenarios.rs",
                binary.name, function.package
            )
        })?;
    let first = |status: u16| examples.iter().find(|e| e.status == status);
    let label = label(function);
    let mut scenarios = vec![scenario(root, &label, binary, plain, "plain update".to_owned())?];
    for status in [401, 400] {
        if let Some(example) = first(status) {
            let path = format!("{status} {}", example.case);
            scenarios.push(scenario(root, &label, binary, example, path)?);
        }
    }
    Ok(scenarios)
}

/// A function's label in the tables: its contract and its package's words
/// other than `update` and `account` (`update-account-v2`, contract 004:
/// `004 v2`, as the endpoints written by hand are labelled); the package
/// when it has no contract or no other word.
pub fn label(function: &Function) -> String {
    let short: Vec<&str> = function
        .package
        .split('-')
        .filter(|w| !["update", "account"].contains(w))
        .collect();
    match function.contract {
        Some(contract) if !short.is_empty() => format!("{contract} {}", short.join("-")),
        _ => function.package.to_owned(),
    }
}

/// The event files of `events/<binary>/` named `<status>-<case>.json`, by
/// file name.
fn examples(root: &Path, binary: &str) -> Result<Vec<Example>, String> {
    let dir = root.join("events").join(binary);
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("events/{binary}/: {e}"))?;
    let mut examples: Vec<Example> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|file| Example::of(&file))
        .collect();
    examples.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(examples)
}

/// The path `path` of `binary` sending the event of `example`, every time.
fn scenario(
    root: &Path,
    label: &str,
    binary: &'static Binary,
    example: &Example,
    path: String,
) -> Result<Scenario, String> {
    let file = format!("events/{}/{}", binary.name, example.file);
    let text = std::fs::read_to_string(root.join(&file)).map_err(|e| format!("{file}: {e}"))?;
    let event: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: not JSON: {e}"))?;
    let secret = secret(&event);
    let events: Events = Arc::new(move |_| event.clone());
    Ok(Scenario {
        endpoint: label.to_owned(),
        binary: binary.name,
        path,
        expected: example.status,
        table: binary.table,
        secret,
        event: events,
        limit: usize::MAX,
    })
}

/// The secret `event` carries: the token of its `Authorization: Bearer`,
/// else its `x-api-key` or `x-auth-token`; empty when it has none.
fn secret(event: &Value) -> String {
    let header = |name: &str| {
        event["headers"]
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    };
    CREDENTIAL_HEADERS
        .iter()
        .find_map(|name| header(name))
        .map(|value| match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => value.trim(),
        })
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests;
