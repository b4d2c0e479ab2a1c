//! README.md stays a page for callers and deployers: short enough to read
//! through; contributor detail goes to CONTRIBUTING.md.

use testkit::workspace_root;

/// The most lines README.md may have.
const MAX_README_LINES: usize = 250;

#[test]
fn the_readme_stays_within_its_length() {
    let text = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let lines = text.lines().count();
    assert!(
        lines <= MAX_README_LINES,
        "README.md has {lines} lines, at most {MAX_README_LINES}"
    );
}

#[test]
fn the_deploy_section_has_the_credential_and_smoke_commands() {
    let text = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let deploying = text.split("## Deploying").nth(1).expect("a deploy section");
    for command in ["cargo xtask credentials smoke --stack", "cargo xtask smoke --url"] {
        assert!(
            deploying.contains(command),
            "the deploy section lacks `{command}`"
        );
    }
}
