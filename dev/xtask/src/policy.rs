//! `cargo xtask policy` (a step of `cargo xtask test`): template.yaml
//! against known misconfigurations, offline, with pinned tools:
//!
//! - cfn-lint with the serverless rules and the informational checks
//!   (`.cfnlintrc.yaml`): every finding fails;
//! - checkov (`dev/checkov.yaml`), in a venv of its own: every failed check
//!   fails.
//!
//! It prints the counts (rules, findings; passed, failed, skipped checks).
//! Every check skipped or ignored is named, with its reason, in one of the
//! two configuration files or in the resource's metadata in template.yaml
//! (a test holds each to a reason).

use crate::venv;
use anyhow::{Context, bail};
use std::path::Path;
use tokio::process::Command;

/// cfn-lint's configuration (read from the working directory by cfn-lint).
const CFN_LINT_CONFIG: &str = ".cfnlintrc.yaml";
/// checkov's configuration.
const CHECKOV_CONFIG: &str = "dev/checkov.yaml";
/// The template checked.
const TEMPLATE: &str = "template.yaml";

/// Runs both tools; an error on any finding or failed check.
pub async fn run() -> anyhow::Result<()> {
    let bin = venv::ensure_in(
        Path::new(venv::VENV),
        venv::TEST_TOOLS,
        venv::TEST_TOOL_PROBES,
        venv::TEST_TOOL_MODULES,
    )
    .await?;
    let checkov_bin =
        venv::ensure_in(Path::new(venv::CHECKOV_VENV), venv::CHECKOV, &["checkov"], &[]).await?;
    let lint = cfn_lint(&bin).await?;
    let checkov = checkov(&checkov_bin).await?;
    println!(
        "cfn-lint: {} rules ({} serverless), {} findings, ignored: {}",
        lint.rules,
        lint.serverless_rules,
        lint.findings.len(),
        lint.ignored.join(", ")
    );
    println!(
        "checkov: {} passed, {} failed, {} skipped in template.yaml, off in {CHECKOV_CONFIG}: {}",
        checkov.passed,
        checkov.failed.len(),
        checkov.skipped,
        checkov.off.join(", ")
    );
    for finding in lint.findings.iter().chain(&checkov.failed) {
        println!("    {finding}");
    }
    if !lint.findings.is_empty() || !checkov.failed.is_empty() {
        bail!(
            "{} cfn-lint findings, {} failed checkov checks",
            lint.findings.len(),
            checkov.failed.len()
        );
    }
    Ok(())
}

/// What cfn-lint said.
struct Lint {
    rules: usize,
    serverless_rules: usize,
    findings: Vec<String>,
    ignored: Vec<String>,
}

async fn cfn_lint(bin: &Path) -> anyhow::Result<Lint> {
    let cfn_lint = bin.join("cfn-lint");
    let listed = Command::new(&cfn_lint).arg("--list-rules").output().await?;
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let rule_ids: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|id| is_rule_id(id))
        .collect();
    let output = Command::new(&cfn_lint).arg(TEMPLATE).output().await?;
    let text = String::from_utf8_lossy(&output.stdout);
    let findings: Vec<String> = text
        .lines()
        .filter(|l| l.split(' ').next().is_some_and(is_rule_id))
        .map(str::to_owned)
        .collect();
    if !output.status.success() && findings.is_empty() {
        bail!("cfn-lint failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let mut ignored = listed_ids(&std::fs::read_to_string(CFN_LINT_CONFIG)?, "ignore_checks:")
        .into_iter()
        .map(|id| format!("{id} ({CFN_LINT_CONFIG})"))
        .collect::<Vec<_>>();
    ignored.extend(
        template_skips(&std::fs::read_to_string(TEMPLATE)?, "cfn-lint")?
            .into_iter()
            .map(|(resource, id, _)| format!("{id} on {resource}")),
    );
    Ok(Lint {
        rules: rule_ids.len(),
        serverless_rules: rule_ids.iter().filter(|id| id.get(1..2) == Some("S")).count(),
        findings,
        ignored,
    })
}

/// `E3011`, `W1030`, `I3011`, `WS1004`, `ES1007`: a cfn-lint rule id (the
/// serverless rules have an `S` after the level).
fn is_rule_id(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(['E', 'W', 'I']) else {
        return false;
    };
    let digits = rest.strip_prefix('S').unwrap_or(rest);
    digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What checkov said.
struct Checkov {
    passed: u64,
    failed: Vec<String>,
    skipped: u64,
    off: Vec<String>,
}

async fn checkov(bin: &Path) -> anyhow::Result<Checkov> {
    let output = Command::new(bin.join("checkov"))
        .args(["--config-file", CHECKOV_CONFIG, "-f", TEMPLATE, "-o", "json"])
        // Offline: no download of Prisma Cloud's check mappings.
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .await
        .context("cannot run checkov")?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("checkov's report: {}", String::from_utf8_lossy(&output.stderr)))?;
    let summary = &report["summary"];
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .map(|c| format!("{} {}: {}", c["check_id"], c["resource"], c["check_name"]))
                .collect()
        })
        .unwrap_or_default();
    let count = |name: &str| summary[name].as_u64().context("checkov's summary");
    if count("failed")? != failed.len() as u64 {
        bail!("checkov's summary and failed checks disagree");
    }
    Ok(Checkov {
        passed: count("passed")?,
        failed,
        skipped: count("skipped")?,
        off: listed_ids(&std::fs::read_to_string(CHECKOV_CONFIG)?, "skip-check:"),
    })
}

/// The ids listed (`  - ID`) under `heading` in a YAML file's text.
fn listed_ids(text: &str, heading: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| l.trim() != heading)
        .skip(1)
        .take_while(|l| l.starts_with(' ') || l.trim().is_empty())
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(str::to_owned)
        .collect()
}

/// The skips of `tool` (`checkov`, `cfn-lint`) in a template's resource
/// metadata: (resource, check id, reason; empty for cfn-lint, whose reason
/// is a comment above it).
fn template_skips(template: &str, tool: &str) -> anyhow::Result<Vec<(String, String, String)>> {
    let template: serde_norway::Value = serde_norway::from_str(template)?;
    let mut skips = Vec::new();
    for (id, resource) in template["Resources"].as_mapping().context("Resources")? {
        let id = id.as_str().unwrap_or_default().to_owned();
        let metadata = &resource["Metadata"][tool];
        let entries: Vec<(String, String)> = match tool {
            "checkov" => metadata["skip"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(|s| {
                    let text = |k: &str| s[k].as_str().unwrap_or_default().trim().to_owned();
                    (text("id"), text("comment"))
                })
                .collect(),
            _ => metadata["config"]["ignore_checks"]
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(|c| (c.to_owned(), String::new())))
                .collect(),
        };
        skips.extend(
            entries
                .into_iter()
                .map(|(check, reason)| (id.clone(), check, reason)),
        );
    }
    Ok(skips)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        testkit::workspace_root()
    }

    /// Each id listed under `heading` has a comment above it naming it.
    fn each_listed_id_has_a_reason(path: &str, heading: &str) {
        let text = std::fs::read_to_string(root().join(path)).unwrap();
        let ids = listed_ids(&text, heading);
        assert!(!ids.is_empty(), "{path}: nothing under {heading}");
        let lines: Vec<&str> = text.lines().collect();
        for id in ids {
            let at = lines.iter().position(|l| l.trim() == format!("- {id}")).unwrap();
            let reason: Vec<&str> = lines[..at]
                .iter()
                .rev()
                .take_while(|l| l.trim().starts_with('#'))
                .copied()
                .collect();
            let reason = reason.concat();
            assert!(
                reason.contains(&id) && reason.len() > 60,
                "{path}: {id} has no reason"
            );
        }
    }

    #[test]
    fn every_check_turned_off_in_a_config_file_names_its_reason() {
        each_listed_id_has_a_reason(".cfnlintrc.yaml", "ignore_checks:");
        each_listed_id_has_a_reason("dev/checkov.yaml", "skip-check:");
    }

    #[test]
    fn every_check_skipped_in_the_template_names_its_reason() {
        let text = std::fs::read_to_string(root().join(TEMPLATE)).unwrap();
        let checkov = template_skips(&text, "checkov").unwrap();
        assert!(!checkov.is_empty());
        for (resource, id, reason) in checkov {
            assert!(reason.len() > 30, "{resource}: checkov skip {id} has no reason");
        }
        assert!(!template_skips(&text, "cfn-lint").unwrap().is_empty());
        // cfn-lint's metadata takes no comment field: a YAML comment above it.
        let lines: Vec<&str> = text.lines().collect();
        for (at, _) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim().starts_with("ignore_checks:"))
        {
            assert!(
                lines[at - 1].trim().starts_with('#'),
                "line {}: no reason above it",
                at + 1
            );
        }
    }

    #[test]
    fn cfn_lint_rule_ids_are_recognised() {
        for id in ["E3011", "W1030", "I3011", "WS1004", "ES1007"] {
            assert!(is_rule_id(id), "{id}");
        }
        for text in ["E301", "template.yaml:12:3", "Error", "S1004", "WS"] {
            assert!(!is_rule_id(text), "{text}");
        }
    }
}
