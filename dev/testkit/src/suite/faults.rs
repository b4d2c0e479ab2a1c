//! DynamoDB misbehaving between the SDK and the local server (never
//! answering, slow, reset, 500, throttling, the endpoint's extra faults,
//! unreachable): the endpoint's valid write is answered "retry later"
//! with `Retry-After` in its envelope, within the time budget, and nothing
//! is written, a transaction's entries included ([`crate::check_faults`]).

use super::Tested;
use crate::{EVERY_FAULT, Fault, check_faults};

/// Sends [`Tested::valid_request`] through every fault of
/// [`EVERY_FAULT`], then a `TransactionConflict` on `TransactWriteItems`
/// when [`Tested::TRANSACTIONAL`], then with DynamoDB unreachable: each
/// answer has [`Tested::UNAVAILABLE`]'s status with `Retry-After`, inside
/// the budget, the table unchanged, and in the endpoint's envelope with
/// its code ([`Tested::THROTTLED`]'s under throttling, when set).
pub async fn dynamodb_faults_are_unavailable_in_budget_and_change_nothing<T: Tested>() {
    let t = T::start().await;
    let mut faults: Vec<_> = EVERY_FAULT.iter().map(|fault| (*fault, None)).collect();
    if T::TRANSACTIONAL {
        faults.push((Fault::TransactionConflict, Some("TransactWriteItems")));
    }
    let (status, code) = T::UNAVAILABLE;
    let table = <T::Api as shared::endpoint::Endpoint>::TABLE;
    let answers = check_faults(&t.db, table, &faults, status, |table| {
        super::send::<T>(table, T::valid_request())
    })
    .await;
    assert_eq!(answers.len(), faults.len() + 1, "one answer per fault");
    let cases = faults.iter().map(|(fault, _)| Some(*fault)).chain([None]);
    for (answer, fault) in answers.iter().zip(cases) {
        let code = match (fault, T::THROTTLED) {
            (Some(Fault::Throttling), Some(throttled)) => throttled,
            _ => code,
        };
        T::assert_error(answer, status, code);
    }
}
