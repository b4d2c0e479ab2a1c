//! Lambda entry point: `POST /v1/account/email/confirm`.

shared::lambda_main!(update_current_account::ConfirmEmail);
