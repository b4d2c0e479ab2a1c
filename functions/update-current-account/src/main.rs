//! Lambda entry point: `PATCH /v1/account`.

shared::lambda_main!(update_current_account::CurrentAccount);
