//! Generic suites that every HTTP endpoint crate runs, written once.
//!
//! An endpoint crate describes itself for tests by implementing
//! [`Tested`] on its fixture (in its `tests/common/mod.rs`): the endpoint,
//! its binary and events, a valid write, its error envelope and what it
//! answers when DynamoDB is unavailable. It then instantiates the suites
//! in one short file with [`endpoint_suite!`](crate::endpoint_suite),
//! which expands to named `#[tokio::test]` functions, one module per
//! suite:
//!
//! - [`events`]: every shipped event through the handler against the demo seed;
//! - [`logs`]: the real binary over every event at TRACE, no secret logged;
//! - [`faults`]: every DynamoDB fault answered "retry later", in budget, nothing written;
//! - [`storage`]: storage failing for good is a 500 that tells nothing of
//!   it; throttling past the retries is "retry later" with `Retry-After`;
//! - [`safe_edits`]: ETag / If-Match and Idempotency-Key (with
//!   [`safe_edits::Endpoint`]);
//! - [`isolation`]: the isolation matrix (with [`Isolated`](isolation::Isolated)).

pub mod events;
pub mod faults;
pub mod isolation;
pub mod logs;
mod macros;
mod request;
pub mod safe_edits;
pub mod storage;

pub use request::{Codes, Credential, Route};

use crate::{Harness, SeedFormat};
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use shared::store::{Item, Key, Table};
use std::future::Future;
use std::ops::Deref;
use std::path::Path;

/// Asserts that a response is an error with a status and a code in an
/// endpoint's envelope; returns what the endpoint's tests use of it.
pub type AssertError = fn(&Response<Body>, u16, &str) -> Value;

/// One HTTP endpoint as the generic suites drive it. Implemented once per
/// endpoint crate, on its test fixture: made from the [`Harness`] of the
/// endpoint (its database and state), dereferencing to it, and knowing
/// the endpoint's seed format (see [`harness_fixture!`](crate::harness_fixture)).
pub trait Tested:
    SeedFormat + Deref<Target = Harness<Self::Api>> + From<Harness<Self::Api>> + Sized + Send + Sync + 'static
{
    /// The endpoint under test (its handler, table and state).
    type Api: shared::endpoint::Endpoint;

    /// The path of the function's real binary, as Cargo gives it to the
    /// crate's tests (`env!("CARGO_BIN_EXE_<name>")`); its file name is the
    /// function's name, and its events' folder in `events/` ([`function`]).
    const BINARY: &'static str;
    /// The fewest events `events/<function>/` may hold (a folder emptied by
    /// mistake fails).
    const MIN_EVENTS: usize;
    /// The status and error code the endpoint answers when DynamoDB is
    /// unavailable (503, or the contract's 429).
    const UNAVAILABLE: (u16, &'static str);
    /// The error code of a 500 (a bug, or storage failing in a way no
    /// retry mends).
    const INTERNAL: &'static str;
    /// The codes of the refusals of a precondition, a malformed header and
    /// a reused `Idempotency-Key`.
    const CODES: Codes;
    /// The crate's own assertion of its error envelope, which
    /// [`Tested::assert_error`] runs.
    const ASSERT_ERROR: AssertError;
    /// The error code when DynamoDB throttles past the SDK's retries, where
    /// it is not [`Tested::UNAVAILABLE`]'s (same status).
    const THROTTLED: Option<&'static str> = None;
    /// Whether [`Tested::valid_request`] writes in a transaction: the
    /// fault suite then also injects `TransactionConflict` on
    /// `TransactWriteItems`.
    const TRANSACTIONAL: bool = false;
    /// The route of [`Tested::valid_request`] (with the endpoint's
    /// method), on an item the fixture's caller may write.
    const ROUTE: Route;
    /// The credential of the fixture's caller.
    const CALLER: Credential;
    /// The status of the answer to [`Tested::valid_request`] (200, or 204).
    const SUCCESS: u16;
    /// The JSON body of [`Tested::valid_request`]: a valid write, a
    /// transactional one where the endpoint has one.
    const VALID_BODY: &'static str;

    /// The key of the item [`Tested::valid_request`] writes (it has a
    /// `version`).
    fn subject() -> Key;

    /// The fixture's data: a section of the endpoint's seed format.
    fn fixture_seed() -> Value;

    /// A fresh database with the template's tables, seeded with
    /// [`Tested::fixture_seed`].
    fn start() -> impl Future<Output = Self> + Send {
        async {
            let fixture = Self::from(Harness::start(Self::seed_items).await);
            fixture.seed(Self::fixture_seed()).await;
            fixture
        }
    }

    /// The items of the endpoint's section of the demo seed
    /// (`functions/<package>/demo.json`), as its seed format makes them for
    /// an empty table.
    fn demo_items() -> Vec<Item> {
        Self::seed_items(demo_seed(<Self::Seed as shared::seed::Section>::NAME))
    }

    /// A valid write by the fixture's caller as API Gateway delivers it:
    /// [`Tested::VALID_BODY`] on [`Tested::ROUTE`], with the caller's
    /// [`Tested::CALLER`] and `Content-Type: application/json`. Each call
    /// builds a new request.
    fn valid_request() -> Request {
        let Route { path, params } = Self::ROUTE;
        let method = <Self::Api as shared::endpoint::Endpoint>::METHOD;
        let (name, value) = Self::CALLER.header();
        let headers = [(name, value.as_str()), ("content-type", "application/json")];
        let body = Some(Self::VALID_BODY.as_bytes());
        crate::events::api_request(method.as_str(), path, params, &headers, body)
    }

    /// Asserts that `response` is an error with `status` and `code` in the
    /// endpoint's envelope (its content type and every field it promises);
    /// returns the body.
    fn assert_error(response: &Response<Body>, status: u16, code: &str) -> Value {
        (Self::ASSERT_ERROR)(response, status, code)
    }

    /// Asserts the envelope of the answer to a shipped event, whose status
    /// [`events`] has already checked.
    fn assert_event_envelope(file: &Path, response: &Response<Body>);
}

/// The function's name: [`Tested::BINARY`]'s file name.
pub fn function<T: Tested>() -> &'static str {
    Path::new(T::BINARY)
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a binary's path")
}

/// The endpoint's table in the fixture's database.
pub fn table<T: Tested>(t: &T) -> Table {
    t.db.table(<T::Api as shared::endpoint::Endpoint>::TABLE)
}

/// Sends `request` to `T`'s handler with a state holding `table`; the
/// handler's future is on the heap (it is large in debug builds).
pub async fn send<T: Tested>(table: Table, request: Request) -> Response<Body> {
    let state = <T::Api as shared::endpoint::Endpoint>::State::from(shared::endpoint::State { table });
    Box::pin(shared::endpoint::handle::<T::Api>(&state, request)).await
}

/// The items that `items` (a seed format's) makes of `section`, parsed
/// as that format `S`; panics when the format refuses the section.
pub fn parse_seed<S: serde::de::DeserializeOwned, E: std::fmt::Display>(
    section: Value,
    items: fn(&S) -> Result<Vec<Item>, E>,
) -> Vec<Item> {
    let seed: S = serde_json::from_value(section).expect("a seed section");
    items(&seed).unwrap_or_else(|e| panic!("a valid seed section: {e}"))
}

/// The demo seed's section `section`, in the endpoint's seed format `S`.
pub fn demo_seed<S: serde::de::DeserializeOwned>(section: &str) -> S {
    let demo = crate::seed::SeedFile::demo(&crate::workspace_root()).expect("the demo seed");
    demo.section(section)
        .expect("a valid demo seed section")
        .unwrap_or_else(|| panic!("the demo seed has no section {section}"))
}
