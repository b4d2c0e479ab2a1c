//! What `sam build` produced, checked the way Lambda will load it: one
//! `bootstrap` per function of the template, an x86_64 Linux executable
//! (the architecture the test command builds), needing no glibc newer than
//! `provided.al2023` has.

use anyhow::{Context, bail};
use std::path::Path;

/// The newest glibc `provided.al2023` ships (2.34): a binary asking for a
/// newer symbol version fails to start there with "GLIBC_2.xx not found".
pub const MAX_GLIBC: (u32, u32) = (2, 34);

/// Checks the artifacts under `target/sam/build/<function logical id>/`.
pub fn check() -> anyhow::Result<()> {
    let template = std::fs::read_to_string("template.yaml").context("read template.yaml")?;
    let template: serde_norway::Value = serde_norway::from_str(&template).context("parse template.yaml")?;
    let resources = template
        .get("Resources")
        .and_then(|r| r.as_mapping())
        .context("template.yaml has no Resources")?;
    let mut checked = 0;
    for (id, resource) in resources {
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap_or_default();
        let path = Path::new(crate::check::SAM_BUILD_DIR).join(id).join("bootstrap");
        let bytes = std::fs::read(&path).with_context(|| format!("{id}: no {}", path.display()))?;
        check_binary(&bytes).with_context(|| format!("{id}: {}", path.display()))?;
        println!(
            "    {id}: bootstrap {:.1} MiB",
            bytes.len() as f64 / (1024.0 * 1024.0)
        );
        checked += 1;
    }
    if checked == 0 {
        bail!("template.yaml has no functions");
    }
    Ok(())
}

/// An ELF 64-bit x86-64 executable whose glibc symbol versions are at most
/// [`MAX_GLIBC`].
fn check_binary(bytes: &[u8]) -> anyhow::Result<()> {
    const ELF_MAGIC: &[u8] = b"\x7fELF";
    const ELFCLASS64: u8 = 2;
    const EM_X86_64: u16 = 62;
    if bytes.len() < 20 || !bytes.starts_with(ELF_MAGIC) || bytes[4] != ELFCLASS64 {
        bail!("not a 64-bit ELF file");
    }
    let machine = u16::from_le_bytes([bytes[18], bytes[19]]);
    if machine != EM_X86_64 {
        bail!("ELF machine {machine}, not x86-64 ({EM_X86_64})");
    }
    if let Some(newest) = glibc_versions(bytes).max()
        && newest > MAX_GLIBC
    {
        bail!(
            "needs GLIBC_{}.{}; provided.al2023 has {}.{}",
            newest.0,
            newest.1,
            MAX_GLIBC.0,
            MAX_GLIBC.1
        );
    }
    Ok(())
}

/// Every `GLIBC_<major>.<minor>` version string in the binary.
fn glibc_versions(bytes: &[u8]) -> impl Iterator<Item = (u32, u32)> + '_ {
    const PREFIX: &[u8] = b"GLIBC_";
    bytes.windows(PREFIX.len()).enumerate().filter_map(|(i, w)| {
        if w != PREFIX {
            return None;
        }
        let rest = &bytes[i + PREFIX.len()..];
        let end = rest.iter().position(|b| !(b.is_ascii_digit() || *b == b'.'))?;
        let text = std::str::from_utf8(&rest[..end]).ok()?;
        let mut parts = text.split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(machine: u16, extra: &[u8]) -> Vec<u8> {
        let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
        bytes.resize(18, 0);
        bytes.extend_from_slice(&machine.to_le_bytes());
        bytes.extend_from_slice(extra);
        bytes
    }

    #[test]
    fn accepts_x86_64_with_old_enough_glibc() {
        check_binary(&elf(62, b"\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_PRIVATE\0")).unwrap();
    }

    #[test]
    fn refuses_newer_glibc_other_machines_and_non_elf() {
        assert!(check_binary(&elf(62, b"\0GLIBC_2.39\0")).is_err());
        assert!(check_binary(&elf(183, b"")).is_err());
        assert!(check_binary(b"#!/bin/sh\n").is_err());
    }
}
