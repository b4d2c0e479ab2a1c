//! One HTTP endpoint as the tooling uses it: a handler built on any table,
//! the request rules it checks before reading anything, its log target.

use lambda_http::{Body, Request, Response, http::StatusCode};
use shared::endpoint::Endpoint as Api;
use shared::store::Table;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A handler's answer to one request.
pub type Answer = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// One function's handler: an API Gateway request in, a response out.
pub type Handler = Arc<dyn Fn(Request) -> Answer + Send + Sync>;

/// One HTTP endpoint.
pub struct Endpoint {
    /// Its binary (`confirm-account-email`), as routes name it.
    pub binary: &'static str,
    /// The logical id of its table in `template.yaml`.
    pub table: &'static str,
    /// Its handler with the state its `main` builds, on the given table.
    pub handler: fn(Table) -> Handler,
    /// Its `check_request` (`shared::endpoint::Endpoint`): the status of
    /// the refusal as the endpoint renders it, if it refuses the request.
    pub refusal: fn(&Request) -> Option<StatusCode>,
    /// Its crate's log target, which may log below INFO
    /// (`shared::telemetry`).
    pub log_target: fn() -> &'static str,
}

/// The entry of endpoint type `E`, served by `binary`.
pub(crate) const fn endpoint<E>(binary: &'static str) -> Endpoint
where
    E: Api,
    E::State: Send + 'static,
{
    Endpoint {
        binary,
        table: E::TABLE,
        handler: handler_of::<E>,
        refusal: refusal_of::<E>,
        log_target: shared::telemetry::crate_of::<E>,
    }
}

/// `E`'s handler, its state built from the shared state on `table`.
fn handler_of<E>(table: Table) -> Handler
where
    E: Api,
    E::State: Send + 'static,
{
    let state = Arc::new(E::State::from(shared::endpoint::State { table }));
    Arc::new(move |req| {
        let state = Arc::clone(&state);
        Box::pin(async move { shared::endpoint::handle::<E>(&state, req).await })
    })
}

/// The status of `E::check_request`'s refusal, rendered in `E`'s envelope.
fn refusal_of<E: Api>(req: &Request) -> Option<StatusCode> {
    E::check_request(req)
        .err()
        .map(|e| E::render_error(e, req, "req-check").status())
}
