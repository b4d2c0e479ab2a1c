//! The logic of every fuzz target, as functions of the input bytes, so the
//! cargo-fuzz binaries (`fuzz/fuzz_targets/*.rs`) and the regular test
//! suite (`tests/corpus.rs`, over `fuzz/corpus/<target>/` and the bodies of
//! `events/`) run exactly the same code.
//!
//! The targets are the catalog's (`dev/catalog`): the shared body parsing
//! ([`json_body`]), then one per function. A function with routes needs no
//! code here: its target sends the bytes, as the body, to each of its
//! endpoints' `check_request` (from the registry, `dev/endpoints`), on the
//! request of the binary's bench event (its path, query and headers), and
//! is accepted when one endpoint accepts it ([`endpoints`]). Where a
//! function checks more of a body than `check_request` can without its
//! table, an extra check runs after an accepted one (contract 002's custom
//! field plan, [`crm`]). A stream function has its own logic ([`mailer`]).
//!
//! Each must not panic, and a refusal must be a documented 4xx: 400, or 413
//! for what is too large. A broken rule panics, which libFuzzer reports as
//! a crash and a test as a failure.
//!
//! This is a crate of its own, not part of `testkit`: every endpoint crate's
//! tests depend on testkit, so testkit cannot depend on the endpoint crates.

pub mod crm;
pub mod endpoints;
mod json_body;
pub mod mailer;

pub use json_body::json_body;

use lambda_http::http::StatusCode;

/// What a target made of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Parsed and valid: the endpoint would go on to write.
    Accepted,
    /// Refused with this (documented) status.
    Refused(u16),
}

/// A target's logic: the verdict on one input.
pub type Logic = Box<dyn Fn(&[u8]) -> Verdict + Send + Sync>;

/// A fuzz target: its name (the directory of its corpus, the value of
/// `FUZZ_TARGET` for the `function` binary of `fuzz/`) and its logic.
pub struct Target {
    /// The name, `fuzz/corpus/<name>/`.
    pub name: &'static str,
    /// The logic.
    pub run: Logic,
}

impl Target {
    /// The binaries of `events/<binary>/` whose bodies it also runs: the
    /// HTTP binaries of the function it belongs to (`dev/catalog`), none
    /// for the shared body parsing or a stream function.
    pub fn events(&self) -> Vec<&'static str> {
        catalog::by_fuzz_target(self.name)
            .map(|f| f.http_binaries().map(|b| b.name).collect())
            .unwrap_or_default()
    }
}

/// The environment variable naming the target the `function` binary of
/// `fuzz/` runs (`cargo xtask fuzz` sets it).
pub const TARGET_VAR: &str = "FUZZ_TARGET";

/// Every target, in the catalog's order (`catalog::fuzz_targets`).
///
/// # Panics
/// When a function of the catalog has no logic: a stream function without
/// its own here, or a function with routes missing from the registry.
pub fn targets() -> Vec<Target> {
    catalog::fuzz_targets().map(target).collect()
}

/// The target named `name`.
///
/// # Panics
/// When no function of the catalog has that fuzz target, or it has no
/// logic (see [`targets`]).
pub fn target(name: &str) -> Target {
    if name == catalog::SHARED_FUZZ_TARGET {
        return Target {
            name: catalog::SHARED_FUZZ_TARGET,
            run: Box::new(json_body),
        };
    }
    let function = catalog::by_fuzz_target(name).unwrap_or_else(|| {
        let names: Vec<_> = catalog::fuzz_targets().collect();
        panic!("no fuzz target {name:?}; the targets: {names:?}")
    });
    // The functions with logic of their own, by package: the mailer's, and
    // contract 002's custom field plan after its endpoints' check.
    let run: Logic = match function.package {
        "send-account-email" => Box::new(mailer::send_account_email),
        "update-crm-account" => {
            let endpoints = endpoints::Requests::of(function);
            let account = crm::account_of(endpoints.requests().next().expect("an endpoint"));
            Box::new(move |data| {
                endpoints
                    .verdict(data)
                    .and_then(|| crm::custom_fields(data, account))
            })
        }
        _ if function.http_binaries().next().is_some() => {
            let endpoints = endpoints::Requests::of(function);
            Box::new(move |data| endpoints.verdict(data))
        }
        package => {
            panic!("dev/fuzzing: the stream function {package} has no fuzz logic: add it as `mailer`'s")
        }
    };
    Target {
        name: function.fuzz_target,
        run,
    }
}

/// The target [`TARGET_VAR`] names.
///
/// # Panics
/// When it is unset or names no target.
pub fn target_from_env() -> Target {
    let name = std::env::var(TARGET_VAR).unwrap_or_else(|_| {
        let names: Vec<_> = catalog::fuzz_targets().collect();
        panic!("set {TARGET_VAR} to one of {names:?}")
    });
    target(&name)
}

impl Verdict {
    /// `next`'s verdict when this one is [`Verdict::Accepted`], else this.
    pub fn and_then(self, next: impl FnOnce() -> Verdict) -> Verdict {
        match self {
            Verdict::Accepted => next(),
            refused => refused,
        }
    }
}

/// The statuses a refused body may have.
const DOCUMENTED: [StatusCode; 2] = [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE];

/// Asserts that a refusal is documented; its verdict.
fn refused(status: StatusCode) -> Verdict {
    assert!(DOCUMENTED.contains(&status), "undocumented status {status}");
    Verdict::Refused(status.as_u16())
}
