//! Storage failing past what retries mend: a table that does not exist is
//! a 500 in the endpoint's envelope that names nothing of the storage, and
//! throttling that outlasts the SDK's retries ([`crate::ThrottlingEndpoint`])
//! is the endpoint's "retry later" with `Retry-After: 1`.

use super::Tested;

/// Sends [`Tested::valid_request`] to a handler whose table does not
/// exist: 500 with [`Tested::INTERNAL`], and no word of the table, the
/// error's name or DynamoDB in the body.
pub async fn storage_failures_are_500_without_internals<T: Tested>() {
    let t = T::start().await;
    let response = super::send::<T>(t.db.table("NoSuchTable"), T::valid_request()).await;
    let body = T::assert_error(&response, 500, T::INTERNAL).to_string();
    for leak in ["NoSuchTable", "ResourceNotFound", "dynamodb", "DynamoDB"] {
        assert!(!body.contains(leak), "500 body leaks {leak}: {body}");
    }
}

/// Sends [`Tested::valid_request`] to a handler whose every DynamoDB call
/// is throttled: [`Tested::UNAVAILABLE`]'s status with
/// [`Tested::THROTTLED`]'s code where set (else its own), and
/// `Retry-After: 1`.
pub async fn throttling_that_outlasts_retries_is_unavailable_with_retry_after<T: Tested>() {
    let throttled = crate::ThrottlingEndpoint::start().await;
    let table = throttled.table(<T::Api as shared::endpoint::Endpoint>::TABLE);
    let response = super::send::<T>(table, T::valid_request()).await;
    let (status, code) = T::UNAVAILABLE;
    T::assert_error(&response, status, T::THROTTLED.unwrap_or(code));
    assert_eq!(
        crate::events::header(&response, "retry-after"),
        Some("1"),
        "throttled: no Retry-After"
    );
}
