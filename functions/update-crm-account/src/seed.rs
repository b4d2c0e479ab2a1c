//! This function's section of a seed file (see CONTRIBUTING.md, "Seed files").
//!
//! ```json
//! "update-crm-account": {
//!   "api_keys":      [{"token": "demo-key-crm-a", "tenant_id": "crm_a"}],
//!   "custom_fields": [{"tenant_id": "crm_a", "key": "region", "type": "dropdown", "options": ["north", "south"]}],
//!   "accounts":      [{"tenant_id": "crm_a", "id": 1001, "number": 1234, "title": "Acme HQ",
//!                      "primaryEmail": "ops@acme.example", "custom": {"region": "north"}}]
//! }
//! ```
//!
//! An account's fields other than `tenant_id` are the contract's response
//! fields (camelCase): `id`, `createdAt`, `updatedAt`, `title`,
//! `description`, `address`, `isActive`, `primaryEmail`, `primaryPhone`,
//! `number`, `custom`, `accountType`, `contacts`. They obey the same rules as
//! a PATCH body and are stored as a PATCH would store them (phones in E.164);
//! `title` and `number` are required, `isActive` defaults to true, lists to
//! empty, the rest to null. `createdAt` and `updatedAt` must be RFC 3339
//! date-times and are kept exactly as given; a missing one takes the other's
//! value, and both missing are the time of seeding; `updatedAt` earlier than
//! `createdAt` is refused.
//!
//! `custom` values are checked against the tenant's field definitions: with
//! [`Seed::items_in`] (what `cargo xtask` and the tests use) those already
//! stored in the target table plus this section's own, so a later seed file
//! can add accounts that use fields an earlier file defined; with
//! [`Seed::items`], this section's only. A value no definition allows
//! refuses the whole section with an error naming the account.
//!
//! Number claims are written with the accounts; two accounts of a tenant
//! with one number in one section are refused.

use crate::{
    change::{Change, custom},
    request::{AccountId, JsonObjectBody, WireBody},
    store::{
        definition::{self, FieldDef, FieldType},
        seeded,
    },
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    clock::Timestamp,
    seed::{credential_items, defaulted_times},
    store::{Item, Table},
};
use std::collections::{HashMap, HashSet};

/// This function's seed data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// API keys and the tenant each belongs to.
    #[serde(default)]
    pub api_keys: Vec<SeedKey>,
    /// Custom field definitions.
    #[serde(default)]
    pub custom_fields: Vec<SeedField>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
}

/// An API key and the principal it stands for.
pub type SeedKey = shared::seed::SeedToken<KeyPrincipal>;

/// The principal an API key stands for, as a seed file gives it: its
/// tenant. (Not [`crate::auth::Principal`], which only authentication
/// makes.)
#[derive(Debug, Clone, Deserialize)]
pub struct KeyPrincipal {
    /// The tenant.
    pub tenant_id: String,
}

/// A custom field definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedField {
    /// The tenant.
    pub tenant_id: String,
    /// The key in `custom`.
    pub key: String,
    /// `text`, `number`, `boolean`, `date`, `dropdown` or `multiselect`.
    #[serde(rename = "type")]
    pub field_type: String,
    /// Options (dropdown, multiselect).
    #[serde(default)]
    pub options: Vec<String>,
}

/// An account: `tenant_id`, `id`, and contract fields.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedAccount {
    /// The tenant.
    pub tenant_id: String,
    /// Account id (positive).
    pub id: i64,
    /// The contract's response fields, as in a PATCH body, plus
    /// `createdAt` / `updatedAt` (RFC 3339, kept as given).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// Seed data that breaks the endpoint's rules.
#[derive(Debug, thiserror::Error)]
#[error("{section}: {0}", section = <Seed as shared::seed::Section>::NAME)]
pub struct SeedError(String);

impl shared::seed::Section for Seed {
    const NAME: &'static str = env!("CARGO_PKG_NAME");
    const TABLE: &'static str = crate::TABLE_LOGICAL_ID;
    const CREDENTIALS: &'static str = "api_keys";
    type Error = SeedError;

    /// The items to put, after checking every record; accounts' custom
    /// values are checked against the definitions of this section only (for
    /// an empty table). See [`Seed::items_in`] for a table that may
    /// already hold definitions.
    fn items(&self) -> Result<Vec<Item>, SeedError> {
        self.items_against(HashMap::new())
    }

    /// The items to put into `table`, after checking every record; accounts'
    /// custom values are checked against the definitions already stored in
    /// `table` for their tenant, overlaid with this section's own (which
    /// replace stored ones of the same key when put). One Query per tenant
    /// with accounts in this section.
    async fn items_in(&self, table: &Table) -> Result<Vec<Item>, SeedError> {
        let mut stored = HashMap::new();
        for account in &self.accounts {
            if stored.contains_key(account.tenant_id.as_str()) {
                continue;
            }
            let defs = definition::load(table, &account.tenant_id).await.map_err(|e| {
                SeedError(format!(
                    "reading the custom field definitions of {} in {}: {e}",
                    account.tenant_id,
                    table.name()
                ))
            })?;
            stored.insert(account.tenant_id.as_str(), defs);
        }
        self.items_against(stored)
    }
}

impl Seed {
    /// The items, with accounts checked against `defs` (by tenant) plus this
    /// section's definitions.
    fn items_against<'a>(
        &'a self,
        mut defs: HashMap<&'a str, HashMap<String, FieldDef>>,
    ) -> Result<Vec<Item>, SeedError> {
        let mut items = credential_items(
            <Self as shared::seed::Section>::CREDENTIALS,
            &self.api_keys,
            |principal| Ok(seeded::key_principal(&principal.tenant_id)),
        )
        .map_err(SeedError)?;
        for field in &self.custom_fields {
            let field_type = FieldType::parse(&field.field_type).ok_or_else(|| {
                SeedError(format!(
                    "custom field {}: unknown type {:?}",
                    field.key, field.field_type
                ))
            })?;
            items.push(definition::definition_item(
                &field.tenant_id,
                &field.key,
                &field.field_type,
                &field.options,
            ));
            defs.entry(&field.tenant_id).or_default().insert(
                field.key.clone(),
                FieldDef::new(&field.key, field_type, field.options.clone()),
            );
        }
        let mut numbers = HashSet::new();
        let now = Timestamp::now();
        for account in &self.accounts {
            let what = format!("account {} of {}", account.id, account.tenant_id);
            let (item, id, number) = account_item(account, defs.get(account.tenant_id.as_str()), now)
                .map_err(|e| SeedError(format!("{what}: {e}")))?;
            if !numbers.insert((account.tenant_id.clone(), number)) {
                return Err(SeedError(format!("{what}: number {number} is used twice")));
            }
            items.push(seeded::number_claim(&account.tenant_id, number, id));
            items.push(item);
        }
        Ok(items)
    }
}

/// The seed's creation time field (the contract's name).
const CREATED_AT: &str = "createdAt";
/// The seed's last update time field (the contract's name).
const UPDATED_AT: &str = "updatedAt";

/// `createdAt` and `updatedAt` of a seeded account: RFC 3339 date-times,
/// kept exactly as given. A missing one takes the other's value, both
/// missing are now; `updatedAt` earlier than `createdAt` is refused.
fn timestamps(fields: &mut Map<String, Value>, now: Timestamp) -> Result<(String, String), String> {
    let mut take = |name: &str| match fields.remove(name) {
        None => Ok(None),
        Some(Value::String(text)) => match Timestamp::parse(&text) {
            Some(at) => Ok(Some((text, at))),
            None => Err(format!(
                "{name} must be an RFC 3339 date-time such as 2024-01-15T09:30:00Z, not {text:?}"
            )),
        },
        Some(other) => Err(format!(
            "{name} must be an RFC 3339 date-time string, not {other}"
        )),
    };
    let created = take(CREATED_AT)?;
    let updated = take(UPDATED_AT)?;
    let ((created, created_at), (updated, updated_at)) =
        defaulted_times(created, updated, || (now.to_string(), now));
    if updated_at < created_at {
        return Err(format!("{UPDATED_AT} is earlier than {CREATED_AT}"));
    }
    Ok((created, updated))
}

/// A seeded account's item, its id and its number: the fields checked as
/// a PATCH body, the custom values against `defs`.
fn account_item(
    account: &SeedAccount,
    defs: Option<&HashMap<String, FieldDef>>,
    now: Timestamp,
) -> Result<(Item, AccountId, i64), String> {
    let refused = |e: crate::error::ApiError| e.envelope().message;
    let id = AccountId::parse(Some(&account.id.to_string())).map_err(refused)?;
    for required in ["title", "number"] {
        if !account.fields.contains_key(required) {
            return Err(format!("{required} is required"));
        }
    }
    let mut fields = account.fields.clone();
    let (created_at, updated_at) = timestamps(&mut fields, now)?;
    let body = Value::Object(fields).to_string();
    let wire = WireBody::parse(&lambda_http::Body::from(body)).map_err(refused)?;
    let change = Change::validate(wire, id).map_err(refused)?;
    let custom = custom::plan(&defs.cloned().unwrap_or_default(), &change.custom, false).map_err(refused)?;
    let item = seeded::account_item(
        &account.tenant_id,
        id,
        created_at,
        updated_at,
        &change,
        custom.merge.set,
    );
    Ok((item, id, change.number.unwrap_or_default()))
}
