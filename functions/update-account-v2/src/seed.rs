//! This function's section of a seed file (see README, "Seed files").
//!
//! ```json
//! "update-account-v2": {
//!   "tokens":   [{"token": "demo-token-v2-admin", "role": "admin", "account_ids": ["acc_1234567890"]}],
//!   "accounts": [{"id": "acc_1234567890", "name": "Acme Corporation", "plan": "professional",
//!                 "createdAt": "2023-10-15T10:30:00Z",
//!                 "displayName": "Acme Corp", "email": "admin@acme.com", "status": "active",
//!                 "address": {"country": "US"}, "settings": {"timezone": "America/New_York"}}]
//! }
//! ```
//!
//! Besides `id`, `name`, `plan` and `createdAt`, an account's fields obey
//! the same rules as a PATCH body; `displayName` and `email` are required.
//! Email markers are written with the accounts.

use crate::{
    account::{MARKER_OWNER, account_key, email_key},
    change::{Change, WireBody},
    principal::Role,
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    auth::SeedSecret,
    clock::Timestamp,
    store::{Item, merge},
};
use std::collections::HashSet;

/// The name of this function's section in a seed file.
pub const SEED_SECTION: &str = "update-account-v2";

/// This function's seed data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Tokens.
    #[serde(default)]
    pub tokens: Vec<SeedToken>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
}

/// A token with a role on some accounts.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedToken {
    /// The token, or its hash.
    #[serde(flatten)]
    pub secret: SeedSecret,
    /// `admin`, `manager` or `readonly`.
    pub role: Role,
    /// The accounts it may access.
    pub account_ids: Vec<String>,
}

/// An account.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedAccount {
    /// Id.
    pub id: String,
    /// Original name.
    pub name: String,
    /// Plan.
    pub plan: String,
    /// Creation time (default: now).
    pub created_at: Option<String>,
    /// The updatable fields, as in a PATCH body.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// Seed data that breaks the endpoint's rules.
#[derive(Debug, thiserror::Error)]
#[error("{SEED_SECTION}: {0}")]
pub struct SeedError(String);

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

impl Seed {
    /// The items to put, after checking every record.
    pub fn items(&self) -> Result<Vec<Item>, SeedError> {
        let mut items = Vec::new();
        for (i, token) in self.tokens.iter().enumerate() {
            let role = match token.role {
                Role::Admin => "admin",
                Role::Manager => "manager",
                Role::Readonly => "readonly",
            };
            let accounts = AttributeValue::L(token.account_ids.iter().map(|a| s(a)).collect());
            let principal = Item::from([("role".to_owned(), s(role)), ("account_ids".to_owned(), accounts)]);
            items.push(
                token
                    .secret
                    .credential(&format!("tokens[{i}]"), principal)
                    .map_err(SeedError)?,
            );
        }
        let mut emails = HashSet::new();
        let now = Timestamp::now();
        for account in &self.accounts {
            let what = |m: String| SeedError(format!("account {}: {m}", account.id));
            for required in ["displayName", "email"] {
                if !account.fields.contains_key(required) {
                    return Err(what(format!("{required} is required")));
                }
            }
            let body = lambda_http::Body::from(Value::Object(account.fields.clone()).to_string());
            let change = WireBody::parse(&body)
                .and_then(Change::validate)
                .map_err(|e| what(e.to_string()))?;
            let email = change
                .email
                .clone()
                .ok_or_else(|| what("email is required".to_owned()))?;
            if !emails.insert(email.normalized().to_owned()) {
                return Err(what(format!("email {} is used twice", email.as_str())));
            }
            let created = account
                .created_at
                .as_deref()
                .map(|t| Timestamp::parse(t).ok_or_else(|| what("createdAt is not RFC 3339".to_owned())))
                .transpose()?
                .unwrap_or(now)
                .to_string();
            let mut item = account_key(&account.id).into_item_with(Item::from([
                ("id".to_owned(), s(&account.id)),
                ("name".to_owned(), s(&account.name)),
                ("plan".to_owned(), s(&account.plan)),
                ("email".to_owned(), s(email.as_str())),
                ("status".to_owned(), s("active")),
                ("phone".to_owned(), AttributeValue::Null(true)),
                ("createdAt".to_owned(), s(&created)),
                ("updatedAt".to_owned(), s(&created)),
                ("version".to_owned(), AttributeValue::N("0".to_owned())),
            ]));
            for (name, value) in change.assignments {
                item.insert(name.to_owned(), value);
            }
            for (attr, merge_) in [
                ("address", &change.address),
                ("settings", &change.settings),
                ("metadata", &change.metadata),
            ] {
                item.insert(
                    attr.to_owned(),
                    AttributeValue::M(merge::merged(&Item::new(), attr, merge_)),
                );
            }
            items.push(
                email_key(email.normalized())
                    .into_item_with(Item::from([(MARKER_OWNER.to_owned(), s(&account.id))])),
            );
            items.push(item);
        }
        Ok(items)
    }
}
