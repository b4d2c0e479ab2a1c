//! `cargo xtask smoke --url URL`: a smoke test of a deployed (or local)
//! API. Every route gets two requests:
//!
//! - a **harmless** one, with the route's credential: a valid body for an
//!   account that does not exist in the smoke credentials' scope
//!   ([`SMOKE_SCOPE`](crate::credentials::principal::SMOKE_SCOPE)), and an
//!   `If-Match` that no item's ETag can equal ([`UNMATCHABLE_IF_MATCH`]).
//!   Expected: 404 (no such account) or 412 (an account that exists,
//!   as a v1 token's own: the precondition fails inside the conditional
//!   write, which then writes nothing); on the email confirmation also 400
//!   (an existing account with no change awaiting confirmation: nothing to
//!   confirm, no try counted). Each proves that the route
//!   reaches its function, the credential is read from its table and the
//!   function may call its conditional write; neither changes any data,
//!   whatever credential is given.
//! - a **refused** one, the same without a credential. Expected: 401.
//!
//! Credentials come from the environment ([`secret_var`]), not from
//! arguments, so they are not shown in process listings:
//! `eval "$(cargo xtask credentials smoke ...)"` sets them.
//! Each route's outcome is printed; any failure is an error (exit code 1).

pub mod client;
pub mod local;

#[cfg(test)]
mod tests;

use crate::credentials::Api;
use bytes::Bytes;
use client::HttpClient;
use http_body_util::Full;

/// An `If-Match` no stored item matches: ETags here are `"v<version>"`
/// (weak on contract 001, where only `*` can hold).
pub const UNMATCHABLE_IF_MATCH: &str = "\"smoke-test-never-matches\"";

/// The statuses a harmless request may get: 404 (no such account) or 412
/// (the account exists; the precondition failed and nothing was written).
pub const HARMLESS_STATUSES: &[u16] = &[404, 412];

/// [`HARMLESS_STATUSES`] of the email confirmation, and 400: an existing
/// account with no change awaiting confirmation (nothing written).
pub const HARMLESS_CONFIRMATION_STATUSES: &[u16] = &[404, 412, 400];

/// The status of a request without a credential.
pub const REFUSED_STATUS: u16 = 401;

/// One route's requests.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    /// The API whose credential it sends.
    pub api: Api,
    /// HTTP method.
    pub method: &'static str,
    /// Path: an account in no one's data.
    pub path: &'static str,
    /// A valid body for the route.
    pub body: &'static str,
    /// The statuses its harmless request may get.
    pub harmless: &'static [u16],
}

/// One probe per route of the template (a test holds them equal).
pub const PROBES: [Probe; 7] = [
    Probe {
        api: Api::Metadata,
        method: "PATCH",
        path: "/accounts/smoke-test/metadata",
        body: r#"{"name": "smoke test"}"#,
        harmless: HARMLESS_STATUSES,
    },
    Probe {
        api: Api::Tenant,
        method: "PATCH",
        path: "/v0/accounts/account_00000000000000000000000000",
        body: r#"{"name": "smoke test"}"#,
        harmless: HARMLESS_STATUSES,
    },
    Probe {
        api: Api::Crm,
        method: "PATCH",
        path: "/accounts/9223372036854775807",
        body: r#"{"title": "smoke test"}"#,
        harmless: HARMLESS_STATUSES,
    },
    Probe {
        api: Api::Crm,
        method: "PATCH",
        path: "/clients/9223372036854775807",
        body: r#"{"title": "smoke test"}"#,
        harmless: HARMLESS_STATUSES,
    },
    Probe {
        api: Api::V1,
        method: "PATCH",
        path: "/v1/account",
        body: r#"{"name": "smoke test"}"#,
        harmless: HARMLESS_STATUSES,
    },
    Probe {
        api: Api::V1,
        method: "POST",
        path: "/v1/account/email/confirm",
        body: r#"{"code": "0000000000"}"#,
        harmless: HARMLESS_CONFIRMATION_STATUSES,
    },
    Probe {
        api: Api::V2,
        method: "PATCH",
        path: "/v2/accounts/smoke-test",
        body: r#"{"displayName": "smoke test"}"#,
        harmless: HARMLESS_STATUSES,
    },
];

/// The environment variable holding the smoke test's secret for `api`
/// (`SMOKE_METADATA_SECRET`, ...).
pub fn secret_var(api: Api) -> String {
    format!("SMOKE_{}_SECRET", api.name().to_ascii_uppercase())
}

/// How one route did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `METHOD path`.
    pub route: String,
    /// The harmless request's status (`None`: not sent, or no answer).
    pub harmless: Option<u16>,
    /// The refused request's status.
    pub refused: Option<u16>,
    /// What went wrong, if anything.
    pub problems: Vec<String>,
}

impl Outcome {
    /// Both requests answered as expected.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = |s: Option<u16>| s.map_or("-".to_owned(), |s| s.to_string());
        write!(
            f,
            "{} {}: harmless {}, refused {}",
            if self.passed() { "pass" } else { "FAIL" },
            self.route,
            status(self.harmless),
            status(self.refused)
        )?;
        if !self.problems.is_empty() {
            write!(f, " ({})", self.problems.join("; "))?;
        }
        Ok(())
    }
}

/// Sends every probe to the API at `base_url`, with the secret
/// `secret(api)` gives for each API.
pub async fn check(base_url: &str, secret: impl Fn(Api) -> Option<String>) -> anyhow::Result<Vec<Outcome>> {
    let client = HttpClient::new()?;
    let base_url = base_url.trim_end_matches('/');
    let mut outcomes = Vec::new();
    for probe in PROBES {
        let mut outcome = Outcome {
            route: format!("{} {}", probe.method, probe.path),
            harmless: None,
            refused: None,
            problems: Vec::new(),
        };
        match secret(probe.api) {
            Some(secret) => {
                let (name, prefix) = probe.api.header();
                let credential = Some((name, format!("{prefix}{secret}")));
                match client.send(request(base_url, &probe, credential)?).await {
                    Ok(answer) => {
                        outcome.harmless = Some(answer.status);
                        if !probe.harmless.contains(&answer.status) {
                            outcome.problems.push(format!(
                                "with its credential: {} {}, expected one of {:?}",
                                answer.status,
                                excerpt(&answer.body),
                                probe.harmless
                            ));
                        }
                    }
                    Err(e) => outcome.problems.push(format!("{e:#}")),
                }
            }
            None => outcome
                .problems
                .push(format!("no credential: set {}", secret_var(probe.api))),
        }
        match client.send(request(base_url, &probe, None)?).await {
            Ok(answer) => {
                outcome.refused = Some(answer.status);
                if answer.status != REFUSED_STATUS {
                    outcome.problems.push(format!(
                        "without a credential: {}, expected {REFUSED_STATUS}",
                        answer.status
                    ));
                }
            }
            Err(e) => outcome.problems.push(format!("{e:#}")),
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// `cargo xtask smoke --url URL`: [`check`] with the secrets of the
/// environment; prints each route's outcome, fails when any failed.
pub async fn run(base_url: &str) -> anyhow::Result<()> {
    println!("==> smoke test of {base_url}: a harmless request and a refused one per route");
    let outcomes = check(base_url, |api| {
        std::env::var(secret_var(api)).ok().filter(|s| !s.is_empty())
    })
    .await?;
    for outcome in &outcomes {
        println!("    {outcome}");
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    println!(
        "smoke: {} routes passed, {failed} failed",
        outcomes.len() - failed
    );
    if failed > 0 {
        anyhow::bail!("{failed} of {} routes failed the smoke test", outcomes.len());
    }
    Ok(())
}

/// The probe's request, with `credential` (header name, value) if given.
fn request(
    base_url: &str,
    probe: &Probe,
    credential: Option<(&str, String)>,
) -> anyhow::Result<hyper::Request<Full<Bytes>>> {
    let mut builder = hyper::Request::builder()
        .method(probe.method)
        .uri(format!("{base_url}{}", probe.path))
        .header("content-type", "application/json")
        .header("if-match", UNMATCHABLE_IF_MATCH)
        .header("user-agent", "update-accounts-smoke-test");
    if let Some((name, value)) = credential {
        builder = builder.header(name, value);
    }
    Ok(builder.body(Full::new(Bytes::from_static(probe.body.as_bytes())))?)
}

/// The start of a body, for a failure message.
fn excerpt(body: &str) -> String {
    const MAX_CHARS: usize = 200;
    body.chars().take(MAX_CHARS).collect()
}
