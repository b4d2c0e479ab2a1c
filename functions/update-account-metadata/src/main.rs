//! Lambda entry point: `PATCH /accounts/{accountId}/metadata`.

shared::lambda_main!(update_account_metadata::Metadata);
