//! schemathesis' `[[operations]]`, derived from each route's success event
//! ([`crate::success_events`]), so a new route needs nothing here but its
//! events: per route of `template.yaml`,
//!
//! - `include-name`: the route key (`PATCH /accounts/{accountId}`),
//!   schemathesis' label of the operation: exactly one operation, where
//!   `include-path` would match every method of the path and
//!   `include-method` every operation of the method (schemathesis
//!   includes what matches any of an entry's filters);
//! - `headers`: the event's credential header alone. Its name is the
//!   operation's in `openapi.yaml`: the first scheme of its `security`
//!   requirements (else the spec's) whose header the event sends, compared
//!   case-insensitively; an `http` `bearer` scheme is `Authorization`, an
//!   `apiKey` `in: header` scheme its `name`. Its value is the event's.
//! - `parameters`: `path.<name>` = each of the event's `pathParameters`,
//!   a seeded account, so generated bodies reach the write.
//!
//! The config schemathesis runs with ([`write_config`]) is
//! `dev/schemathesis.toml` (its static part: hooks, cache, generation)
//! followed by these operations.

#[cfg(test)]
mod tests;

use crate::success_events::{self, SuccessEvent};
use anyhow::{Context, bail};
use serde_norway::Value;
use std::path::{Path, PathBuf};

/// The static part of the config, from the workspace root.
pub const STATIC_CONFIG: &str = "dev/schemathesis.toml";

/// The complete config, from the workspace root (git-ignored).
pub const GENERATED_CONFIG: &str = "target/schemathesis/schemathesis.toml";

/// One `[[operations]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The route's method.
    pub method: String,
    /// The route's path template.
    pub path: String,
    /// The credential header: (name as the spec spells it, value).
    pub credential: (String, String),
    /// `path.<name>` and its value, per path parameter of the event.
    pub parameters: Vec<(String, String)>,
}

/// The operation of each success event, its credential header named by
/// `spec` (`openapi.yaml`). An error names the route whose operation or
/// credential is missing.
pub fn operations(spec: &Value, events: &[SuccessEvent]) -> anyhow::Result<Vec<Operation>> {
    events
        .iter()
        .map(|event| {
            Ok(Operation {
                path: event.route.path.clone(),
                method: event.route.method.clone(),
                credential: credential(spec, event)?,
                parameters: event
                    .path_parameters
                    .iter()
                    .map(|(name, value)| (format!("path.{name}"), value.clone()))
                    .collect(),
            })
        })
        .collect()
}

/// The credential header of `event`'s operation: (name, the event's value).
fn credential(spec: &Value, event: &SuccessEvent) -> anyhow::Result<(String, String)> {
    let key = event.route.key();
    let operation = spec["paths"][event.route.path.as_str()]
        [event.route.method.to_ascii_lowercase().as_str()]
    .as_mapping()
    .with_context(|| format!("openapi.yaml: no operation {key}"))?;
    let requirements = operation
        .get("security")
        .or_else(|| spec.get("security"))
        .and_then(Value::as_sequence)
        .with_context(|| format!("openapi.yaml: {key} has no `security`"))?;
    let schemes = requirements
        .iter()
        .filter_map(Value::as_mapping)
        .flat_map(|requirement| requirement.keys().filter_map(Value::as_str));
    let mut names = Vec::new();
    for scheme in schemes {
        let name = header_of(&spec["components"]["securitySchemes"][scheme])
            .with_context(|| format!("openapi.yaml: security scheme {scheme} of {key} is not a header"))?;
        if let Some(value) = event.header(&name) {
            return Ok((name, value.to_owned()));
        }
        names.push(name);
    }
    bail!(
        "{}: no credential header of {key} (openapi.yaml names {names:?}): add it to the event",
        event.file
    )
}

/// The header a security scheme is sent in: `Authorization` for `http`
/// (bearer, basic), `name` for an `apiKey` `in: header`.
fn header_of(scheme: &Value) -> Option<String> {
    match (scheme["type"].as_str()?, scheme["in"].as_str()) {
        ("http", _) => Some("Authorization".to_owned()),
        ("apiKey", Some("header")) => scheme["name"].as_str().map(str::to_owned),
        _ => None,
    }
}

/// `operations` as TOML `[[operations]]` tables.
pub fn render(operations: &[Operation]) -> String {
    let mut toml = String::new();
    for op in operations {
        toml.push_str("\n[[operations]]\n");
        let name = format!("{} {}", op.method, op.path);
        toml.push_str(&format!("include-name = {}\n", quoted(&name)));
        let (name, value) = &op.credential;
        toml.push_str(&format!("headers = {{ {} = {} }}\n", quoted(name), quoted(value)));
        if !op.parameters.is_empty() {
            let pairs: Vec<String> = op
                .parameters
                .iter()
                .map(|(name, value)| format!("{} = {}", quoted(name), quoted(value)))
                .collect();
            toml.push_str(&format!("parameters = {{ {} }}\n", pairs.join(", ")));
        }
    }
    toml
}

/// `text` as a TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The complete config: `static_part` (which must hold no
/// `[[operations]]`), then the operations of every route of the template
/// under `root`.
pub fn config(root: &Path, static_part: &str) -> anyhow::Result<String> {
    if static_part.lines().any(|l| l.trim() == "[[operations]]") {
        bail!("{STATIC_CONFIG}: holds [[operations]], which are generated from the events: remove them");
    }
    let spec: Value = serde_norway::from_str(&std::fs::read_to_string(root.join("openapi.yaml"))?)
        .context("openapi.yaml")?;
    let events = success_events::of_template(root)?;
    let operations = operations(&spec, &events)?;
    Ok(format!(
        "{}\n# Generated by `cargo xtask schemathesis` from each route's success event \
         (dev/xtask/src/schemathesis/operations.rs).\n{}",
        static_part.trim_end(),
        render(&operations)
    ))
}

/// Writes [`config`] of the workspace under `root` to
/// [`GENERATED_CONFIG`]; returns its path.
pub fn write_config(root: &Path) -> anyhow::Result<PathBuf> {
    let static_part = std::fs::read_to_string(root.join(STATIC_CONFIG)).context(STATIC_CONFIG)?;
    let text = config(root, &static_part)?;
    let path = root.join(GENERATED_CONFIG);
    std::fs::create_dir_all(path.parent().context("a parent")?)?;
    std::fs::write(&path, text)?;
    Ok(path)
}
