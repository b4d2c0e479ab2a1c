//! Lambda entry point: build the state once, then serve requests.

use lambda_http::{Error, service_fn};
use update_account_v2::{State, TABLE_LOGICAL_ID, handle};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let state = State::from_env(TABLE_LOGICAL_ID).await;
    let state = &state;
    lambda_http::run(service_fn(move |req| async move {
        Ok::<_, Error>(handle(state, req).await)
    }))
    .await
}
