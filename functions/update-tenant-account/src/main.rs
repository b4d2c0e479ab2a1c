//! Lambda entry point: `PATCH /v0/accounts/{account_id}`.

shared::lambda_main!(update_tenant_account::TenantAccount);
