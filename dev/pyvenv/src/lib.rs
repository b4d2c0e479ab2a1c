//! Python tools and programs from PyPI in git-ignored project-local venvs
//! (`.venv`, and venvs of their own inside it), installed on first use at
//! pinned versions with the venv's own pip. Blocking (std::process): the
//! dev tooling calls it from async code through `spawn_blocking`, the bench
//! and the tests directly.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv's `bin` directory, after installing `packages` (pip
/// requirement specifiers) when one of `probes` (executables in it) is
/// missing.
pub fn ensure(venv: &Path, packages: &[&str], probes: &[&str]) -> Result<PathBuf, String> {
    let bin = venv.join("bin");
    if probes.iter().all(|probe| bin.join(probe).exists()) {
        return Ok(bin);
    }
    install(venv, &packages.join(" "), packages)?;
    if let Some(probe) = probes.iter().find(|probe| !bin.join(probe).exists()) {
        return Err(format!(
            "{probe} is still missing from {} after installing {}",
            venv.display(),
            packages.join(" ")
        ));
    }
    Ok(bin)
}

/// The venv's `bin` directory, after installing the requirements file
/// `requirements` when the venv has not installed this very file yet (its
/// content is kept beside the venv's `pyvenv.cfg` once pip succeeded, so
/// a changed pin installs again).
pub fn ensure_requirements(venv: &Path, requirements: &Path) -> Result<PathBuf, String> {
    let wanted = std::fs::read_to_string(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let stamp = venv.join("requirements.installed.txt");
    if std::fs::read_to_string(&stamp).is_ok_and(|installed| installed == wanted) {
        return Ok(venv.join("bin"));
    }
    let file = requirements.to_string_lossy();
    install(venv, &file, &["-r", &file])?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(venv.join("bin"))
}

/// Creates the venv when it has no pip yet, then `pip install args`.
fn install(venv: &Path, what: &str, args: &[&str]) -> Result<(), String> {
    let pip = venv.join("bin").join("pip");
    if !pip.exists() {
        println!("==> creating {} (python3 -m venv)", venv.display());
        run(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    }
    println!(
        "==> installing {what} into {} (first use only; about a minute)",
        venv.display()
    );
    // pip prints a line per package it fetches; no progress bars, which
    // would fill a log file with control characters.
    run(Command::new(pip)
        .args(["install", "--progress-bar", "off", "--disable-pip-version-check"])
        .args(args))
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

/// `PATH` with the venv's bin directory first (so `cargo lambda` finds
/// `cargo-lambda`).
pub fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut paths = vec![std::fs::canonicalize(bin).unwrap_or_else(|_| bin.to_path_buf())];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// The Python Powertools peer of `update-account-metadata`
/// (`dev/peer-python`): where it and its venv are, and its install, for
/// the bench and the tests that run it.
pub mod peer {
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    /// Its directory (from the workspace root): the handler (`app.py`),
    /// its `bootstrap`, its side of the bench (`bench.py`) and its pinned
    /// `requirements.txt`.
    pub const DIR: &str = "dev/peer-python";
    /// Its venv (git-ignored, inside the tools' `.venv`).
    pub const VENV: &str = ".venv/peer-python";

    /// Installs the pinned requirements into [`VENV`] under `root` (the
    /// workspace root) on first use or when the file changed, once per
    /// process; returns the venv's python as an absolute path that keeps
    /// the venv's own `bin/python` (not the interpreter it links to, which
    /// would not see the venv).
    pub fn install(root: &Path) -> Result<PathBuf, String> {
        static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        PYTHON
            .get_or_init(|| {
                let bin =
                    super::ensure_requirements(&root.join(VENV), &root.join(DIR).join("requirements.txt"))?;
                std::path::absolute(bin.join("python")).map_err(|e| e.to_string())
            })
            .clone()
    }
}
