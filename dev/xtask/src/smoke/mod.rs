//! `cargo xtask smoke --url URL`: a smoke test of a deployed (or local)
//! API. Every route of `template.yaml` gets two requests, derived from the
//! route's success event ([`crate::success_events`]): its method, its
//! `rawPath` and its body, so a new route needs only its events.
//!
//! - a **harmless** one, with the route's credential: the smoke
//!   credential of the route's function ([`credential`]), whose scope
//!   holds no data ([`SMOKE_SCOPE`](credential::SMOKE_SCOPE)), and an
//!   `If-Match` that no item's ETag can equal ([`UNMATCHABLE_IF_MATCH`]).
//!   The event's path names a demo account, which the smoke credential
//!   cannot reach: expected 404 (no such account for this credential), or
//!   412 where the account is the token's own (`/v1/account`) and exists:
//!   the write driver (`shared::store::write`) checks `If-Match` against
//!   the item it read before any write, after the function's own checks,
//!   so a refused precondition writes nothing. A route may admit more
//!   ([`EXTRA_HARMLESS`]). Each proves that the route reaches its function,
//!   the credential is read from its table and the function may call its
//!   conditional write; none changes any data, whatever credential is given.
//! - a **refused** one, the same without a credential. Expected: 401.
//!
//! Credentials come from the environment
//! ([`SmokeCredential::secret_var`]), not from
//! arguments, so they are not shown in process listings:
//! `eval "$(cargo xtask credentials smoke ...)"` sets them.
//! Each route's outcome is printed; any failure is an error (exit code 1).

pub mod client;
pub mod credential;
pub mod local;

#[cfg(test)]
mod tests;

use crate::success_events::{self, SuccessEvent};
use anyhow::{Context, bail};
use bytes::Bytes;
use client::HttpClient;
use credential::SmokeCredential;
use http_body_util::Full;

/// An `If-Match` no stored item matches: ETags here are `"v<version>"`
/// (weak on contract 001, where only `*` can hold).
pub const UNMATCHABLE_IF_MATCH: &str = "\"smoke-test-never-matches\"";

/// The statuses every harmless request may get: 404 (no such account) or
/// 412 (the account exists; the precondition failed and nothing was
/// written).
pub const HARMLESS_STATUSES: &[u16] = &[404, 412];

/// The statuses a route's harmless request may get beyond
/// [`HARMLESS_STATUSES`], by route key, each a 400 that writes nothing:
/// the email confirmation's, when the token's account exists and has no
/// change awaiting confirmation (nothing to confirm, no try counted).
pub const EXTRA_HARMLESS: &[(&str, &[u16])] = &[("POST /v1/account/email/confirm", &[400])];

/// The body a route's probe sends instead of its success event's, by route
/// key, where that body holds what only the event's caller has defined:
/// `PATCH /accounts/{accountId}`'s success event sets a custom field
/// (`custom.region`) defined for the event's tenant alone, which the smoke
/// scope's body check would refuse (400) before the account is read, so
/// the probe would not reach the conditional write.
pub const PROBE_BODIES: &[(&str, &str)] = &[("PATCH /accounts/{accountId}", r#"{"title": "smoke test"}"#)];

/// The status of a request without a credential.
pub const REFUSED_STATUS: u16 = 401;

/// One route's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The route key (`PATCH /accounts/{accountId}`).
    pub route: String,
    /// The smoke credential it sends: its function's.
    pub credential: SmokeCredential,
    /// HTTP method.
    pub method: String,
    /// Path: the success event's `rawPath`.
    pub path: String,
    /// The success event's body: a valid one for the route.
    pub body: String,
    /// The statuses its harmless request may get.
    pub harmless: Vec<u16>,
}

impl Probe {
    /// The probe of `event`'s route, sending the smoke credential of its
    /// function (one of `credentials`).
    pub fn of(event: &SuccessEvent, credentials: &[SmokeCredential]) -> anyhow::Result<Probe> {
        let route = event.route.key();
        let package = catalog::FUNCTIONS
            .iter()
            .find(|f| f.binaries.iter().any(|b| b.name == event.route.function))
            .map(|f| f.package)
            .with_context(|| format!("{route}: dev/catalog has no binary {}", event.route.function))?;
        let credential = credentials
            .iter()
            .find(|c| c.package == package)
            .with_context(|| format!("{route}: no smoke credential of {package}"))?;
        if event.header(&credential.header).is_none() {
            bail!(
                "{route}: {} does not send `{}`, the header of {package}'s credentials",
                event.file,
                credential.header
            );
        }
        let extra = EXTRA_HARMLESS
            .iter()
            .filter(|(key, _)| *key == route)
            .flat_map(|(_, statuses)| statuses.iter().copied());
        Ok(Probe {
            credential: credential.clone(),
            method: event.route.method.clone(),
            path: event.raw_path.clone(),
            body: PROBE_BODIES
                .iter()
                .find(|(key, _)| *key == route)
                .map_or_else(|| event.body.clone(), |(_, body)| (*body).to_owned()),
            harmless: HARMLESS_STATUSES.iter().copied().chain(extra).collect(),
            route,
        })
    }
}

/// The smoke credential of every function with routes (see
/// [`credential`]), from the workspace root.
pub fn credentials() -> anyhow::Result<Vec<SmokeCredential>> {
    let root = testkit::workspace_root();
    SmokeCredential::all(&root, &success_events::of_template(&root)?)
}

/// One probe per route of the template, from the events of the workspace
/// root, in the template's route order.
pub fn probes() -> anyhow::Result<Vec<Probe>> {
    let root = testkit::workspace_root();
    let events = success_events::of_template(&root)?;
    let credentials = SmokeCredential::all(&root, &events)?;
    events.iter().map(|e| Probe::of(e, &credentials)).collect()
}

/// How one route did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The route key (`PATCH /accounts/{accountId}`).
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

/// Sends every probe ([`probes`]) to the API at `base_url`, with the
/// secret `secret(credential)` gives for each function's smoke credential.
pub async fn check(
    base_url: &str,
    secret: impl Fn(&SmokeCredential) -> Option<String>,
) -> anyhow::Result<Vec<Outcome>> {
    let client = HttpClient::new()?;
    let base_url = base_url.trim_end_matches('/');
    let mut outcomes = Vec::new();
    for probe in probes()? {
        let mut outcome = Outcome {
            route: probe.route.clone(),
            harmless: None,
            refused: None,
            problems: Vec::new(),
        };
        match secret(&probe.credential) {
            Some(secret) => {
                let (name, prefix) = (&probe.credential.header, &probe.credential.prefix);
                let credential = Some((name.as_str(), format!("{prefix}{secret}")));
                match client.send(request(base_url, &probe, credential)?).await {
                    Ok(answer) => {
                        outcome.harmless = Some(answer.status);
                        if !probe.harmless.contains(&answer.status) {
                            outcome.problems.push(format!(
                                "with its credential: {} {}, expected one of {:?} (a status \
                                 that writes nothing may be added to EXTRA_HARMLESS; a body \
                                 that needs the caller's data replaced in PROBE_BODIES)",
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
                .push(format!("no credential: set {}", probe.credential.secret_var())),
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
    let outcomes = check(base_url, |credential| {
        std::env::var(credential.secret_var())
            .ok()
            .filter(|s| !s.is_empty())
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
        .method(probe.method.as_str())
        .uri(format!("{base_url}{}", probe.path))
        .header("content-type", "application/json")
        .header("if-match", UNMATCHABLE_IF_MATCH)
        .header("user-agent", "update-accounts-smoke-test");
    if let Some((name, value)) = credential {
        builder = builder.header(name, value);
    }
    Ok(builder.body(Full::new(Bytes::from(probe.body.clone())))?)
}

/// The start of a body, for a failure message.
fn excerpt(body: &str) -> String {
    const MAX_CHARS: usize = 200;
    body.chars().take(MAX_CHARS).collect()
}
