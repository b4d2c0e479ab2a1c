//! This function's section of a seed file (see CONTRIBUTING.md, "Seed files").
//!
//! ```json
//! "update-tenant-account": {
//!   "api_keys":  [{"token": "demo-key-tenant-a", "tenant_id": "tenant_a"}],
//!   "accounts":  [{"id": "account_01...", "tenant_id": "tenant_a", "domain": "acme.com",
//!                  "name": "Acme", "created_at": "2025-01-12T09:30:00Z",
//!                  "updated_at": "2025-03-01T08:00:00Z",
//!                  "latest_activity_at": "2025-09-18T20:12:00Z"}],
//!   "prospects": [{"id": "prospect_01...", "account_id": "account_01...",
//!                  "tenant_id": "tenant_a", "name": "Jane Doe", "email": "jane@acme.com",
//!                  "domain": "acme.com", "slug": "jane-doe", "phone_number": "+15550100",
//!                  "linkedin_profile_url": "https://linkedin.com/in/jane",
//!                  "created_at": "2025-01-12T09:31:00Z", "updated_at": "2025-01-12T09:31:00Z"}]
//! }
//! ```
//!
//! Every field the contract's response shows can be given, under its
//! snake_case name or the contract's camelCase one (`created_at` or
//! `createdAt`; an account's `id` also as `account_id` / `accountId`, a
//! prospect's as `prospect_id` / `prospectId`). Rules:
//!
//! - Ids: `account_` / `prospect_` and 26 characters of `[a-z0-9]`; a record
//!   without one gets a new TypeID (from a UUIDv7). Account ids are unique
//!   within a section.
//! - `tenant_id`: 1-128 characters, no control characters. A prospect has
//!   its account's tenant; giving another one is an error.
//! - Timestamps: RFC 3339 (any offset) of at most millisecond precision,
//!   kept as the instant given and stored in the canonical form
//!   `2025-01-12T09:30:00.000Z` (what the endpoint answers). `updated_at`
//!   may not be before `created_at`. Defaults: `created_at` is the load
//!   time (for a prospect with a UUIDv7 TypeID, the time in its id, so that
//!   reloading a seed writes the same key); `updated_at` is `created_at`;
//!   `latest_activity_at` is null.
//! - Text fields obey the endpoint's limits ([`crate::response::size`]): names and
//!   slugs 1-255 characters, LinkedIn URLs 1-1024, emails, domains (stored
//!   normalized) and phone numbers (stored in E.164) valid.
//!
//! A prospect's key holds its `created_at` (the list's order), so reloading
//! a prospect with a different `created_at` adds a second copy instead of
//! replacing the first.

mod timestamps;

pub use timestamps::TimestampError;

use crate::{
    auth::Principal,
    change::AccountName,
    request::AccountId,
    response::{
        Account, Prospect,
        size::{
            MAX_LINKEDIN_URL_CHARS, MAX_PROSPECT_NAME_CHARS, MAX_SLUG_CHARS, MAX_TENANT_ID_CHARS,
            PROSPECT_ID_CHARS,
        },
    },
    store::seeded,
};
use serde::Deserialize;
use shared::{
    clock::Timestamp,
    seed::credential_items,
    store::Item,
    typeid,
    validate::{BoundedText, DomainName, EmailAddress, PhoneNumber},
};
use std::collections::HashMap;

/// A tenant id: 1-128 characters, no control characters.
type TenantId = BoundedText<1, MAX_TENANT_ID_CHARS>;
type ProspectName = BoundedText<1, MAX_PROSPECT_NAME_CHARS>;
type Slug = BoundedText<1, MAX_SLUG_CHARS>;
type LinkedinUrl = BoundedText<1, MAX_LINKEDIN_URL_CHARS>;

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

/// An API key and the principal it stands for: its tenant (`tenant_id`,
/// 1-128 characters, no control characters).
pub type SeedKey = shared::seed::SeedToken<Principal>;

/// An account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// TypeID; generated when absent.
    #[serde(alias = "account_id", alias = "accountId")]
    pub id: Option<String>,
    /// Owning tenant.
    #[serde(alias = "tenantId")]
    pub tenant_id: String,
    /// Domain.
    pub domain: String,
    /// Name; `null` or absent for an unnamed account.
    pub name: Option<String>,
    /// Creation time (RFC 3339); default: now.
    #[serde(alias = "createdAt")]
    pub created_at: Option<String>,
    /// Last update time (RFC 3339, not before `created_at`); default:
    /// `created_at`.
    #[serde(alias = "updatedAt")]
    pub updated_at: Option<String>,
    /// Last activity (RFC 3339), or `null` / absent.
    #[serde(alias = "latestActivityAt")]
    pub latest_activity_at: Option<String>,
}

/// A prospect linked to an account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProspect {
    /// TypeID; generated when absent.
    #[serde(alias = "prospect_id", alias = "prospectId")]
    pub id: Option<String>,
    /// The account it is linked to (and whose tenant it has).
    #[serde(alias = "accountId")]
    pub account_id: String,
    /// Owning tenant; must be the account's when given.
    #[serde(alias = "tenantId")]
    pub tenant_id: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Email domain.
    pub domain: Option<String>,
    /// URL slug.
    pub slug: Option<String>,
    /// Phone number (stored in E.164).
    #[serde(alias = "phoneNumber")]
    pub phone_number: Option<String>,
    /// LinkedIn profile URL.
    #[serde(alias = "linkedinProfileUrl")]
    pub linkedin_profile_url: Option<String>,
    /// Creation time (RFC 3339); default: the time in its UUIDv7 id, else now.
    #[serde(alias = "createdAt")]
    pub created_at: Option<String>,
    /// Last update time (RFC 3339, not before `created_at`); default:
    /// `created_at`.
    #[serde(alias = "updatedAt")]
    pub updated_at: Option<String>,
}

/// Seed data that breaks the endpoint's rules.
#[derive(Debug, thiserror::Error)]
#[error("{section}: {0}", section = <Seed as shared::seed::Section>::NAME)]
pub struct SeedError(String);

/// A record's `created_at` and `updated_at`: given or defaulted, in order.
fn created_and_updated(
    what: &str,
    created: Option<&str>,
    updated: Option<&str>,
    default_created: Timestamp,
) -> Result<(Timestamp, Timestamp), SeedError> {
    let parse = |field: &str, text: &str| {
        timestamps::parse(text).map_err(|e| SeedError(format!("{what}: {field}: {e}")))
    };
    let created = created.map_or(Ok(default_created), |t| parse("created_at", t))?;
    let updated = updated.map_or(Ok(created), |t| parse("updated_at", t))?;
    if updated < created {
        return Err(SeedError(format!(
            "{what}: updated_at {updated} is before created_at {created}"
        )));
    }
    Ok((created, updated))
}

/// Checks a tenant id against [`TenantId`]'s rule; the error starts with
/// the field's name (`tenant_id ...`).
fn tenant_id(tenant: &str) -> Result<(), String> {
    TenantId::parse(tenant.to_owned())
        .map(drop)
        .map_err(|e| format!("tenant_id {e}"))
}

impl shared::seed::Section for Seed {
    const NAME: &'static str = env!("CARGO_PKG_NAME");
    const TABLE: &'static str = crate::TABLE_LOGICAL_ID;
    const CREDENTIALS: &'static str = "api_keys";
    type Error = SeedError;

    /// The items to put, after checking every record.
    fn items(&self) -> Result<Vec<Item>, SeedError> {
        let now = Timestamp::now();
        let mut items = credential_items(Self::CREDENTIALS, &self.api_keys, |principal| {
            tenant_id(&principal.tenant_id)?;
            Ok(seeded::key_principal(&principal.tenant_id))
        })
        .map_err(SeedError)?;
        let mut tenants = HashMap::new();
        for account in &self.accounts {
            let id = account.id.clone().unwrap_or_else(|| typeid::new("account"));
            if tenants.contains_key(&id) {
                return Err(SeedError(format!("account {id} appears twice")));
            }
            items.push(account_item(account, &id, now)?);
            tenants.insert(id, account.tenant_id.clone());
        }
        for prospect in &self.prospects {
            items.push(prospect_item(prospect, &tenants, now)?);
        }
        Ok(items)
    }
}

fn account_item(account: &SeedAccount, id: &str, now: Timestamp) -> Result<Item, SeedError> {
    let what = format!("account {id}");
    AccountId::parse(id).map_err(|e| SeedError(format!("{what}: {e}")))?;
    tenant_id(&account.tenant_id).map_err(|e| SeedError(format!("{what}: {e}")))?;
    let domain = DomainName::parse(&account.domain).map_err(|e| SeedError(format!("{what}: domain {e}")))?;
    if let Some(name) = &account.name {
        AccountName::parse(name.clone()).map_err(|e| SeedError(format!("{what}: name {e}")))?;
    }
    let (created, updated) = created_and_updated(
        &what,
        account.created_at.as_deref(),
        account.updated_at.as_deref(),
        now,
    )?;
    let activity = account
        .latest_activity_at
        .as_deref()
        .map(|t| timestamps::parse(t).map_err(|e| SeedError(format!("{what}: latest_activity_at: {e}"))))
        .transpose()?;
    Ok(seeded::account_item(&Account {
        account_id: id.to_owned(),
        tenant_id: account.tenant_id.clone(),
        domain: domain.into_string(),
        name: account.name.clone(),
        created_at: created.to_string(),
        updated_at: updated.to_string(),
        latest_activity_at: activity.map(|t| t.to_string()),
    }))
}

/// Whether `id` is `prospect_` and 26 characters of `[a-z0-9]`.
fn is_prospect_id(id: &str) -> bool {
    id.len() == PROSPECT_ID_CHARS
        && id
            .strip_prefix("prospect_")
            .is_some_and(|s| s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn prospect_item(
    prospect: &SeedProspect,
    tenants: &HashMap<String, String>,
    now: Timestamp,
) -> Result<Item, SeedError> {
    let id = prospect.id.clone().unwrap_or_else(|| typeid::new("prospect"));
    let what = format!("prospect {id}");
    if !is_prospect_id(&id) {
        return Err(SeedError(format!(
            "{what}: id must match ^prospect_[a-z0-9]{{26}}$"
        )));
    }
    let tenant = tenants.get(&prospect.account_id).ok_or_else(|| {
        SeedError(format!(
            "{what}: account {} is not in this seed",
            prospect.account_id
        ))
    })?;
    if prospect.tenant_id.as_ref().is_some_and(|t| t != tenant) {
        return Err(SeedError(format!(
            "{what}: tenant_id must be its account's tenant ({tenant})"
        )));
    }
    let fields = ProspectFields::check(prospect).map_err(|e| SeedError(format!("{what}: {e}")))?;
    let default_created = timestamps::of_typeid("prospect", &id).unwrap_or(now);
    let (created, updated) = created_and_updated(
        &what,
        prospect.created_at.as_deref(),
        prospect.updated_at.as_deref(),
        default_created,
    )?;
    let prospect_view = Prospect {
        prospect_id: id,
        tenant_id: tenant.clone(),
        name: fields.name,
        email: fields.email,
        domain: fields.domain,
        slug: fields.slug,
        phone_number: fields.phone_number,
        linkedin_profile_url: fields.linkedin_profile_url,
        created_at: created.to_string(),
        updated_at: updated.to_string(),
    };
    Ok(seeded::prospect_item(&prospect.account_id, &prospect_view))
}

/// A prospect's text fields, checked against their limits, in stored form.
struct ProspectFields {
    name: Option<String>,
    email: Option<String>,
    domain: Option<String>,
    slug: Option<String>,
    phone_number: Option<String>,
    linkedin_profile_url: Option<String>,
}

impl ProspectFields {
    fn check(p: &SeedProspect) -> Result<Self, String> {
        fn each<T, E: std::fmt::Display>(
            field: &str,
            value: &Option<String>,
            parse: impl Fn(&str) -> Result<T, E>,
            stored: impl Fn(T) -> String,
        ) -> Result<Option<String>, String> {
            value
                .as_deref()
                .map(|v| parse(v).map(&stored).map_err(|e| format!("{field} {e}")))
                .transpose()
        }
        Ok(ProspectFields {
            name: each(
                "name",
                &p.name,
                |v| ProspectName::parse(v.to_owned()),
                |v| v.into_string(),
            )?,
            email: each("email", &p.email, EmailAddress::parse, |v| v.as_str().to_owned())?,
            domain: each("domain", &p.domain, DomainName::parse, DomainName::into_string)?,
            slug: each(
                "slug",
                &p.slug,
                |v| Slug::parse(v.to_owned()),
                |v| v.into_string(),
            )?,
            phone_number: each("phone_number", &p.phone_number, PhoneNumber::parse, |v| {
                v.as_str().to_owned()
            })?,
            linkedin_profile_url: each(
                "linkedin_profile_url",
                &p.linkedin_profile_url,
                |v| LinkedinUrl::parse(v.to_owned()),
                |v| v.into_string(),
            )?,
        })
    }
}
