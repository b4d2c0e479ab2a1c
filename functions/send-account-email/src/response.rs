//! The answer to a batch: the records to deliver again.

use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

/// The batch response naming each failed record by its sequence number
/// (the event source mapping has `ReportBatchItemFailures`: Lambda
/// delivers again from the lowest one, and gives up on a record, sending
/// it to the on-failure queue, after the mapping's retries).
pub fn failures(sequence_numbers: impl IntoIterator<Item = String>) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = sequence_numbers
        .into_iter()
        .map(|n| {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(n);
            failure
        })
        .collect();
    response
}
