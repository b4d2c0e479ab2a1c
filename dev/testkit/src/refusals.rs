//! Refusals that must write nothing, as the endpoint crates' API tests
//! check them: every request refused in the endpoint's envelope, and the
//! endpoint's table the same after as before.

use crate::suite::Tested;
use lambda_http::{Body, Response};
use serde_json::Value;
use std::future::Future;

/// Sends `requests` one after another (each a request not yet sent, such
/// as the fixture's `patch(…)` not yet awaited) and asserts that every one
/// is refused with `status` and `code` ([`Tested::assert_error`]) and that
/// the endpoint's table holds the same items after them as before. Returns
/// the refusals' bodies in the order of `requests`.
pub async fn refused_writing_nothing<T, Fut>(
    fixture: &T,
    status: u16,
    code: &str,
    requests: impl IntoIterator<Item = Fut>,
) -> Vec<Value>
where
    T: Tested,
    Fut: Future<Output = Response<Body>>,
{
    let before = fixture.snapshot().await;
    let mut bodies = Vec::new();
    for request in requests {
        bodies.push(T::assert_error(&request.await, status, code));
    }
    assert_eq!(
        fixture.snapshot().await,
        before,
        "a refused request changed the table"
    );
    bodies
}

/// Asserts that a request for an account the caller may not see, `hidden`,
/// is answered exactly like one for an account that does not exist,
/// `missing`: both `404` with `code` and the same message, and neither
/// writes anything ([`refused_writing_nothing`]).
pub async fn hidden_like_missing<T, Fut>(fixture: &T, code: &str, hidden: Fut, missing: Fut)
where
    T: Tested,
    Fut: Future<Output = Response<Body>>,
{
    let bodies = refused_writing_nothing(fixture, 404, code, [hidden, missing]).await;
    let message = |body: &Value| body["message"].as_str().map(str::to_owned);
    assert!(
        message(&bodies[0]).is_some_and(|m| !m.is_empty()),
        "a 404 without a message: {bodies:?}"
    );
    assert_eq!(message(&bodies[0]), message(&bodies[1]), "{bodies:?}");
}
