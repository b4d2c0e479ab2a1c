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
        "| binary | first status | cold p50 ms | min | p90 | init p50 ms | first invocation p50 ms | × hello | × hello + DynamoDB | stripped MiB | zipped MiB | peak RSS MiB | over invocations | invocations/s |"
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
