//! This function's section of a seed file (see CONTRIBUTING.md, "Seed files").
//!
//! ```json
//! "update-current-account": {
//!   "tokens":   [{"token": "demo-token-v1-owner", "account_id": "acct_001", "role": "owner"}],
//!   "accounts": [{"id": "acct_001", "email": "billing@acme.example", "name": "Acme Corp.",
//!                 "type": "business", "status": "active",
//!                 "created_at": "2025-01-12T09:30:00Z", "updated_at": "2025-09-18T20:12:00Z",
//!                 "settings": {"currency": "USD"}, "email_verification": "none",
//!                 "pending_email_change": {"email": "new@acme.example", "code": "4242424242"}}]
//! }
//! ```
//!
//! An account takes every field of the contract's response: `id`, `email`,
//! `name`, `type` (`individual` or `business`), `status` (default `active`;
//! 1-64 letters, digits, `_` or `-`), `created_at` and `updated_at` (RFC
//! 3339 / ISO 8601 timestamps such as `2025-01-12T09:30:00Z`, stored and
//! answered exactly as given; `created_at` defaults to `updated_at`, else
//! the time of loading, `updated_at` to `created_at`, and may not be before
//! it) and
//! `settings` (the PATCH rules); plus `email_verification` (`required` or
//! `none`, the default) and `pending_email_change`.
//!
//! A token's `account_id` must be an account id (1-128 letters, digits,
//! `_` or `-`), as in the `X-Account-Id` header: the file is refused
//! otherwise, since such a token could never name its account.
//!
//! Email markers are written with the accounts (two accounts with one
//! address are refused). `pending_email_change` seeds a change awaiting
//! confirmation (its code, [`CODE_DIGITS`] digits, goes to the outbox and
//! its hash on the account; it expires [`CODE_TTL_SECONDS`] after
//! loading). Like any pending address it reserves nothing: it may even be
//! another account's address, and confirming it then answers 409.

use crate::{
    auth::Principal,
    change::{
        AccountName,
        code::{CODE_DIGITS, code_hash, parse_code},
    },
    request::is_account_id,
    store::{
        email::CODE_TTL_SECONDS,
        outbox::Message,
        seeded::{self, SeededAccount},
    },
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    clock::Timestamp,
    seed::{credential_items, defaulted_times},
    store::Item,
    validate::{EmailAddress, is_currency, is_iana_timezone, is_language_tag},
};
use std::collections::HashSet;

/// Longest seeded `status`.
pub const MAX_STATUS_LEN: usize = 64;

/// This function's seed data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Access tokens.
    #[serde(default)]
    pub tokens: Vec<SeedToken>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
}

/// An access token and the principal it stands for: a user with a `role`
/// (`owner` or `admin`) on an account (`account_id`).
pub type SeedToken = shared::seed::SeedToken<Principal>;

/// An account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// Id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `individual` or `business`.
    #[serde(rename = "type")]
    pub account_type: String,
    /// Status (default `active`).
    #[serde(default = "active")]
    pub status: String,
    /// `required` or `none` (default).
    #[serde(default = "none")]
    pub email_verification: String,
    /// Settings.
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// A change awaiting confirmation.
    pub pending_email_change: Option<SeedPending>,
    /// Creation time, RFC 3339, kept as given (default: `updated_at`, else
    /// the time of loading).
    pub created_at: Option<String>,
    /// Last update time, RFC 3339, kept as given (default: `created_at`).
    pub updated_at: Option<String>,
}

/// A seeded email change awaiting confirmation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPending {
    /// The new address.
    pub email: String,
    /// Its code: [`CODE_DIGITS`] digits.
    pub code: String,
}

fn active() -> String {
    "active".to_owned()
}

fn none() -> String {
    "none".to_owned()
}

/// Seed data that breaks the endpoint's rules.
#[derive(Debug, thiserror::Error)]
#[error("{section}: {0}", section = <Seed as shared::seed::Section>::NAME)]
pub struct SeedError(String);

impl shared::seed::Section for Seed {
    const NAME: &'static str = env!("CARGO_PKG_NAME");
    const TABLE: &'static str = crate::TABLE_LOGICAL_ID;
    const CREDENTIALS: &'static str = "tokens";
    /// An owner reaches its own account alone; an admin also any account
    /// named in `X-Account-Id` ([`crate::auth::Principal::target`]).
    const ROLES_WITHIN_IDS: &'static [&'static str] = &["owner"];
    type Error = SeedError;

    /// The items to put, after checking every record.
    fn items(&self) -> Result<Vec<Item>, SeedError> {
        let mut items = credential_items(Self::CREDENTIALS, &self.tokens, |principal| {
            Ok(seeded::token_principal(
                principal.account_id.as_str(),
                principal.role,
            ))
        })
        .map_err(SeedError)?;
        let mut emails = HashSet::new();
        let now = Timestamp::now();
        for account in &self.accounts {
            let what = |m: &str| SeedError(format!("account {}: {m}", account.id));
            if !is_account_id(&account.id) {
                return Err(what("id must be 1-128 letters, digits, '_' or '-'"));
            }
            let email = EmailAddress::parse(&account.email).map_err(|e| what(&format!("email {e}")))?;
            AccountName::parse(account.name.clone()).map_err(|e| what(&format!("name {e}")))?;
            if !["individual", "business"].contains(&account.account_type.as_str()) {
                return Err(what("type must be individual or business"));
            }
            if !["required", "none"].contains(&account.email_verification.as_str()) {
                return Err(what("email_verification must be required or none"));
            }
            let mut settings = Vec::with_capacity(account.settings.len());
            for (key, value) in &account.settings {
                let ok = match (key.as_str(), value.as_str()) {
                    ("currency", Some(v)) => is_currency(v),
                    ("timezone", Some(v)) => is_iana_timezone(v),
                    ("language", Some(v)) => is_language_tag(v),
                    _ => false,
                };
                if !ok {
                    return Err(what(&format!("settings.{key} is not valid")));
                }
                settings.push((key.as_str(), value.as_str().unwrap_or_default()));
            }
            if account.status.len() > MAX_STATUS_LEN || !is_account_id(&account.status) {
                return Err(what("status must be 1-64 letters, digits, '_' or '-'"));
            }
            let timestamp = |name: &str, text: &Option<String>| {
                text.as_deref()
                    .map(|t| {
                        Timestamp::parse(t)
                            .map(|parsed| (parsed, t.to_owned()))
                            .ok_or_else(|| what(&format!("{name} is not an RFC 3339 timestamp")))
                    })
                    .transpose()
            };
            let created = timestamp("created_at", &account.created_at)?;
            let updated = timestamp("updated_at", &account.updated_at)?;
            let ((created_at, created), (updated_at, updated)) =
                defaulted_times(created, updated, || (now, now.to_string()));
            if updated_at < created_at {
                return Err(what("updated_at is before created_at"));
            }
            let seeded = SeededAccount {
                id: &account.id,
                email: &email,
                name: &account.name,
                account_type: &account.account_type,
                status: &account.status,
                email_verification: &account.email_verification,
                settings,
                created_at: &created,
                updated_at: &updated,
            };
            let mut item = seeded.item();
            if !emails.insert(email.normalized().to_owned()) {
                return Err(what(&format!("email {} is used twice", email.as_str())));
            }
            let expires = now.plus_seconds(CODE_TTL_SECONDS);
            items.push(seeded.marker());
            if let Some(pending) = &account.pending_email_change {
                let new =
                    EmailAddress::parse(&pending.email).map_err(|e| what(&format!("pending email {e}")))?;
                if new.normalized() == email.normalized() {
                    return Err(what("pending email is the account's own address"));
                }
                if parse_code(&pending.code).as_deref() != Some(pending.code.as_str()) {
                    return Err(what(&format!("pending code must be {CODE_DIGITS} digits")));
                }
                seeded::pend(&mut item, &new, &code_hash(&account.id, &pending.code), expires);
                items.push(
                    Message {
                        account: &account.id,
                        to: new.as_str(),
                        code: &pending.code,
                        change: &code_hash(&account.id, &pending.code),
                        notify: Some(email.as_str()),
                        created_at: now,
                        expires_at: expires,
                    }
                    .item(),
                );
            }
            items.push(item);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::seed::Section;

    /// The roles within ids are exactly those that cannot act on an account
    /// other than their own: the smoke test's credential, moved to an
    /// account with no data, then reaches none.
    #[test]
    fn the_roles_within_ids_are_those_that_reach_no_other_account() {
        for role in ["owner", "admin"] {
            let principal: Principal =
                serde_json::from_value(serde_json::json!({"account_id": "acct_own", "role": role})).unwrap();
            let other = crate::request::AccountId::parse("acct_other").unwrap();
            let reaches_other = principal.target(&shared::Ctx::detached(), Some(other)).is_ok();
            assert_eq!(Seed::ROLES_WITHIN_IDS.contains(&role), !reaches_other, "{role}");
        }
    }
}
