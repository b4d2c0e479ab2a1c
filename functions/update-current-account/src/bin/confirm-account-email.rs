//! Lambda entry point of POST /v1/account/email/confirm.

use lambda_http::{Error, service_fn};
use update_current_account::{State, TABLE_LOGICAL_ID, handle_confirm};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let state = State::from_env(TABLE_LOGICAL_ID).await;
    let state = &state;
    lambda_http::run(service_fn(move |req| async move {
        Ok::<_, Error>(handle_confirm(state, req).await)
    }))
    .await
}
