//! The function's real binary, run by a local Lambda Runtime API over every
//! event in `events/<function>/` with logging at TRACE: each answers its
//! documented status, and no log line, the runtime's and the SDK's
//! included, holds a token, key, code, hash or email of the demo data or
//! the events (see [`crate::runtime_api`]).

use super::Tested;

/// Runs [`Tested::BINARY`] over every shipped event of `T` against the
/// demo seed at TRACE ([`crate::runtime_api::check_demo_events_at_trace`]).
pub async fn no_secret_is_logged_at_trace<T: Tested>() {
    crate::runtime_api::check_demo_events_at_trace(
        T::BINARY.as_ref(),
        super::function::<T>(),
        <T::Seed as shared::seed::Section>::NAME,
        <T::Api as shared::endpoint::Endpoint>::TABLE,
        &T::demo_items(),
    )
    .await;
}
