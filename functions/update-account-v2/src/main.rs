//! Lambda entry point: `PATCH /v2/accounts/{accountId}`.

shared::lambda_main!(update_account_v2::AccountV2);
