//! The table layout: where an account and its prospects live.
//!
//! One partition per (tenant, account), `pk = TENANT#<tenantId>#ACCOUNT#<accountId>`,
//! holding the account item (`sk = ACCOUNT`) and its prospects
//! (`sk = PROSPECT#<createdAt>#<prospectId>`).
//!
//! Every key this endpoint builds takes the caller's tenant, so a request can
//! only ever address its own tenant's items: another tenant's account id
//! names a partition that does not exist, and the write and the prospects
//! query both find nothing there, exactly as for a missing account.
//!
//! The partition key is injective: an account id is always
//! `account_` + 26 characters of `[a-z0-9]` (never a `#`), so the fixed-length
//! tail `#ACCOUNT#<accountId>` separates the tenant id from the account id
//! whatever the tenant id holds.
//!
//! Prospect sort keys put the creation time (canonical, fixed-width UTC with
//! milliseconds, so string order is time order) before the id: a Query in
//! descending key order reads the newest prospects first and can stop after
//! the first few.

use shared::store::Key;

/// Sort key of the account item.
pub const ACCOUNT_SK: &str = "ACCOUNT";

/// Sort-key prefix of prospect items.
pub const PROSPECT_SK_PREFIX: &str = "PROSPECT#";

/// The partition of account `account_id` of `tenant`: the account item and
/// its prospects.
pub fn account_pk(tenant: &str, account_id: &str) -> String {
    format!("TENANT#{tenant}#ACCOUNT#{account_id}")
}

/// The key of the account item of account `account_id` of `tenant`.
pub fn account_key(tenant: &str, account_id: &str) -> Key {
    Key::new(account_pk(tenant, account_id), ACCOUNT_SK)
}

/// The key of a prospect of account `account_id` of `tenant`; `created_at`
/// must be canonical ([`shared::clock::Timestamp`]'s `Display`) so that key
/// order is creation order.
pub fn prospect_key(tenant: &str, account_id: &str, created_at: &str, prospect_id: &str) -> Key {
    Key::new(
        account_pk(tenant, account_id),
        format!("{PROSPECT_SK_PREFIX}{created_at}#{prospect_id}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_scoped_by_tenant() {
        let id = "account_01jfrt4z00fay8vvr14d2pf2db";
        assert_ne!(account_key("tenant_a", id), account_key("tenant_b", id));
        assert_eq!(
            account_pk("tenant_a", id),
            "TENANT#tenant_a#ACCOUNT#account_01jfrt4z00fay8vvr14d2pf2db"
        );
        let prospect = prospect_key("t", id, "2025-01-01T00:00:00.000Z", "prospect_x");
        assert_eq!(prospect.pk, account_pk("t", id));
        assert_eq!(prospect.sk, "PROSPECT#2025-01-01T00:00:00.000Z#prospect_x");
    }
}
