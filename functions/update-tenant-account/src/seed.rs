//! This function's section of a seed file (see README, "Seed files").
//!
//! ```json
//! "update-tenant-account": {
//!   "api_keys":  [{"token": "demo-key-tenant-a", "tenant_id": "tenant_a"}],
//!   "accounts":  [{"id": "account_01...", "tenant_id": "tenant_a", "domain": "acme.com",
//!                  "name": "Acme", "latest_activity_at": "2025-01-01T00:00:00Z"}],
//!   "prospects": [{"account_id": "account_01...", "name": "Jane Doe", "email": "jane@acme.com",
//!                  "domain": "acme.com", "slug": "jane-doe", "phone_number": "+15550100",
//!                  "linkedin_profile_url": "https://linkedin.com/in/jane"}]
//! }
//! ```
//!
//! An account or prospect without an `id` gets a new TypeID (`account_…`,
//! `prospect_…`, from a UUIDv7). Timestamps default to the load time.

use crate::{
    account::{AccountId, AccountName, account_key, account_pk, attrs},
    prospects::PROSPECT_SK_PREFIX,
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;
use shared::{
    auth::SeedSecret,
    clock::Timestamp,
    store::{Item, Key},
    typeid,
    validate::{DomainName, EmailAddress, PhoneNumber},
};

/// The name of this function's section in a seed file.
pub const SEED_SECTION: &str = "update-tenant-account";

/// This function's seed data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// API keys and the tenant each belongs to.
    #[serde(default)]
    pub api_keys: Vec<SeedKey>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
    /// Prospects linked to those accounts.
    #[serde(default)]
    pub prospects: Vec<SeedProspect>,
}

/// An API key of a tenant.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedKey {
    /// The key, or its hash.
    #[serde(flatten)]
    pub secret: SeedSecret,
    /// The tenant.
    pub tenant_id: String,
}

/// An account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// TypeID; generated when absent.
    pub id: Option<String>,
    /// Owning tenant.
    pub tenant_id: String,
    /// Domain.
    pub domain: String,
    /// Name; `null` or absent for an unnamed account.
    pub name: Option<String>,
    /// Creation time (RFC 3339); default: now.
    pub created_at: Option<String>,
    /// Last activity (RFC 3339), or absent.
    pub latest_activity_at: Option<String>,
}

/// A prospect linked to an account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProspect {
    /// TypeID; generated when absent.
    pub id: Option<String>,
    /// The account it is linked to (and whose tenant it has).
    pub account_id: String,
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Email domain.
    pub domain: Option<String>,
    /// URL slug.
    pub slug: Option<String>,
    /// Phone number (stored in E.164).
    pub phone_number: Option<String>,
    /// LinkedIn profile URL.
    pub linkedin_profile_url: Option<String>,
}

/// Seed data that breaks the endpoint's rules.
#[derive(Debug, thiserror::Error)]
#[error("{SEED_SECTION}: {0}")]
pub struct SeedError(String);

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn timestamp(text: &Option<String>, now: Timestamp, what: &str) -> Result<String, SeedError> {
    match text {
        None => Ok(now.to_string()),
        Some(t) => Timestamp::parse(t)
            .map(|t| t.to_string())
            .ok_or_else(|| SeedError(format!("{what}: {t:?} is not an RFC 3339 timestamp"))),
    }
}

fn optional(item: &mut Item, name: &str, value: Option<String>) {
    item.insert(
        name.to_owned(),
        value.map_or(AttributeValue::Null(true), AttributeValue::S),
    );
}

impl Seed {
    /// The items to put, after checking every record.
    pub fn items(&self) -> Result<Vec<Item>, SeedError> {
        let now = Timestamp::now();
        let mut items = Vec::new();
        for (i, key) in self.api_keys.iter().enumerate() {
            let principal = Item::from([("tenant_id".to_owned(), s(&key.tenant_id))]);
            items.push(
                key.secret
                    .credential(&format!("api_keys[{i}]"), principal)
                    .map_err(SeedError)?,
            );
        }
        let mut tenants = std::collections::HashMap::new();
        for account in &self.accounts {
            let id = account.id.clone().unwrap_or_else(|| typeid::new("account"));
            let what = format!("account {id}");
            AccountId::parse(&id).map_err(|e| SeedError(format!("{what}: {e}")))?;
            DomainName::parse(&account.domain).map_err(|e| SeedError(format!("{what}: domain {e}")))?;
            if let Some(name) = &account.name {
                AccountName::parse(name.clone()).map_err(|e| SeedError(format!("{what}: name {e}")))?;
            }
            let created = timestamp(&account.created_at, now, &what)?;
            let mut item = account_key(&id).into_item_with(Item::from([
                (attrs::ACCOUNT_ID.to_owned(), s(&id)),
                (attrs::TENANT_ID.to_owned(), s(&account.tenant_id)),
                (attrs::DOMAIN.to_owned(), s(&account.domain)),
                (attrs::CREATED_AT.to_owned(), s(&created)),
                (attrs::UPDATED_AT.to_owned(), s(&created)),
                (attrs::VERSION.to_owned(), AttributeValue::N("0".to_owned())),
            ]));
            optional(&mut item, attrs::NAME, account.name.clone());
            let activity = account
                .latest_activity_at
                .as_ref()
                .map(|_| timestamp(&account.latest_activity_at, now, &what))
                .transpose()?;
            optional(&mut item, attrs::LATEST_ACTIVITY_AT, activity);
            tenants.insert(id, account.tenant_id.clone());
            items.push(item);
        }
        for prospect in &self.prospects {
            items.push(prospect_item(prospect, &tenants, now)?);
        }
        Ok(items)
    }
}

fn prospect_item(
    prospect: &SeedProspect,
    tenants: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<Item, SeedError> {
    let id = prospect.id.clone().unwrap_or_else(|| typeid::new("prospect"));
    let what = format!("prospect {id}");
    let tenant = tenants.get(&prospect.account_id).ok_or_else(|| {
        SeedError(format!(
            "{what}: account {} is not in this seed",
            prospect.account_id
        ))
    })?;
    if let Some(email) = &prospect.email {
        EmailAddress::parse(email).map_err(|e| SeedError(format!("{what}: email {e}")))?;
    }
    let phone = prospect
        .phone_number
        .as_ref()
        .map(|p| PhoneNumber::parse(p).map(|p| p.as_str().to_owned()))
        .transpose()
        .map_err(|e| SeedError(format!("{what}: phone_number {e}")))?;
    let key = Key::new(
        account_pk(&prospect.account_id),
        format!("{PROSPECT_SK_PREFIX}{id}"),
    );
    let mut item = key.into_item_with(Item::from([
        ("prospectId".to_owned(), s(&id)),
        ("tenantId".to_owned(), s(tenant)),
        ("createdAt".to_owned(), s(&now.to_string())),
        ("updatedAt".to_owned(), s(&now.to_string())),
    ]));
    optional(&mut item, "name", prospect.name.clone());
    optional(&mut item, "email", prospect.email.clone());
    optional(&mut item, "domain", prospect.domain.clone());
    optional(&mut item, "slug", prospect.slug.clone());
    optional(&mut item, "phoneNumber", phone);
    optional(
        &mut item,
        "linkedinProfileUrl",
        prospect.linkedin_profile_url.clone(),
    );
    Ok(item)
}
