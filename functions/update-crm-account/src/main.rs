//! Lambda entry point: `PATCH /accounts/{accountId}` and `PATCH /clients/{accountId}`.

shared::lambda_main!(update_crm_account::CrmAccount);
