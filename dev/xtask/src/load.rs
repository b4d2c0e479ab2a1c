//! `cargo xtask load`: the race/load harness. Fires a bounded number of
//! mixed requests (32 in flight by default) across all five endpoints at
//! the embedded DynamoDB, then checks what the table holds against what
//! the answers said:
//!
//! - 000: merges into a few accounts of one OU, each request setting a
//!   metadata key of its own: every key a 204 reported is there with its
//!   value, no other key appeared.
//! - 001: renames of a few tenant accounts: each account's name is one a 200
//!   reported.
//! - 002: number claims from a small contested pool (200 or 409) and option
//!   additions (`allow_new_options=true`, one new option each): every
//!   reported option is in the definition exactly once, no other appeared;
//!   every account holds a number it was seeded with or won, and the number
//!   markers have exactly one holder each, pointing back, none orphaned.
//! - 003: email changes from a contested pool (200 or 409) on accounts
//!   without verification, and change + confirmation (code read from the
//!   outbox, as the mailer would) on accounts with verification: markers
//!   consistent, every confirmed address held.
//! - 004: updates and email claims from a pool shared across accounts
//!   (200 or 409): markers consistent, the last reported values held.
//!
//! Duplicated idempotency keys, everywhere: about one request in nine
//! (of every kind above, [`KEYED_PERCENT`] % of the tasks) carries an
//! `Idempotency-Key` and is sent 2 to 5 times, with the same body and
//! credential: all copies at once, or the first alone and the others one
//! by one after its answer, or two at once and the others after. A key
//! is unique per credential and request (the same key strings recur under
//! other credentials, which must not matter).
//! For every key: at most one copy executed (a 2xx without
//! `Idempotent-Replayed`); every replay (`Idempotent-Replayed: true`) has
//! the executed copy's status, body and ETag; a copy sent after the
//! executed copy's answer is a replay; the table holds the key's record
//! (pk `IDEMPOTENCY#...`, with the executed answer) exactly when a copy
//! executed, and no other record. Copies answered afresh without
//! executing are allowed before the execution only: a contested 409 (not
//! kept), or 503/429 (never kept: a later copy runs afresh, as a client's
//! retry would; listed in the output, while a 5xx without a key fails the
//! run). Each request's effects are checked once, from its executed copy.
//!
//! Everywhere: the item's `version` moved by exactly the number of
//! successful writes to it (a replay is not a write: no lost, no doubled
//! write), no 5xx (but a keyed copy's, above), no status outside the
//! documented ones for that request. The run goes twice: in process
//! through the handlers ([`Router`], `--requests`), and over HTTP through
//! the local API ([`LocalApi`], `--http-requests`); both counts are of
//! requests sent, copies included, and the copies sent at once add to
//! what is in flight. Each run has a deadline and stops by itself;
//! everything is on 127.0.0.1.

use crate::functions;
use anyhow::{Context, bail};
use aws_sdk_dynamodb::{
    Client,
    config::{ConfigBag, Intercept, RuntimeComponents, interceptors::BeforeTransmitInterceptorContextRef},
    types::AttributeValue,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use shared::{
    idempotency::{Claim, REPLAYED, stored_response},
    store::Item,
};
use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use testkit::{
    LocalDynamo,
    local_api::{LocalApi, Router},
    seed::SeedFile,
};

/// Options of `cargo xtask load`.
pub struct Options {
    /// Requests of the in-process run.
    pub requests: usize,
    /// Requests of the run over HTTP (0: none).
    pub http_requests: usize,
    /// Requests in flight.
    pub concurrency: usize,
}

/// The longest a run may take before it is a failure.
const RUN_DEADLINE: Duration = Duration::from_secs(240);

/// Accounts per endpoint that the workload shares among its requests.
const ACCOUNTS: usize = 8;
/// Metadata keys the harness writes at most per account (the contract
/// allows 50).
const KEYS_PER_ACCOUNT: usize = 40;
/// Contested values: CRM numbers and emails claimed by several accounts.
const POOL: usize = 6;

/// Runs the in-process run, then the HTTP run; fails on any violated
/// invariant.
pub async fn run(options: Options) -> anyhow::Result<()> {
    // The functions' per-request metric lines (EMF) would drown the report.
    shared::metrics::set_sink(|_line| {});
    let report = run_once(Transport::InProcess, options.requests, options.concurrency).await?;
    report.print("in process");
    report.check()?;
    if options.http_requests > 0 {
        let report = run_once(Transport::Http, options.http_requests, options.concurrency).await?;
        report.print("over HTTP (local API)");
        report.check()?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    InProcess,
    Http,
}

/// What a request is for, so that its answer can be checked.
#[derive(Clone, Debug)]
enum Purpose {
    /// 000: set metadata key `key` (= `value`) on account `account`.
    MetadataKey {
        account: String,
        key: String,
        value: i64,
    },
    /// 001: rename `account` to `name`.
    Rename { account: String, name: String },
    /// 002: account `account` claims `number`.
    Number { account: i64, number: i64 },
    /// 002: account `account` adds the option `option` to `tags`.
    Option { account: i64, option: String },
    /// 003: account `account` takes `email` (no verification).
    V1Email { account: String, email: String },
    /// 003: account `account` changes name and settings.
    V1Settings { account: String },
    /// 003: account `account` asks for `email` (verification: pending).
    V1Pending { account: String, email: String },
    /// 003: account `account` confirms its pending change (code from the outbox).
    V1Confirm { account: String, email: String },
    /// 004: account `account` takes `email`.
    V2Email { account: String, email: String },
    /// 004: account `account` changes display name and settings.
    V2Update { account: String, display_name: String },
}

impl Purpose {
    /// The statuses the contract allows for this request here.
    fn allowed(&self) -> &'static [u16] {
        match self {
            Purpose::MetadataKey { .. } => &[204],
            Purpose::Rename { .. } | Purpose::Option { .. } | Purpose::V1Settings { .. } => &[200],
            Purpose::V2Update { .. } | Purpose::V1Pending { .. } | Purpose::V1Confirm { .. } => &[200],
            Purpose::Number { .. } | Purpose::V1Email { .. } | Purpose::V2Email { .. } => &[200, 409],
        }
    }

    /// The table (logical id) and key of the item the request writes.
    fn item(&self) -> (&'static str, String) {
        match self {
            Purpose::MetadataKey { account, .. } => ("OrgAccountsTable", format!("ACCOUNT#{account}")),
            Purpose::Rename { account, .. } => (
                "TenantAccountsTable",
                format!("TENANT#{TENANT_001}#ACCOUNT#{account}"),
            ),
            Purpose::Number { account, .. } | Purpose::Option { account, .. } => (
                "CrmAccountsTable",
                format!("TENANT#{TENANT_002}#ACCOUNT#{account}"),
            ),
            Purpose::V1Email { account, .. }
            | Purpose::V1Settings { account }
            | Purpose::V1Pending { account, .. }
            | Purpose::V1Confirm { account, .. } => ("UserAccountsTable", format!("ACCOUNT#{account}")),
            Purpose::V2Email { account, .. } | Purpose::V2Update { account, .. } => {
                ("AccountsV2Table", format!("ACCOUNT#{account}"))
            }
        }
    }
}

/// One request of the workload.
#[derive(Clone, Debug)]
struct Planned {
    purpose: Purpose,
    method: &'static str,
    /// Path and query.
    uri: String,
    headers: Vec<(&'static str, String)>,
    /// The body, or `None` for a confirmation (the code is read when sent).
    body: Option<Value>,
    /// Its `Idempotency-Key` (also in `headers`) and how its copies go out.
    key: Option<KeyPlan>,
}

impl Planned {
    /// How many times the request is sent.
    fn copies(&self) -> usize {
        self.key.as_ref().map_or(1, |k| k.at_once + k.after)
    }
}

/// A keyed request: its key and how its copies are sent.
#[derive(Clone, Debug)]
struct KeyPlan {
    /// The request's number among the keyed ones (its copies share it).
    request: usize,
    key: String,
    /// The `pk` of the record its execution leaves (`IDEMPOTENCY#...`).
    record: String,
    /// Copies sent together first.
    at_once: usize,
    /// Copies sent then, one by one, each once the previous has answered.
    after: usize,
}

/// Percentage of the tasks whose requests carry an `Idempotency-Key`.
const KEYED_PERCENT: u64 = 12;

/// A few requests one worker sends in order (a change and its confirmation).
type Task = Vec<Planned>;

const OU_000: &str = "ou_load";
const TOKEN_000: &str = "load-token-000";
const TENANT_001: &str = "tenant_load";
const KEY_001: &str = "load-key-001";
const TENANT_002: &str = "crm_load";
const KEY_002: &str = "load-key-002";
const TOKEN_004: &str = "load-token-004";

fn metadata_account(a: usize) -> String {
    format!("acct_load_{a:02}")
}
fn tenant_account(a: usize) -> String {
    format!("account_01jfrt4z00fay8vvr14d2{a:05}")
}
fn crm_account(a: usize) -> i64 {
    5000 + a as i64
}
fn v1_plain(a: usize) -> String {
    format!("acct_load_plain_{a:02}")
}
fn v1_verified(a: usize) -> String {
    format!("acct_load_verified_{a:03}")
}
fn v1_token(account: &str) -> String {
    format!("load-token-{account}")
}
fn v2_account(a: usize) -> String {
    format!("acc_load_{a:05}")
}

/// The workload: `requests` requests to send (copies of keyed ones
/// included) in tasks, kinds interleaved, and the seed file they need
/// (accounts, credentials; loaded after the demo seed).
fn workload(requests: usize) -> (Vec<Task>, Value) {
    let mut tasks: Vec<Task> = Vec::new();
    let mut sent = 0;
    let mut keyed = 0;
    // Keys handed out per credential: the same key strings recur under
    // every credential, each one a request of its own.
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    let mut i = 0usize;
    let mut metadata_accounts = 1;
    let mut metadata_count = 0;
    let mut verified = 0;
    while sent < requests {
        let k = i / 5;
        let mut task: Task = match i % 5 {
            0 => {
                // Fill the accounts one batch of 8 keys at a time, so many
                // requests race on one account while none exceeds 40 keys.
                let account =
                    metadata_count % ACCOUNTS + ACCOUNTS * (metadata_count / (ACCOUNTS * KEYS_PER_ACCOUNT));
                metadata_accounts = metadata_accounts.max(account + 1);
                metadata_count += 1;
                let account = metadata_account(account);
                let key = format!("k{i}");
                let mut body = json!({"metadata": {key.clone(): i}});
                if k.is_multiple_of(7) {
                    body["name"] = json!(format!("Load {i}"));
                }
                vec![Planned {
                    uri: format!("/accounts/{account}/metadata"),
                    method: "PATCH",
                    headers: vec![("authorization", format!("Bearer {TOKEN_000}"))],
                    body: Some(body),
                    purpose: Purpose::MetadataKey {
                        account,
                        key,
                        value: i as i64,
                    },
                    key: None,
                }]
            }
            1 => {
                let account = tenant_account(k % 4);
                let name = format!("Load tenant {i}");
                vec![Planned {
                    uri: format!("/v0/accounts/{account}"),
                    method: "PATCH",
                    headers: vec![("x-api-key", KEY_001.to_owned())],
                    body: Some(json!({ "name": name })),
                    purpose: Purpose::Rename { account, name },
                    key: None,
                }]
            }
            2 => {
                let account = crm_account(k % ACCOUNTS);
                let (body, purpose) = if k.is_multiple_of(2) {
                    let number = 100 + (k / 2 % POOL) as i64;
                    (json!({ "number": number }), Purpose::Number { account, number })
                } else {
                    let option = format!("opt{i}");
                    (
                        json!({"custom": {"tags": [option.clone()]}}),
                        Purpose::Option { account, option },
                    )
                };
                vec![Planned {
                    uri: format!("/accounts/{account}?allow_new_options=true"),
                    method: "PATCH",
                    headers: vec![("x-api-key", KEY_002.to_owned())],
                    body: Some(body),
                    purpose,
                    key: None,
                }]
            }
            3 => match k % 3 {
                0 => {
                    let account = v1_plain(k % ACCOUNTS);
                    let email = format!("shared{}@load.example", k % POOL);
                    vec![v1_patch(
                        &account,
                        json!({ "email": email }),
                        Purpose::V1Email {
                            account: account.clone(),
                            email,
                        },
                    )]
                }
                1 => {
                    let account = v1_plain(k % ACCOUNTS);
                    let body = json!({"name": format!("Load {i}"), "settings": {"currency": if k.is_multiple_of(2) { "EUR" } else { "USD" }}});
                    vec![v1_patch(
                        &account,
                        body,
                        Purpose::V1Settings {
                            account: account.clone(),
                        },
                    )]
                }
                _ => {
                    // One change per verified account: its own code, no
                    // race with itself on the verification budget.
                    let account = v1_verified(verified);
                    verified += 1;
                    let email = format!("verified{i}@load.example");
                    let pending = v1_patch(
                        &account,
                        json!({ "email": email }),
                        Purpose::V1Pending {
                            account: account.clone(),
                            email: email.clone(),
                        },
                    );
                    let confirm = Planned {
                        uri: "/v1/account/email/confirm".to_owned(),
                        method: "POST",
                        headers: vec![("authorization", format!("Bearer {}", v1_token(&account)))],
                        body: None,
                        purpose: Purpose::V1Confirm { account, email },
                        key: None,
                    };
                    vec![pending, confirm]
                }
            },
            _ => {
                let account = v2_account(k % ACCOUNTS);
                let (body, purpose) = if k.is_multiple_of(2) {
                    let email = format!("pool{}@load.example", k / 2 % POOL);
                    (
                        json!({ "email": email }),
                        Purpose::V2Email {
                            account: account.clone(),
                            email,
                        },
                    )
                } else {
                    let display_name = format!("Load {i}");
                    (
                        json!({"displayName": display_name, "settings": {"recordingRetention": 30 + (i % 60)}}),
                        Purpose::V2Update {
                            account: account.clone(),
                            display_name,
                        },
                    )
                };
                vec![Planned {
                    uri: format!("/v2/accounts/{account}"),
                    method: "PATCH",
                    headers: vec![("x-auth-token", TOKEN_004.to_owned())],
                    body: Some(body),
                    purpose,
                    key: None,
                }]
            }
        };
        let draw = mix(i as u64);
        if draw % 100 < KEYED_PERCENT {
            for planned in &mut task {
                let credential = planned
                    .headers
                    .iter()
                    .find(|(name, _)| CREDENTIALS.contains(name))
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default();
                let n = keys.entry(credential).or_default();
                let key = format!("load-{n}");
                *n += 1;
                let copies = 2 + (draw >> 8) as usize % 4;
                let at_once = match (draw >> 16) % 3 {
                    0 => copies,
                    1 => 1,
                    _ => 2,
                };
                planned.headers.push(("idempotency-key", key.clone()));
                planned.key = Some(KeyPlan {
                    request: keyed,
                    record: record_pk(&planned.headers),
                    key,
                    at_once,
                    after: copies - at_once,
                });
                keyed += 1;
            }
        }
        sent += task.iter().map(Planned::copies).sum::<usize>();
        tasks.push(task);
        i += 1;
    }
    (tasks, seed(metadata_accounts, verified))
}

/// The headers that carry a credential (the idempotency record is kept
/// per credential).
const CREDENTIALS: [&str; 3] = ["authorization", "x-api-key", "x-auth-token"];

/// A well-mixed function of `i` (splitmix64): which tasks are keyed, and
/// how their copies go out, without a random generator.
fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The `pk` of the record a request with these headers (credential and
/// `Idempotency-Key`) leaves, as the functions derive it.
fn record_pk(headers: &[(&'static str, String)]) -> String {
    claim(headers).record_key().pk.clone()
}

/// The idempotency claim of a request with these headers.
fn claim(headers: &[(&'static str, String)]) -> Claim {
    let mut request = lambda_http::http::Request::builder();
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request: lambda_http::Request = request.body(Body::Empty).expect("a request");
    Claim::from_request(&request)
        .expect("a well-formed key")
        .expect("a key")
}

fn v1_patch(account: &str, body: Value, purpose: Purpose) -> Planned {
    Planned {
        uri: "/v1/account".to_owned(),
        method: "PATCH",
        headers: vec![("authorization", format!("Bearer {}", v1_token(account)))],
        body: Some(body),
        purpose,
        key: None,
    }
}

/// The harness's own accounts and credentials, as a seed file.
fn seed(metadata_accounts: usize, verified: usize) -> Value {
    let v1_accounts: Vec<String> = (0..ACCOUNTS)
        .map(v1_plain)
        .chain((0..verified).map(v1_verified))
        .collect();
    json!({
        "update-account-metadata": {
            "tokens": [{"token": TOKEN_000, "ou_id": OU_000}],
            "accounts": (0..metadata_accounts).map(|a| json!({
                "id": metadata_account(a), "ou_id": OU_000, "name": "Load", "domain": "load.example",
                "metadata": {"seeded": true}
            })).collect::<Vec<_>>(),
        },
        "update-tenant-account": {
            "api_keys": [{"token": KEY_001, "tenant_id": TENANT_001}],
            "accounts": (0..4).map(|a| json!({
                "id": tenant_account(a), "tenant_id": TENANT_001, "domain": "load.example", "name": "Load",
                "created_at": "2025-01-01T00:00:00Z"
            })).collect::<Vec<_>>(),
        },
        "update-crm-account": {
            "api_keys": [{"token": KEY_002, "tenant_id": TENANT_002}],
            "custom_fields": [{"tenant_id": TENANT_002, "key": "tags", "type": "multiselect", "options": ["seeded"]}],
            "accounts": (0..ACCOUNTS).map(|a| json!({
                "tenant_id": TENANT_002, "id": crm_account(a), "number": 1 + a as i64, "title": "Load"
            })).collect::<Vec<_>>(),
        },
        "update-current-account": {
            "tokens": v1_accounts.iter().map(|a| json!({"token": v1_token(a), "account_id": a, "role": "owner"})).collect::<Vec<_>>(),
            "accounts": v1_accounts.iter().map(|a| json!({
                "id": a, "email": format!("{a}@load.example"), "name": "Load", "type": "individual",
                "status": "active",
                "email_verification": if a.contains("verified") { "required" } else { "none" }
            })).collect::<Vec<_>>(),
        },
        "update-account-v2": {
            "tokens": [{"token": TOKEN_004, "role": "admin", "account_ids": (0..ACCOUNTS).map(v2_account).collect::<Vec<_>>()}],
            "accounts": (0..ACCOUNTS).map(|a| json!({
                "id": v2_account(a), "name": "Load", "plan": "starter", "displayName": "Load",
                "email": format!("{}@load.example", v2_account(a))
            })).collect::<Vec<_>>(),
        },
    })
}

/// Counts what the SDK sends and what DynamoDB refuses.
#[derive(Debug, Clone, Default)]
struct Calls {
    /// Operations (one per SDK call).
    operations: Arc<AtomicUsize>,
    /// HTTP attempts (operations plus the SDK's retries).
    attempts: Arc<AtomicUsize>,
    /// Answers with status 400: conditions that failed, cancelled
    /// transactions (re-planned by the write driver, or a 409).
    refused: Arc<AtomicUsize>,
}

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "LoadCalls"
    }

    fn read_before_execution(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.operations.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn read_after_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        if context.response().status().as_u16() == 400 {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// One answered request (one copy of a keyed one).
struct Outcome {
    purpose: Purpose,
    status: u16,
    body: Value,
    /// Answered with `Idempotent-Replayed: true`.
    replayed: bool,
    /// For a copy of a keyed request: its key and the rest of its answer.
    copy: Option<KeyedCopy>,
}

impl Outcome {
    /// Whether the request took effect here: a 2xx that is not a replay.
    fn executed(&self) -> bool {
        (200..300).contains(&self.status) && !self.replayed
    }
}

/// A copy of a keyed request, as sent and answered.
struct KeyedCopy {
    plan: KeyPlan,
    /// The body as received, byte for byte.
    raw: Bytes,
    etag: Option<String>,
    /// When it was sent and answered, from the start of the run.
    sent: Duration,
    answered: Duration,
}

/// What a run did and what the table holds afterwards.
#[derive(Default)]
struct Report {
    requests: usize,
    concurrency: usize,
    elapsed: Duration,
    statuses: BTreeMap<u16, usize>,
    operations: usize,
    sdk_retries: usize,
    refused: usize,
    conflicts: usize,
    lost: Vec<String>,
    partial: Vec<String>,
    unexpected: Vec<String>,
    keys: KeyFigures,
}

/// The duplicated idempotency keys of a run.
#[derive(Default)]
struct KeyFigures {
    /// Keyed requests (keys, each under its credential).
    keyed: usize,
    /// Copies sent, all keys.
    copies: usize,
    /// Copies answered with `Idempotent-Replayed: true`.
    replays: usize,
    /// Copies that executed (a 2xx, not a replay).
    executed: usize,
    /// Copies answered afresh without executing (a contested 409).
    refused: usize,
    /// Copies answered 503 or 429 (nothing is kept: a later copy runs
    /// afresh), each described.
    unavailable: Vec<String>,
    /// Keys that executed more than once.
    executed_twice: usize,
    /// Idempotency records in the tables after the run.
    records: usize,
    /// Broken key invariants.
    violations: Vec<String>,
}

impl Report {
    fn print(&self, what: &str) {
        let statuses: Vec<String> = self.statuses.iter().map(|(s, n)| format!("{s}x{n}")).collect();
        let server_errors: usize = self
            .statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum();
        let keys = &self.keys;
        println!(
            "load {what}: requests {} ({} in flight, {:.1}s), statuses {}, conflicts (409) {}, \
             retries {} (SDK {} + {} DynamoDB refusals re-planned or answered 409, of {} DynamoDB calls), \
             5xx {server_errors}, unexpected statuses {}, lost writes {}, partial writes {}; \
             duplicated idempotency keys: {} keyed requests, {} copies sent ({} replays, {} executed, \
             {} refused afresh, {} unavailable), {} executed twice, {} records, {} key violations",
            self.requests,
            self.concurrency,
            self.elapsed.as_secs_f64(),
            statuses.join(" "),
            self.conflicts,
            self.sdk_retries + self.refused,
            self.sdk_retries,
            self.refused,
            self.operations,
            self.unexpected.len(),
            self.lost.len(),
            self.partial.len(),
            keys.keyed,
            keys.copies,
            keys.replays,
            keys.executed,
            keys.refused,
            keys.unavailable.len(),
            keys.executed_twice,
            keys.records,
            keys.violations.len(),
        );
        for answer in keys.unavailable.iter().take(8) {
            println!("    (allowed) {answer}");
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        let problems: Vec<&String> = self
            .unexpected
            .iter()
            .chain(&self.lost)
            .chain(&self.partial)
            .chain(&self.keys.violations)
            .collect();
        if !problems.is_empty() {
            for list in [&self.unexpected, &self.lost, &self.partial, &self.keys.violations] {
                for problem in list.iter().take(8) {
                    println!("    {problem}");
                }
            }
            bail!("{} invariant violations", problems.len());
        }
        Ok(())
    }
}

async fn run_once(transport: Transport, requests: usize, concurrency: usize) -> anyhow::Result<Report> {
    let server = LocalDynamo::start_in_memory().map_err(anyhow::Error::msg)?;
    let calls = Calls::default();
    let config = testkit::local_client_with(&server.endpoint(), shared::store::TimeBudget::PRODUCTION)
        .config()
        .to_builder()
        .interceptor(calls.clone())
        .build();
    let client = Client::from_conf(config);
    crate::dev::create_tables(&client).await?;
    let (tasks, seed) = workload(requests);
    for file in [
        SeedFile::demo(&testkit::workspace_root()).map_err(anyhow::Error::msg)?,
        SeedFile::parse(&seed.to_string()).map_err(anyhow::Error::msg)?,
    ] {
        seeding::seed_into(&file, &client, "")
            .await
            .map_err(anyhow::Error::msg)?;
    }
    let before = versions(&client).await?;
    let (operations, attempts, refused) = (
        calls.operations.load(Ordering::Relaxed),
        calls.attempts.load(Ordering::Relaxed),
        calls.refused.load(Ordering::Relaxed),
    );

    let router = Arc::new(Router::from_template(&functions::handlers(&client)).map_err(anyhow::Error::msg)?);
    let api = match transport {
        Transport::Http => Some(
            LocalApi::start_template(functions::handlers(&client))
                .await
                .map_err(anyhow::Error::msg)?,
        ),
        Transport::InProcess => None,
    };
    let target = match &api {
        Some(api) => Target::Http(api.port()),
        None => Target::Router(router),
    };
    let queue = Arc::new(Mutex::new(tasks.into_iter().collect::<VecDeque<Task>>()));
    let outcomes = Arc::new(Mutex::new(Vec::with_capacity(requests)));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (queue, outcomes, target, client) = (
            Arc::clone(&queue),
            Arc::clone(&outcomes),
            target.clone(),
            client.clone(),
        );
        workers.spawn(async move {
            let mut connections = Vec::new();
            loop {
                let Some(task) = queue.lock().expect("queue").pop_front() else {
                    return Ok::<_, anyhow::Error>(());
                };
                for planned in task {
                    let body = match &planned.body {
                        Some(body) => body.clone(),
                        None => {
                            let Purpose::V1Confirm { account, .. } = &planned.purpose else {
                                unreachable!("only confirmations are sent without a body")
                            };
                            json!({ "code": outbox_code(&client, account).await? })
                        }
                    };
                    let answers = send_copies(&target, &mut connections, &planned, &body, started).await?;
                    let mut outcomes = outcomes.lock().expect("outcomes");
                    for answer in answers {
                        outcomes.push(Outcome {
                            purpose: planned.purpose.clone(),
                            status: answer.status,
                            body: serde_json::from_slice(&answer.raw).unwrap_or(Value::Null),
                            replayed: answer.replayed,
                            copy: planned.key.clone().map(|plan| KeyedCopy {
                                plan,
                                raw: answer.raw,
                                etag: answer.etag,
                                sent: answer.sent,
                                answered: answer.answered,
                            }),
                        });
                    }
                }
            }
        });
    }
    let all = async {
        while let Some(joined) = workers.join_next().await {
            joined??;
        }
        Ok::<_, anyhow::Error>(())
    };
    tokio::time::timeout(RUN_DEADLINE, all)
        .await
        .context("the load run passed its deadline")??;
    let elapsed = started.elapsed();
    if let Some(api) = api {
        api.stop().await;
    }
    let outcomes = std::mem::take(&mut *outcomes.lock().expect("outcomes"));
    let mut report = Report {
        requests: outcomes.len(),
        concurrency,
        elapsed,
        statuses: BTreeMap::new(),
        operations: calls.operations.load(Ordering::Relaxed) - operations,
        sdk_retries: (calls.attempts.load(Ordering::Relaxed) - attempts)
            .saturating_sub(calls.operations.load(Ordering::Relaxed) - operations),
        refused: calls.refused.load(Ordering::Relaxed) - refused,
        ..Report::default()
    };
    for outcome in &outcomes {
        *report.statuses.entry(outcome.status).or_default() += 1;
        if outcome.status == 409 {
            report.conflicts += 1;
        }
        // A keyed copy may be answered "unavailable": its retry (a later
        // copy) runs again, which the key checks follow.
        let retried = outcome.copy.is_some() && unavailable(outcome.status);
        if !outcome.purpose.allowed().contains(&outcome.status) && !retried {
            report.unexpected.push(format!(
                "{:?} answered {}: {}",
                outcome.purpose, outcome.status, outcome.body
            ));
        }
    }
    let after = versions(&client).await?;
    check_invariants(&client, &outcomes, &before, &after, &mut report).await?;
    server.stop();
    Ok(report)
}

/// Whether `status` says the service is unavailable (503, or the 429 of
/// contract 004): such an answer is never kept for a key.
fn unavailable(status: u16) -> bool {
    status >= 500 || status == 429
}

/// Where the requests go: the handlers in process, or the local API.
#[derive(Clone)]
enum Target {
    Router(Arc<Router>),
    Http(u16),
}

type Connection = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// One answer, as the harness keeps it.
struct Answer {
    status: u16,
    raw: Bytes,
    etag: Option<String>,
    replayed: bool,
    sent: Duration,
    answered: Duration,
}

/// Sends `planned` (with `body`) as many times as it is to be sent (once,
/// or its keyed copies: some at once, the others one by one), over the
/// worker's `connections` (one per copy sent at once, kept alive).
async fn send_copies(
    target: &Target,
    connections: &mut Vec<Option<Connection>>,
    planned: &Planned,
    body: &Value,
    started: Instant,
) -> anyhow::Result<Vec<Answer>> {
    let (at_once, after) = planned.key.as_ref().map_or((1, 0), |k| (k.at_once, k.after));
    if connections.len() < at_once {
        connections.resize_with(at_once, || None);
    }
    let mut answers = Vec::with_capacity(at_once + after);
    if at_once == 1 {
        answers.push(send(target, &mut connections[0], http_request(planned, body)?, started).await?);
    } else {
        let mut copies = tokio::task::JoinSet::new();
        for (slot, connection) in connections.iter_mut().take(at_once).enumerate() {
            let (target, request, mut connection) =
                (target.clone(), http_request(planned, body)?, connection.take());
            copies.spawn(async move {
                let answer = send(&target, &mut connection, request, started).await;
                (slot, connection, answer)
            });
        }
        while let Some(joined) = copies.join_next().await {
            let (slot, connection, answer) = joined?;
            connections[slot] = connection;
            answers.push(answer?);
        }
    }
    for _ in 0..after {
        answers.push(send(target, &mut connections[0], http_request(planned, body)?, started).await?);
    }
    Ok(answers)
}

/// Sends one request to `target` (over `connection` for HTTP).
async fn send(
    target: &Target,
    connection: &mut Option<Connection>,
    request: hyper::Request<Bytes>,
    started: Instant,
) -> anyhow::Result<Answer> {
    let sent = started.elapsed();
    let response = match target {
        Target::Router(router) => router.call(request).await,
        Target::Http(port) => send_http(connection, *port, request).await?,
    };
    let answered = started.elapsed();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Ok(Answer {
        status: response.status().as_u16(),
        etag: header("etag"),
        replayed: header(REPLAYED).as_deref() == Some("true"),
        raw: Bytes::copy_from_slice(response.body().as_ref()),
        sent,
        answered,
    })
}

fn http_request(planned: &Planned, body: &Value) -> anyhow::Result<hyper::Request<Bytes>> {
    let mut builder = hyper::Request::builder()
        .method(planned.method)
        .uri(&planned.uri)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json");
    for (name, value) in &planned.headers {
        builder = builder.header(*name, value);
    }
    Ok(builder.body(Bytes::from(body.to_string()))?)
}

/// Sends `request` over the worker's keep-alive connection (opened on
/// first use, again after an error).
async fn send_http(
    connection: &mut Option<Connection>,
    port: u16,
    request: hyper::Request<Bytes>,
) -> anyhow::Result<Response<Body>> {
    if connection.as_ref().is_none_or(|c| c.is_closed()) {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        *connection = Some(sender);
    }
    let sender = connection.as_mut().context("a connection")?;
    sender.ready().await?;
    let (parts, body) = request.into_parts();
    let response = sender
        .send_request(hyper::Request::from_parts(parts, Full::new(body)))
        .await?;
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await?.to_bytes();
    Ok(Response::from_parts(parts, Body::from(bytes.to_vec())))
}

/// The code the outbox holds for account `id` (what the mailer would send).
async fn outbox_code(client: &Client, id: &str) -> anyhow::Result<String> {
    let out = client
        .get_item()
        .table_name("UserAccountsTable")
        .key("pk", AttributeValue::S(format!("ACCOUNT#{id}")))
        .key("sk", AttributeValue::S("OUTBOX#EMAIL_CHANGE".to_owned()))
        .consistent_read(true)
        .send()
        .await?;
    out.item
        .and_then(|item| item.get("code").and_then(|c| c.as_s().ok()).cloned())
        .with_context(|| format!("no outbox code for {id}"))
}

async fn scan(client: &Client, table: &str) -> anyhow::Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        items.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Ok(items),
        }
    }
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name)
        .and_then(|v| v.as_s().ok().cloned().or_else(|| v.as_n().ok().cloned()))
}

/// `version` of every item, by (table, pk, sk).
async fn versions(client: &Client) -> anyhow::Result<BTreeMap<(String, String), i64>> {
    let mut out = BTreeMap::new();
    for table in catalog::tables() {
        for item in scan(client, table).await? {
            if item
                .get("sk")
                .and_then(|s| s.as_s().ok())
                .is_some_and(|s| s == "ACCOUNT")
            {
                let version = text(&item, "version").and_then(|v| v.parse().ok()).unwrap_or(0);
                out.insert((table.to_owned(), text(&item, "pk").unwrap_or_default()), version);
            }
        }
    }
    Ok(out)
}

async fn check_invariants(
    client: &Client,
    outcomes: &[Outcome],
    before: &BTreeMap<(String, String), i64>,
    after: &BTreeMap<(String, String), i64>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let ok = |o: &&Outcome| (200..300).contains(&o.status);

    // Every item's version moved by its successful writes: one per
    // request that executed (a replay wrote nothing).
    let mut writes: BTreeMap<(String, String), i64> = BTreeMap::new();
    for outcome in outcomes.iter().filter(|o| o.executed()) {
        let (table, pk) = outcome.purpose.item();
        *writes.entry((table.to_owned(), pk)).or_default() += 1;
    }
    let mut records = BTreeMap::new();
    for table in catalog::tables() {
        for item in scan(client, table).await? {
            if let Some(pk) = text(&item, "pk").filter(|pk| pk.starts_with("IDEMPOTENCY#")) {
                records.insert((table, pk), item);
            }
        }
    }
    check_keys(outcomes, &records, &mut report.keys);
    for (item, n) in &writes {
        let moved = after.get(item).copied().unwrap_or(0) - before.get(item).copied().unwrap_or(0);
        if moved < *n {
            report
                .lost
                .push(format!("{item:?}: {n} successful writes, version moved {moved}"));
        } else if moved > *n {
            report
                .partial
                .push(format!("{item:?}: {n} successful writes, version moved {moved}"));
        }
    }
    for (item, version) in after {
        if !writes.contains_key(item) && before.get(item) != Some(version) {
            report
                .partial
                .push(format!("{item:?}: written by no successful request"));
        }
    }

    // The effects, one answer per request: a keyed request's is its copy
    // that executed, if one did (a copy answered 409 or 503 before another
    // executed is not a refusal of the request).
    let outcomes = requests(outcomes);

    // 000: every reported key with its value; no key of a refused request.
    let metadata = scan(client, "OrgAccountsTable").await?;
    let account_metadata = |id: &str| -> BTreeMap<String, AttributeValue> {
        metadata
            .iter()
            .find(|i| {
                text(i, "pk").as_deref() == Some(&format!("ACCOUNT#{id}"))
                    && text(i, "sk").as_deref() == Some("ACCOUNT")
            })
            .and_then(|i| i.get("metadata").and_then(|m| m.as_m().ok()))
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    for &outcome in &outcomes {
        if let Purpose::MetadataKey { account, key, value } = &outcome.purpose {
            let stored = account_metadata(account);
            let held = stored.get(key);
            match (ok(&outcome), held) {
                (true, Some(v)) if v.as_n().is_ok_and(|n| *n == value.to_string()) => {}
                (true, held) => report
                    .lost
                    .push(format!("000 {account}: key {key} reported set, holds {held:?}")),
                (false, Some(_)) => report
                    .partial
                    .push(format!("000 {account}: refused key {key} is stored")),
                (false, None) => {}
            }
        }
    }

    // 001: each renamed account holds a name a 200 reported.
    let tenant = scan(client, "TenantAccountsTable").await?;
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for outcome in outcomes.iter().copied().filter(ok) {
        if let Purpose::Rename { account, name } = &outcome.purpose {
            names.entry(account).or_default().insert(name);
            if outcome.body["name"] != json!(name) {
                report.lost.push(format!(
                    "001 {account}: the 200 for {name} shows {}",
                    outcome.body["name"]
                ));
            }
        }
    }
    for (account, reported) in &names {
        let pk = format!("TENANT#{TENANT_001}#ACCOUNT#{account}");
        let held = tenant
            .iter()
            .find(|i| text(i, "pk").as_deref() == Some(&pk) && text(i, "sk").as_deref() == Some("ACCOUNT"))
            .and_then(|i| text(i, "name"));
        if !held.as_deref().is_some_and(|h| reported.contains(h)) {
            report
                .lost
                .push(format!("001 {account}: holds {held:?}, not a reported name"));
        }
    }

    // 002: options, numbers and their markers.
    let crm = scan(client, "CrmAccountsTable").await?;
    let definition = crm
        .iter()
        .find(|i| {
            text(i, "pk").as_deref() == Some(&format!("TENANT#{TENANT_002}#FIELDS"))
                && text(i, "sk").as_deref() == Some("FIELD#tags")
        })
        .context("the tags definition")?;
    let options: Vec<String> = definition
        .get("options")
        .and_then(|o| o.as_l().ok())
        .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
        .unwrap_or_default();
    let unique: BTreeSet<&String> = options.iter().collect();
    if unique.len() != options.len() {
        report
            .partial
            .push("002: an option appears twice in the definition".to_owned());
    }
    let mut reported_options = BTreeSet::from(["seeded".to_owned()]);
    for &outcome in &outcomes {
        if let Purpose::Option { option, .. } = &outcome.purpose {
            match (ok(&outcome), unique.contains(option)) {
                (true, true) | (false, false) => {}
                (true, false) => report
                    .lost
                    .push(format!("002: option {option} reported added, missing")),
                (false, true) => report
                    .partial
                    .push(format!("002: refused option {option} was added")),
            }
            if ok(&outcome) {
                reported_options.insert(option.clone());
            }
        }
    }
    if let Some(extra) = unique.iter().find(|o| !reported_options.contains(o.as_str())) {
        report
            .partial
            .push(format!("002: option {extra} added by no request"));
    }
    let account_prefix = format!("TENANT#{TENANT_002}#ACCOUNT#");
    let number_prefix = format!("TENANT#{TENANT_002}#NUMBER#");
    let mut held_numbers: BTreeMap<String, String> = BTreeMap::new(); // number -> account
    let mut won: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for outcome in outcomes.iter().copied().filter(ok) {
        if let Purpose::Number { account, number } = &outcome.purpose {
            won.entry(*account).or_default().insert(*number);
        }
    }
    for item in &crm {
        let pk = text(item, "pk").unwrap_or_default();
        if let Some(id) = pk.strip_prefix(&account_prefix) {
            let number = text(item, "number").unwrap_or_default();
            if let Some(other) = held_numbers.insert(number.clone(), id.to_owned()) {
                report.partial.push(format!(
                    "002: accounts {other} and {id} both hold number {number}"
                ));
            }
            let id: i64 = id.parse().unwrap_or_default();
            let seeded = id - 5000 + 1;
            let number: i64 = number.parse().unwrap_or_default();
            if number != seeded && !won.get(&id).is_some_and(|w| w.contains(&number)) {
                report
                    .partial
                    .push(format!("002: account {id} holds {number}, which it never won"));
            }
        }
    }
    let mut markers: BTreeMap<String, String> = BTreeMap::new();
    for item in &crm {
        let pk = text(item, "pk").unwrap_or_default();
        if let Some(number) = pk.strip_prefix(&number_prefix) {
            markers.insert(number.to_owned(), text(item, "accountId").unwrap_or_default());
        }
    }
    if markers != held_numbers {
        let orphans: Vec<_> = markers
            .iter()
            .filter(|(n, o)| held_numbers.get(*n) != Some(o))
            .collect();
        let unmarked: Vec<_> = held_numbers
            .iter()
            .filter(|(n, o)| markers.get(*n) != Some(o))
            .collect();
        report.partial.push(format!(
            "002: number markers disagree with the accounts: orphaned or wrong {orphans:?}, unmarked {unmarked:?}"
        ));
    }

    // 003 and 004: each 200 shows what its request set.
    for outcome in outcomes.iter().copied().filter(ok) {
        let (field, expected) = match &outcome.purpose {
            Purpose::V1Email { email, .. } | Purpose::V2Email { email, .. } => ("email", email),
            Purpose::V1Pending { email, .. } => ("pending_email", email),
            Purpose::V2Update { display_name, .. } => ("displayName", display_name),
            _ => continue,
        };
        if outcome.body[field] != json!(expected) {
            report.lost.push(format!(
                "{:?}: the 200 shows {field} = {}",
                outcome.purpose, outcome.body[field]
            ));
        }
    }

    // 003 and 004: email markers, one holder each, pointing back.
    for (table, owner) in [
        ("UserAccountsTable", "account_id"),
        ("AccountsV2Table", "account_id"),
    ] {
        let items = scan(client, table).await?;
        check_email_markers(table, &items, owner, report);
        if table != "UserAccountsTable" {
            continue;
        }
        for outcome in outcomes.iter().copied().filter(ok) {
            let (account, email) = match &outcome.purpose {
                Purpose::V1Confirm { account, email } => (account, email),
                _ => continue,
            };
            let held = items
                .iter()
                .find(|i| {
                    text(i, "pk").as_deref() == Some(&format!("ACCOUNT#{account}"))
                        && text(i, "sk").as_deref() == Some("ACCOUNT")
                })
                .and_then(|i| text(i, "email"));
            if held.as_deref() != Some(email) {
                report
                    .lost
                    .push(format!("003 {account}: confirmed {email}, holds {held:?}"));
            }
        }
    }
    Ok(())
}

/// One outcome per request: each unkeyed one, and for each keyed one its
/// copy that executed, else a replay, else its first copy.
fn requests(outcomes: &[Outcome]) -> Vec<&Outcome> {
    let mut keyed: BTreeMap<usize, &Outcome> = BTreeMap::new();
    let mut requests = Vec::new();
    let rank = |o: &Outcome| (o.executed(), o.replayed);
    for outcome in outcomes {
        match &outcome.copy {
            None => requests.push(outcome),
            Some(copy) => {
                let chosen = keyed.entry(copy.plan.request).or_insert(outcome);
                if rank(outcome) > rank(chosen) {
                    *chosen = outcome;
                }
            }
        }
    }
    requests.extend(keyed.into_values());
    requests
}

/// The duplicated keys (see the module docs): per key, at most one copy
/// executed, the replays are its answer, a copy sent after its answer is a
/// replay, and its record is in the table exactly when it executed (with
/// that answer); no record of anything else.
fn check_keys(outcomes: &[Outcome], records: &BTreeMap<(&str, String), Item>, figures: &mut KeyFigures) {
    let mut keys: BTreeMap<usize, Vec<(&Outcome, &KeyedCopy)>> = BTreeMap::new();
    for outcome in outcomes {
        match &outcome.copy {
            Some(copy) => keys.entry(copy.plan.request).or_default().push((outcome, copy)),
            None if outcome.replayed => figures.violations.push(format!(
                "{:?}: replayed without an Idempotency-Key",
                outcome.purpose
            )),
            None => {}
        }
    }
    let mut expected_records = BTreeSet::new();
    for copies in keys.values() {
        let (purpose, plan) = (&copies[0].0.purpose, &copies[0].1.plan);
        let name = format!("key {} ({purpose:?})", plan.key);
        figures.keyed += 1;
        figures.copies += copies.len();
        let executed: Vec<_> = copies.iter().filter(|(o, _)| o.executed()).collect();
        figures.executed += executed.len();
        if executed.len() > 1 {
            figures.executed_twice += 1;
            figures
                .violations
                .push(format!("{name}: executed {} times", executed.len()));
        }
        for (outcome, copy) in copies {
            if outcome.replayed {
                figures.replays += 1;
                match executed.first() {
                    None => figures.violations.push(format!(
                        "{name}: a replay ({}) of no executed copy",
                        outcome.status
                    )),
                    Some((first, first_copy)) => {
                        if (outcome.status, &copy.raw, &copy.etag)
                            != (first.status, &first_copy.raw, &first_copy.etag)
                        {
                            figures.violations.push(format!(
                                "{name}: replayed {} {:?} {}, executed {} {:?} {}",
                                outcome.status,
                                copy.etag,
                                String::from_utf8_lossy(&copy.raw),
                                first.status,
                                first_copy.etag,
                                String::from_utf8_lossy(&first_copy.raw)
                            ));
                        }
                    }
                }
            } else if !outcome.executed() {
                match unavailable(outcome.status) {
                    true => figures.unavailable.push(format!(
                        "{name}: a copy ({} sent at once, {} after) answered {} {}",
                        plan.at_once,
                        plan.after,
                        outcome.status,
                        String::from_utf8_lossy(&copy.raw)
                    )),
                    false => figures.refused += 1,
                }
                if let Some((_, first_copy)) = executed.iter().find(|(_, e)| e.answered <= copy.sent) {
                    figures.violations.push(format!(
                        "{name}: sent after the executed copy's answer ({:?} <= {:?}), answered {} afresh",
                        first_copy.answered, copy.sent, outcome.status
                    ));
                }
            }
        }
        let table = purpose.item().0;
        let record = records.get(&(table, plan.record.clone()));
        match (executed.first(), record) {
            (Some(_), None) => figures
                .violations
                .push(format!("{name}: executed, no record in {table}")),
            (None, Some(_)) => figures
                .violations
                .push(format!("{name}: a record in {table}, no copy executed")),
            (Some((first, first_copy)), Some(record)) => {
                let kept = stored_response(record);
                let kept = kept.as_ref().map(|r| {
                    let body: &[u8] = r.body().as_ref();
                    (
                        r.status().as_u16(),
                        body.to_vec(),
                        r.headers().get("etag").and_then(|v| v.to_str().ok()),
                    )
                });
                let answered = (first.status, first_copy.raw.to_vec(), first_copy.etag.as_deref());
                if kept.as_ref() != Some(&answered) {
                    figures.violations.push(format!(
                        "{name}: the record keeps {kept:?}, the executed copy answered {answered:?}"
                    ));
                }
            }
            (None, None) => {}
        }
        expected_records.insert((table, plan.record.clone()));
    }
    figures.records = records.len();
    for (table, pk) in records.keys() {
        if !expected_records.contains(&(*table, pk.clone())) {
            figures
                .violations
                .push(format!("{table}: record {pk} of no keyed request"));
        }
    }
}

/// Every account's email has exactly one marker naming it; every marker
/// names an account that holds its address.
fn check_email_markers(table: &str, items: &[Item], owner_attr: &str, report: &mut Report) {
    let mut held: BTreeMap<String, String> = BTreeMap::new(); // normalized email -> account
    let mut markers: BTreeMap<String, String> = BTreeMap::new();
    for item in items {
        let (pk, sk) = (
            text(item, "pk").unwrap_or_default(),
            text(item, "sk").unwrap_or_default(),
        );
        if sk == "ACCOUNT" {
            let (Some(id), Some(email)) = (text(item, "id"), text(item, "email")) else {
                continue;
            };
            let normalized = email.trim().to_lowercase();
            if let Some(other) = held.insert(normalized.clone(), id.clone()) {
                report
                    .partial
                    .push(format!("{table}: {other} and {id} both hold {normalized}"));
            }
        } else if sk == "EMAIL" {
            let address = pk.strip_prefix("EMAIL#").unwrap_or_default().to_owned();
            if text(item, "state").is_some_and(|s| s != "active") {
                report
                    .partial
                    .push(format!("{table}: marker {address} is {:?}", text(item, "state")));
            }
            markers.insert(address, text(item, owner_attr).unwrap_or_default());
        }
    }
    for (email, account) in &held {
        if markers.get(email) != Some(account) {
            report.partial.push(format!(
                "{table}: {account} holds {email}, its marker names {:?}",
                markers.get(email)
            ));
        }
    }
    for (email, account) in &markers {
        if held.get(email) != Some(account) {
            report.partial.push(format!(
                "{table}: marker {email} names {account}, which does not hold it"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_has_the_requests_asked_for_and_bounded_keys() {
        let (tasks, seed) = workload(2000);
        let requests: usize = tasks.iter().flatten().map(Planned::copies).sum();
        assert!((2000..2010).contains(&requests), "{requests}");
        let mut keys: BTreeMap<String, usize> = BTreeMap::new();
        for planned in tasks.iter().flatten() {
            if let Purpose::MetadataKey { account, .. } = &planned.purpose {
                *keys.entry(account.clone()).or_default() += 1;
            }
        }
        assert!(keys.values().all(|n| *n <= KEYS_PER_ACCOUNT), "{keys:?}");
        let seeded = seed["update-account-metadata"]["accounts"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(seeded, keys.len());
        SeedFile::parse(&seed.to_string()).unwrap();
    }

    /// A share of the requests of every kind carries a key; a key is
    /// unique per credential and request, and key strings recur under
    /// other credentials.
    #[test]
    fn keyed_requests_of_every_kind_are_sent_several_times() {
        let (tasks, _) = workload(2400);
        let keyed: Vec<(&Planned, &KeyPlan)> = tasks
            .iter()
            .flatten()
            .filter_map(|p| p.key.as_ref().map(|k| (p, k)))
            .collect();
        let kinds: BTreeSet<String> = keyed
            .iter()
            .map(|(p, _)| {
                format!("{:?}", p.purpose)
                    .split([' ', '{'])
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(kinds.len(), 10, "{kinds:?}");
        assert!(
            keyed
                .iter()
                .all(|(p, k)| (2..=5).contains(&p.copies()) && k.at_once >= 1)
        );
        assert!(keyed.iter().any(|(_, k)| k.after == 0) && keyed.iter().any(|(_, k)| k.at_once == 1));
        let records: BTreeSet<&str> = keyed.iter().map(|(_, k)| k.record.as_str()).collect();
        assert_eq!(records.len(), keyed.len(), "one record per keyed request");
        let requests: BTreeSet<usize> = keyed.iter().map(|(_, k)| k.request).collect();
        assert_eq!(requests.len(), keyed.len());
        let shared = keyed.iter().filter(|(_, k)| k.key == "load-0").count();
        assert!(shared > 2, "load-0 under {shared} credentials");
        let copies: usize = keyed.iter().map(|(p, _)| p.copies()).sum();
        assert!(
            (300..1200).contains(&copies),
            "{copies} copies of {} keyed",
            keyed.len()
        );
    }

    /// The key checks are not vacuous: a key executed twice, a replay that
    /// differs, a fresh answer after the execution, a missing or stray
    /// record are each reported; a race lost before the execution is not.
    #[test]
    fn broken_keys_are_found() {
        let purpose = Purpose::Rename {
            account: tenant_account(0),
            name: "n".to_owned(),
        };
        let headers = |request: usize| {
            vec![
                ("x-api-key", KEY_001.to_owned()),
                ("idempotency-key", format!("k{request}")),
            ]
        };
        let plan = |request: usize| KeyPlan {
            request,
            key: format!("k{request}"),
            record: record_pk(&headers(request)),
            at_once: 1,
            after: 1,
        };
        let copy = |request: usize, status: u16, body: &str, replayed: bool, at: u64| Outcome {
            purpose: purpose.clone(),
            status,
            body: Value::Null,
            replayed,
            copy: Some(KeyedCopy {
                plan: plan(request),
                raw: Bytes::from(body.to_owned()),
                etag: (status == 200).then(|| "\"2\"".to_owned()),
                sent: Duration::from_millis(at),
                answered: Duration::from_millis(at + 10),
            }),
        };
        let record = |request: usize, body: &str| {
            let claim = claim(&headers(request));
            let mut response = Response::new(Body::Text(body.to_owned()));
            response
                .headers_mut()
                .insert("etag", lambda_http::http::HeaderValue::from_static("\"2\""));
            let (item, _) = shared::idempotency::record_item(&claim, &response, std::time::SystemTime::now());
            (("TenantAccountsTable", plan(request).record), item)
        };
        // Key 0 is sound: a 409 that lost a race before the execution, the
        // execution, a replay at once and one after.
        let sound = [
            copy(0, 409, "{}", false, 0),
            copy(0, 200, "{\"a\":1}", false, 5),
            copy(0, 200, "{\"a\":1}", true, 6),
            copy(0, 200, "{\"a\":1}", true, 40),
        ];
        let mut figures = KeyFigures::default();
        check_keys(&sound, &BTreeMap::from([record(0, "{\"a\":1}")]), &mut figures);
        assert!(figures.violations.is_empty(), "{:?}", figures.violations);
        assert_eq!(
            (
                figures.keyed,
                figures.copies,
                figures.replays,
                figures.executed,
                figures.refused
            ),
            (1, 4, 2, 1, 1)
        );

        let broken = [
            // 1: executed twice.
            copy(1, 200, "{}", false, 0),
            copy(1, 200, "{}", false, 1),
            // 2: a replay that is not the executed answer.
            copy(2, 200, "{\"b\":1}", false, 0),
            copy(2, 200, "{\"b\":2}", true, 1),
            // 3: answered afresh after the execution's answer.
            copy(3, 200, "{}", false, 0),
            copy(3, 409, "{}", false, 50),
            // 4: executed, no record.
            copy(4, 200, "{}", false, 0),
        ];
        let records = BTreeMap::from([
            record(1, "{}"),
            record(2, "{\"b\":1}"),
            record(3, "{}"),
            record(5, "{}"),
        ]);
        let mut figures = KeyFigures::default();
        check_keys(&broken, &records, &mut figures);
        let found = |text: &str| figures.violations.iter().any(|v| v.contains(text));
        assert_eq!(figures.executed_twice, 1);
        assert!(
            found("key k1 ") && found("executed 2 times"),
            "{:?}",
            figures.violations
        );
        assert!(
            found("key k2 ") && found("replayed 200"),
            "{:?}",
            figures.violations
        );
        assert!(found("key k3 ") && found("afresh"), "{:?}", figures.violations);
        assert!(found("key k4 ") && found("no record"), "{:?}", figures.violations);
        assert!(found("of no keyed request"), "{:?}", figures.violations);
        assert_eq!(figures.violations.len(), 5, "{:?}", figures.violations);
    }

    fn empty_report() -> Report {
        Report::default()
    }

    /// The checks are not vacuous: against a real table, a reported write
    /// that is missing is a lost write, a refused one that is stored is a
    /// partial write, and a version that did not move is a lost write.
    #[tokio::test]
    async fn lost_and_partial_writes_are_found() {
        let server = LocalDynamo::start_in_memory().unwrap();
        let client = testkit::local_client(&server.endpoint());
        for def in testkit::template::tables(&testkit::workspace_root().join("template.yaml")).unwrap() {
            def.create(&client, "").await.unwrap();
        }
        let (_, seed) = workload(50);
        let file = SeedFile::parse(&seed.to_string()).unwrap();
        seeding::seed_into(&file, &client, "").await.unwrap();
        let before = versions(&client).await.unwrap();
        let account = metadata_account(0);
        let outcome = |key: &str, status| Outcome {
            purpose: Purpose::MetadataKey {
                account: account.clone(),
                key: key.to_owned(),
                value: 1,
            },
            status,
            body: Value::Null,
            replayed: false,
            copy: None,
        };
        // "seeded" is stored (by the seed), "k-missing" is not.
        let outcomes = [outcome("k-missing", 204), outcome("seeded", 400)];
        let mut report = empty_report();
        check_invariants(&client, &outcomes, &before, &before, &mut report)
            .await
            .unwrap();
        assert!(
            report.lost.iter().any(|l| l.contains("k-missing")),
            "{:?}",
            report.lost
        );
        assert!(
            report.lost.iter().any(|l| l.contains("version moved 0")),
            "{:?}",
            report.lost
        );
        assert!(
            report.partial.iter().any(|p| p.contains("refused key seeded")),
            "{:?}",
            report.partial
        );
        server.stop();
    }

    #[test]
    fn email_markers_that_disagree_are_reported() {
        let item = |pairs: &[(&str, &str)]| -> Item {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), AttributeValue::S((*v).to_owned())))
                .collect()
        };
        let mut report = empty_report();
        let account = item(&[
            ("pk", "ACCOUNT#a"),
            ("sk", "ACCOUNT"),
            ("id", "a"),
            ("email", "A@x.example"),
        ]);
        let marker = item(&[
            ("pk", "EMAIL#a@x.example"),
            ("sk", "EMAIL"),
            ("account_id", "a"),
            ("state", "active"),
        ]);
        check_email_markers("t", &[account.clone(), marker], "account_id", &mut report);
        assert!(report.partial.is_empty(), "{:?}", report.partial);
        let orphan = item(&[
            ("pk", "EMAIL#b@x.example"),
            ("sk", "EMAIL"),
            ("account_id", "a"),
            ("state", "active"),
        ]);
        check_email_markers("t", &[account.clone(), orphan], "account_id", &mut report);
        assert_eq!(report.partial.len(), 2, "{:?}", report.partial);
    }
}
