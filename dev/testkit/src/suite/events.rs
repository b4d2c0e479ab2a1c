//! Every event in `events/<function>/` runs through the endpoint's handler
//! against the demo seed and answers the status its file name promises,
//! in the endpoint's envelope, so the shipped events cannot rot.

use super::Tested;

/// Runs every shipped event of `T` (each against a fresh database holding
/// the demo seed): the status its file name promises, a JSON body for
/// errors and 200 ([`crate::events::assert_documented_status`]), and the
/// endpoint's envelope ([`Tested::assert_event_envelope`]). At least
/// [`Tested::MIN_EVENTS`] events must ship.
pub async fn shipped_events_give_their_documented_status<T: Tested>() {
    let items = T::demo_items();
    crate::events::check_shipped::<T::Api, _, _>(
        super::function::<T>(),
        T::MIN_EVENTS,
        |_| std::future::ready(items.clone()),
        T::assert_event_envelope,
    )
    .await;
}
