//! The bench's tables, and the sizes of the binaries.

use anyhow::{Context, bail};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Everything one run measured.
pub struct Report<'a> {
    /// `bench-driver latency` lines.
    pub latency: &'a [Value],
    /// Instructions per request, by scenario.
    pub instructions: &'a [Instructions],
    /// `bench-driver coldstart` lines.
    pub cold: &'a [Value],
    /// (binary, stripped bytes, zipped bytes).
    pub sizes: &'a [(String, u64, u64)],
    /// The cargo profile.
    pub profile: &'a str,
    /// Seconds the build took (0 when nothing changed).
    pub build_secs: f64,
    /// Seconds the whole bench took.
    pub total_secs: f64,
    /// System roots in the bundle the functions load.
    pub roots: usize,
    /// How many memory runs went side by side (their invocations/s share
    /// the cores; the cold starts ran alone).
    pub side_by_side: usize,
    /// The Python peer's measurements, when it ran.
    pub peer: Option<Peer<'a>>,
}

/// The Python peer's side of the same run (`dev/peer-python`).
pub struct Peer<'a> {
    /// `bench.py latency` lines, named as the Rust scenarios.
    pub latency: &'a [Value],
    /// Its `bench-driver coldstart` line.
    pub cold: &'a [Value],
    /// `bench.py size`: what its package holds beyond the managed runtime.
    pub size: Option<&'a Value>,
}

/// Instructions per request of one scenario (callgrind, answers from
/// memory), by what the `bench-driver cpu` run repeated.
pub struct Instructions {
    /// The scenario.
    pub name: String,
    /// Building the request, then the handler with its SDK calls.
    pub handler: f64,
    /// The bare SDK making the same calls (0 when there are none).
    pub bare: f64,
    /// Building the request only (the bench's, not the function's, work).
    pub build: f64,
}

impl Instructions {
    /// The handler with its SDK calls, without building the request.
    pub fn request(&self) -> f64 {
        self.handler - self.build
    }

    /// The handler's own work: the request without the SDK's calls.
    pub fn own(&self) -> f64 {
        self.request() - self.bare
    }
}

/// Stripped size and zip size (deflate, as `sam build` zips) of each binary.
pub fn sizes(binaries: &[PathBuf]) -> anyhow::Result<Vec<(String, u64, u64)>> {
    let script = r#"
import sys, zipfile, io
for p in sys.argv[1:]:
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        z.write(p, 'bootstrap')
    print(len(b.getvalue()))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(binaries)
        .output()
        .context("run python3 (zip sizes)")?;
    if !out.status.success() {
        bail!("zip sizes: {}", String::from_utf8_lossy(&out.stderr));
    }
    let zipped: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    binaries
        .iter()
        .zip(zipped)
        .map(|(b, z)| {
            let name = b.file_name().unwrap_or_default().to_string_lossy().into_owned();
            Ok((name, std::fs::metadata(b)?.len(), z))
        })
        .collect()
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(0.0)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Prints every table.
pub fn print(r: &Report<'_>) {
    println!();
    println!(
        "## Per endpoint and path (in process, embedded DynamoDB over loopback, credential cache TTL 60 s)"
    );
    println!();
    println!(
        "| endpoint / path | status | handler p50 µs | p99 | bare SDK p50 µs | p99 | ratio p50 | calls | sequential | capacity units | CPU handler µs | of which SDK µs | handler outside SDK µs | instructions: request | of which the handler's own |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for l in r.latency {
        let name = l["name"].as_str().unwrap_or_default();
        let (h50, b50) = (f(l, "handler_p50_us"), f(l, "bare_p50_us"));
        let ratio = if b50 > 0.0 {
            format!("{:.2}", h50 / b50)
        } else {
            "no call".to_owned()
        };
        let (cpu_h, cpu_b) = (f(l, "cpu_handler_p50_us"), f(l, "cpu_bare_p50_us"));
        let (ir, own) = r
            .instructions
            .iter()
            .find(|i| i.name == name)
            .map(|i| {
                (
                    format!("{:.0}k", i.request() / 1000.0),
                    format!("{:.0}k", i.own() / 1000.0),
                )
            })
            .unwrap_or_else(|| ("-".to_owned(), "-".to_owned()));
        println!(
            "| {name} | {} | {h50:.0} | {:.0} | {} | {} | {ratio} | {:.2} | {:.2} | {:.1} | {cpu_h:.1} | {cpu_b:.1} | {:.1} | {ir} | {own} |",
            l["status"],
            f(l, "handler_p99_us"),
            if b50 > 0.0 {
                format!("{b50:.0}")
            } else {
                "-".to_owned()
            },
            if b50 > 0.0 {
                format!("{:.0}", f(l, "bare_p99_us"))
            } else {
                "-".to_owned()
            },
            f(l, "calls"),
            f(l, "sequential"),
            f(l, "capacity"),
            (cpu_h - cpu_b).max(0.0),
        );
    }
    println!();
    println!(
        "## Cold start (exec to first answered invocation; DynamoDB behind TLS, {} system roots + test CA), size, peak RSS",
        r.roots
    );
    println!();
    println!(
        "| binary | first status | cold p50 ms | min | p90 | init p50 ms | first invocation p50 ms | × hello | × hello + DynamoDB | stripped MiB | zipped MiB | peak RSS MiB | over invocations | invocations/s ({} runs at once) |",
        r.side_by_side
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let baseline = |binary: &str| {
        r.cold
            .iter()
            .find(|c| c["binary"].as_str().is_some_and(|b| b.ends_with(binary)))
            .map(|c| f(c, "cold_p50_ms"))
            .unwrap_or(0.0)
    };
    let ratio = |cold: f64, base: f64| if base > 0.0 { cold / base } else { 0.0 };
    let (hello, hello_dynamodb) = (baseline("hello-lambda"), baseline("hello-dynamodb"));
    for c in r.cold {
        let binary = c["binary"].as_str().unwrap_or_default();
        let name = Path::new(binary)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let (stripped, zipped) = r
            .sizes
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, s, z)| (mib(*s), mib(*z)))
            .unwrap_or_default();
        let cold = f(c, "cold_p50_ms");
        println!(
            "| {name} | {} | {cold:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} | {stripped:.2} | {zipped:.2} | {:.1} | {} | {:.0} |",
            c["status"],
            f(c, "cold_min_ms"),
            f(c, "cold_p90_ms"),
            f(c, "init_p50_ms"),
            f(c, "first_p50_ms"),
            ratio(cold, hello),
            ratio(cold, hello_dynamodb),
            f(c, "peak_rss_mib"),
            c["rss_invocations"],
            f(c, "invocations_per_s"),
        );
    }
    if let Some(peer) = &r.peer {
        print_peer(r, peer);
    }
    println!();
    println!(
        "profile `{}`; build {:.0} s; whole bench {:.0} s; machine: {} CPUs, {}",
        r.profile,
        r.build_secs,
        r.total_secs,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        cpu_model()
    );
}

/// The peer's rows beside the Rust function's, from the same run, with
/// the ratio of each (peer / Rust).
fn print_peer(r: &Report<'_>, peer: &Peer<'_>) {
    const RUST: &str = "update-account-metadata";
    let rust_cold = r.cold.iter().find(|c| {
        c["binary"]
            .as_str()
            .is_some_and(|b| b.ends_with(&format!("/{RUST}")))
    });
    let peer_cold = peer.cold.first();
    let latency = |lines: &[Value], path: &str, key: &str| {
        lines
            .iter()
            .find(|l| l["name"].as_str().is_some_and(|n| n.ends_with(path)))
            .map(|l| f(l, key))
    };
    let cold = |c: Option<&Value>, key: &str| c.map(|c| f(c, key));
    let mut rows: Vec<(String, Option<f64>, Option<f64>, usize)> = Vec::new();
    // (row, key of both `coldstart` lines, digits)
    for (what, key, digits) in [
        ("cold start p50 ms (exec to first answer)", "cold_p50_ms", 1),
        ("cold start min ms", "cold_min_ms", 1),
        ("cold start p90 ms", "cold_p90_ms", 1),
        ("init p50 ms (exec to first GET /next)", "init_p50_ms", 1),
        ("first invocation p50 ms", "first_p50_ms", 1),
    ] {
        rows.push((
            what.to_owned(),
            cold(rust_cold, key),
            cold(peer_cold, key),
            digits,
        ));
    }
    // (row, scenario path, quantile)
    for (what, path, q) in [
        ("plain update, warm, in process p50 µs", "/ plain update", "p50"),
        ("plain update, warm, in process p99 µs", "/ plain update", "p99"),
        (
            "401 unknown token, warm, in process p50 µs",
            "/ 401 unknown token",
            "p50",
        ),
        (
            "401 unknown token, warm, in process p99 µs",
            "/ 401 unknown token",
            "p99",
        ),
    ] {
        let rust = latency(r.latency, path, &format!("handler_{q}_us"));
        rows.push((
            what.to_owned(),
            rust,
            latency(peer.latency, path, &format!("{q}_us")),
            0,
        ));
    }
    rows.push((
        "peak RSS MiB (VmHWM)".to_owned(),
        cold(rust_cold, "peak_rss_mib"),
        cold(peer_cold, "peak_rss_mib"),
        1,
    ));
    rows.push((
        format!(
            "invocations/s through the Runtime API ({} runs at once)",
            r.side_by_side
        ),
        cold(rust_cold, "invocations_per_s"),
        cold(peer_cold, "invocations_per_s"),
        0,
    ));
    let rust_size = r.sizes.iter().find(|(n, _, _)| n == RUST);
    let size = |key: &str| peer.size.map(|s| f(s, key) / (1024.0 * 1024.0));
    rows.push((
        "deployment package zipped MiB".to_owned(),
        rust_size.map(|(_, _, z)| mib(*z)),
        size("zipped"),
        2,
    ));
    rows.push((
        "deployment package unpacked MiB".to_owned(),
        rust_size.map(|(_, s, _)| mib(*s)),
        size("bytes"),
        2,
    ));
    println!();
    println!("## Python Powertools peer (dev/peer-python, under awslambdaric) beside {RUST}, same run");
    println!();
    println!("| measure | {RUST} (Rust) | Python peer | × Rust |");
    println!("|---|---|---|---|");
    let cell = |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
    for (what, rust, python, digits) in rows {
        let ratio = match (rust, python) {
            (Some(a), Some(b)) if a > 0.0 => format!("{:.1}", b / a),
            _ => "-".to_owned(),
        };
        println!(
            "| {what} | {} | {} | {ratio} |",
            cell(rust, digits),
            cell(python, digits)
        );
    }
    println!();
    if let Some(c) = peer_cold {
        println!(
            "Peer: first status {}, peak RSS over {} invocations.",
            c["status"], c["rss_invocations"]
        );
    }
    if let Some(s) = peer.size {
        let names = |key: &str| {
            s[key]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        };
        println!(
            "Peer package (CPython {}): {} ({} files, no bytecode caches); not counted, part of the managed runtime: {}.",
            s["python"].as_str().unwrap_or("?"),
            names("distributions"),
            s["files"],
            names("not_counted")
        );
    }
    println!("Rust package: the stripped binary zipped as `bootstrap` (provided.al2023 runtime).");
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}
