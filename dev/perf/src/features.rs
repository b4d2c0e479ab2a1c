//! The bench measures the binaries `sam build` deploys only if building
//! the measuring side with them changes nothing in them. Cargo unifies
//! features across the packages of one invocation, so a dependency of
//! `bench-driver` that turned on a feature of, say, tokio or hyper would
//! change the functions the bench builds. This check compares, for every
//! crate the functions use, the features cargo resolves for the functions
//! alone and for the bench's invocation, and refuses to measure if any
//! differ.

use anyhow::{Context, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Fails, naming the crates, when building `with` together with
/// `functions` resolves a crate the functions use with other features.
pub fn check(cargo: &str, functions: &[&str], with: &[&str]) -> anyhow::Result<()> {
    let alone = resolved(cargo, functions)?;
    let together: Vec<&str> = functions.iter().chain(with).copied().collect();
    let together = resolved(cargo, &together)?;
    let changed: Vec<String> = alone
        .iter()
        .filter(|(krate, features)| together.get(*krate) != Some(features))
        .map(|(krate, features)| {
            let other = together.get(krate).cloned().unwrap_or_default();
            format!("{krate}: {features:?} alone, {other:?} with {}", with.join(", "))
        })
        .collect();
    if !changed.is_empty() {
        bail!(
            "building {} with the functions changes their dependencies' features, \
             so the bench would not measure what is deployed:\n  {}",
            with.join(", "),
            changed.join("\n  ")
        );
    }
    println!(
        "bench: {} add no feature to the {} crates the functions use",
        with.join(", "),
        alone.len()
    );
    Ok(())
}

/// Each crate (name and version) → its feature sets, as cargo resolves
/// them for one build of `packages` (a crate built both for the target and
/// for a build script or proc macro may have two).
type Resolved = BTreeMap<String, BTreeSet<String>>;

fn resolved(cargo: &str, packages: &[&str]) -> anyhow::Result<Resolved> {
    let mut tree = Command::new(cargo);
    tree.args([
        "tree",
        "--edges",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}|{f}",
    ]);
    for p in packages {
        tree.args(["--package", p]);
    }
    let out = tree.output().context("run cargo tree")?;
    if !out.status.success() {
        bail!("cargo tree: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(parse(&String::from_utf8_lossy(&out.stdout)))
}

fn parse(tree: &str) -> Resolved {
    let mut resolved = Resolved::new();
    for line in tree.lines() {
        let Some((krate, features)) = line.split_once('|') else {
            continue;
        };
        // `(*)`: a crate already listed above; `(proc-macro)` stays part of the name.
        let features = features.trim_end_matches("(*)").trim();
        resolved
            .entry(krate.trim().to_owned())
            .or_default()
            .insert(features.to_owned());
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_crates_keep_their_features() {
        let tree = "tokio v1.0.0|macros,rt\nhyper v1.0.0|client\ntokio v1.0.0|macros,rt (*)\nsyn v2.0.0|full\nsyn v2.0.0|derive (*)\n";
        let parsed = parse(tree);
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed["tokio v1.0.0"], BTreeSet::from(["macros,rt".to_owned()]));
        assert_eq!(parsed["syn v2.0.0"].len(), 2);
    }
}
