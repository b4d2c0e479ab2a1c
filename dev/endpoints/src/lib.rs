//! Every HTTP function's handler, by binary name: the one registry of
//! endpoint types, from which the in-process local API (`cargo xtask`) and
//! the bench (`bench-driver`) build their handlers.
//!
//! It names each function's `shared::endpoint::Endpoint` type, so it cannot
//! be derived from the catalog (`dev/catalog`, plain data); its test holds
//! it equal to the catalog's HTTP binaries and their tables.

use lambda_http::{Body, Request, Response};
use shared::endpoint::Endpoint as Api;
use shared::store::Table;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A handler's answer to one request.
pub type Answer = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// One function's handler: an API Gateway request in, a response out.
pub type Handler = Arc<dyn Fn(Request) -> Answer + Send + Sync>;

/// One HTTP function.
pub struct Endpoint {
    /// Its binary (`confirm-account-email`), as routes name it.
    pub binary: &'static str,
    /// The logical id of its table in `template.yaml`.
    pub table: &'static str,
    /// Its handler with the state its `main` builds, on the given table.
    pub handler: fn(Table) -> Handler,
    /// Its crate's log target, which may log below INFO
    /// (`shared::telemetry`).
    pub log_target: fn() -> &'static str,
}

/// Every HTTP function, in the catalog's order.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint::<update_account_metadata::Metadata>("update-account-metadata"),
    endpoint::<update_tenant_account::TenantAccount>("update-tenant-account"),
    endpoint::<update_crm_account::CrmAccount>("update-crm-account"),
    endpoint::<update_current_account::CurrentAccount>("update-current-account"),
    endpoint::<update_current_account::ConfirmEmail>("confirm-account-email"),
    endpoint::<update_account_v2::AccountV2>("update-account-v2"),
];

/// The handler of `binary` on `table`, if it is an HTTP function.
pub fn handler(binary: &str, table: Table) -> Option<Handler> {
    ENDPOINTS
        .iter()
        .find(|e| e.binary == binary)
        .map(|e| (e.handler)(table))
}

/// The log targets of every endpoint's crate, for a process that serves
/// them all (`shared::telemetry::init`).
pub fn log_targets() -> Vec<&'static str> {
    let mut targets: Vec<&str> = ENDPOINTS.iter().map(|e| (e.log_target)()).collect();
    targets.sort_unstable();
    targets.dedup();
    targets
}

/// The entry of endpoint type `E`, served by `binary`.
const fn endpoint<E>(binary: &'static str) -> Endpoint
where
    E: Api,
    E::State: Send + 'static,
{
    Endpoint {
        binary,
        table: E::TABLE,
        handler: handler_of::<E>,
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

#[cfg(test)]
mod tests;
