//! The bench's test CA and server certificate (openssl), and the root
//! bundle the functions trust: the system's roots plus the test CA, so
//! the cold start pays for loading a real root store, as on Lambda.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files of the test PKI.
pub struct Certs {
    /// The server's certificate (PEM), for 127.0.0.1.
    pub cert: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
    /// System roots + the test CA (PEM), given as `SSL_CERT_FILE`.
    pub roots: PathBuf,
    /// How many system roots the bundle holds.
    pub system_roots: usize,
}

/// Where distributions keep the root bundle.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// Makes an EC P-256 test CA and a server certificate for IP 127.0.0.1 in `dir`.
pub fn make(dir: &Path) -> anyhow::Result<Certs> {
    let p = |name: &str| dir.join(name);
    let s = |path: PathBuf| path.to_string_lossy().into_owned();
    let openssl = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .context("run openssl (needed for the bench's test CA)")?;
        if !out.status.success() {
            bail!(
                "openssl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    let (ca_key, ca_pem) = (s(p("ca.key")), s(p("ca.pem")));
    ca.extend([
        "-keyout",
        &ca_key,
        "-out",
        &ca_pem,
        "-days",
        "2",
        "-subj",
        "/CN=bench test CA",
    ]);
    ca.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(&ca)?;
    let (key, csr, cert) = (s(p("server.key")), s(p("server.csr")), s(p("server.pem")));
    let mut req = vec!["req"];
    req.extend(ec);
    req.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=127.0.0.1"]);
    openssl(&req)?;
    let ext = p("server.ext");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )?;
    let ext = s(ext);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_pem,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-out",
        &cert,
        "-days",
        "2",
        "-extfile",
        &ext,
    ])?;
    let system = SYSTEM_BUNDLES
        .iter()
        .find_map(|b| std::fs::read_to_string(b).ok())
        .unwrap_or_default();
    let system_roots = system.matches("BEGIN CERTIFICATE").count();
    let roots = p("roots.pem");
    std::fs::write(&roots, format!("{system}\n{}", std::fs::read_to_string(&ca_pem)?))?;
    Ok(Certs {
        cert: PathBuf::from(cert),
        key: PathBuf::from(key),
        roots,
        system_roots,
    })
}
