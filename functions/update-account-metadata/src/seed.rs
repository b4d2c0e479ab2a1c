//! This function's section of a seed file (see CONTRIBUTING.md, "Seed files").
//!
//! ```json
//! "update-account-metadata": {
//!   "tokens":   [{"token": "demo-token-sales", "ou_id": "ou_sales"}],
//!   "accounts": [{"id": "acct_abc123", "ou_id": "ou_sales", "name": "Acme",
//!                 "domain": "acme.com", "metadata": {"industry": "Technology"}}],
//!   "leads":    [{"id": "lead_1", "account_id": "acct_abc123",
//!                 "email": "jane@acme.com", "full_name": "Jane Doe"}]
//! }
//! ```
//!
//! Seeded values obey the endpoint's own rules (names, domains, metadata
//! limits). Loading is idempotent: every item is a full put, so re-seeding
//! resets demo records to the file's state.

use crate::{
    auth::Principal,
    change::{AccountName, MAX_METADATA_KEYS, metadata_value},
    request::AccountId,
    store::{account_item, leads::lead_item, token_principal},
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{clock::Timestamp, seed::credential_items, store::Item, validate::DomainName};

/// This function's seed data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Bearer tokens and the OU each is active in.
    #[serde(default)]
    pub tokens: Vec<SeedToken>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
    /// Leads of those accounts.
    #[serde(default)]
    pub leads: Vec<SeedLead>,
}

/// A bearer token and the principal it stands for: the OU it is active in
/// (`ou_id`).
pub type SeedToken = shared::seed::SeedToken<Principal>;

/// An account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// Account id (`acct_abc123`).
    pub id: String,
    /// Owning OU.
    pub ou_id: String,
    /// Company name.
    pub name: String,
    /// Primary email domain.
    pub domain: String,
    /// Initial metadata.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// A lead at an account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedLead {
    /// Lead id.
    pub id: String,
    /// The account it belongs to.
    pub account_id: String,
    /// Email address.
    pub email: String,
    /// Full name.
    pub full_name: String,
}

/// Seed data that breaks the endpoint's rules.
#[derive(Debug, thiserror::Error)]
#[error("{section}: {what}: {message}", section = <Seed as shared::seed::Section>::NAME)]
pub struct SeedError {
    what: String,
    message: String,
}

fn bad(what: impl Into<String>, message: impl ToString) -> SeedError {
    SeedError {
        what: what.into(),
        message: message.to_string(),
    }
}

impl shared::seed::Section for Seed {
    const NAME: &'static str = env!("CARGO_PKG_NAME");
    const TABLE: &'static str = crate::TABLE_LOGICAL_ID;
    const CREDENTIALS: &'static str = "tokens";
    type Error = SeedError;

    /// The items to put, after checking every record.
    fn items(&self) -> Result<Vec<Item>, SeedError> {
        let now = Timestamp::now().to_string();
        let mut items = credential_items(Self::CREDENTIALS, &self.tokens, |principal| {
            Ok(token_principal(&principal.ou_id))
        })
        .map_err(|e| bad("credentials", e))?;
        for account in &self.accounts {
            items.push(checked_account_item(account, &now)?);
        }
        for lead in &self.leads {
            let id = AccountId::parse(&lead.account_id).map_err(|e| bad(format!("lead {}", lead.id), e))?;
            items.push(lead_item(&id, &lead.id, &lead.email, &lead.full_name));
        }
        Ok(items)
    }
}

fn checked_account_item(account: &SeedAccount, now: &str) -> Result<Item, SeedError> {
    let what = || format!("account {}", account.id);
    let id = AccountId::parse(&account.id).map_err(|e| bad(what(), e))?;
    let name = AccountName::parse(account.name.clone()).map_err(|e| bad(what(), format!("name {e}")))?;
    let domain = DomainName::parse(&account.domain).map_err(|e| bad(what(), format!("domain {e}")))?;
    if account.metadata.len() > MAX_METADATA_KEYS {
        return Err(bad(what(), format!("at most {MAX_METADATA_KEYS} metadata keys")));
    }
    let metadata: Vec<_> = account
        .metadata
        .iter()
        .map(|(k, v)| {
            let value = metadata_value(k, v).map_err(|e| bad(what(), e))?;
            Ok((k.clone(), value))
        })
        .collect::<Result<_, SeedError>>()?;
    Ok(account_item(&id, &account.ou_id, &name, &domain, &metadata, now))
}
