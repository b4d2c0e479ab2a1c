//! This function's section of a seed file (see CONTRIBUTING.md, "Seed files").
//!
//! ```json
//! "update-account-v2": {
//!   "tokens":   [{"token": "demo-token-v2-admin", "role": "admin", "account_ids": ["acc_1234567890"]}],
//!   "accounts": [{"id": "acc_1234567890", "name": "Acme Corporation", "plan": "professional",
//!                 "createdAt": "2023-10-15T10:30:00Z", "updatedAt": "2023-10-20T16:45:00Z",
//!                 "displayName": "Acme Corp", "email": "admin@acme.com", "status": "active",
//!                 "address": {"country": "US"}, "settings": {"timezone": "America/New_York"}}]
//! }
//! ```
//!
//! An account takes every field of the contract's 200 response:
//! - `id`, `name`, `plan` (required), stored as given;
//! - `createdAt`, `updatedAt` (optional): RFC 3339 timestamps, not in the
//!   future, `updatedAt` not before `createdAt`; stored exactly as given
//!   (no reformatting). A missing `createdAt` is `updatedAt` if given, else
//!   the time of seeding; a missing `updatedAt` is `createdAt`;
//! - the updatable fields (`displayName`, `email`, `phone`, `status`,
//!   `address`, `settings`, `metadata`) obey the same rules as a PATCH body
//!   and are stored as a PATCH would store them (phones in E.164);
//!   `displayName` and `email` are required, `status` defaults to `active`.
//!
//! Any other field, or a value that breaks these rules, is a [`SeedError`]
//! naming the account. Email markers are written with the accounts.

use crate::{
    auth::Principal,
    change::Change,
    request::{JsonObjectBody, WireBody},
    store::seeded::{self, SeededAccount},
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    clock::Timestamp,
    seed::{credential_items, defaulted_times},
    store::Item,
};
use std::collections::HashSet;

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

/// A token and the principal it stands for: a `role` (`admin`, `manager`
/// or `readonly`) on the accounts it may access (`account_ids`).
pub type SeedToken = shared::seed::SeedToken<Principal>;

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
    /// Creation time, RFC 3339, kept as given (default: `updatedAt`, else now).
    pub created_at: Option<String>,
    /// Last update time, RFC 3339, kept as given (default: `createdAt`).
    pub updated_at: Option<String>,
    /// The updatable fields, as in a PATCH body.
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
    const CREDENTIALS: &'static str = "tokens";
    /// Every role reaches the token's `account_ids` alone
    /// ([`crate::auth::Principal::check_access`]); roles differ only in
    /// what they may change there.
    const ROLES_WITHIN_IDS: &'static [&'static str] = &["admin", "manager", "readonly"];
    type Error = SeedError;

    /// The items to put, after checking every record.
    fn items(&self) -> Result<Vec<Item>, SeedError> {
        let mut items = credential_items(Self::CREDENTIALS, &self.tokens, |principal| {
            Ok(seeded::token_principal(principal.role, &principal.account_ids))
        })
        .map_err(SeedError)?;
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
            let (created, updated) = timestamps(account, now).map_err(what)?;
            let seeded = SeededAccount {
                id: &account.id,
                name: &account.name,
                plan: &account.plan,
                email: &email,
                created_at: &created,
                updated_at: &updated,
                change: &change,
            };
            let item = seeded.item().map_err(|e| what(e.to_string()))?;
            items.push(seeded.marker());
            items.push(item);
        }
        Ok(items)
    }
}

/// `createdAt` and `updatedAt` as they will be stored: as given when given,
/// after checking that they are RFC 3339, not after `now`, and in order.
fn timestamps(account: &SeedAccount, now: Timestamp) -> Result<(String, String), String> {
    let parse = |name: &str, given: &Option<String>| -> Result<Option<(Timestamp, String)>, String> {
        let Some(text) = given else { return Ok(None) };
        let time = Timestamp::parse(text).ok_or_else(|| {
            format!("{name} {text:?} is not an RFC 3339 timestamp such as 2023-10-15T10:30:00Z")
        })?;
        if time > now {
            return Err(format!("{name} {text:?} is in the future"));
        }
        Ok(Some((time, text.clone())))
    };
    let created = parse("createdAt", &account.created_at)?;
    let updated = parse("updatedAt", &account.updated_at)?;
    let (created, updated) = defaulted_times(created, updated, || (now, now.to_string()));
    if updated.0 < created.0 {
        return Err("updatedAt is before createdAt".to_owned());
    }
    Ok((created.1, updated.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::seed::Section;

    /// The roles within ids are exactly those that reach no account
    /// outside the token's `account_ids`: the smoke test's credential,
    /// whose ids name no data, then reaches none.
    #[test]
    fn the_roles_within_ids_are_those_that_reach_no_other_account() {
        use lambda_http::{Body, Request, RequestExt};
        let req = Request::new(Body::Empty).with_path_parameters(std::collections::HashMap::from([(
            "accountId".to_owned(),
            "acc_other".to_owned(),
        )]));
        let other = crate::request::AccountId::from_path(&req).unwrap();
        for role in ["admin", "manager", "readonly"] {
            let principal: Principal =
                serde_json::from_value(json!({"account_ids": ["acc_own"], "role": role})).unwrap();
            let reaches_other = principal.check_access(&shared::Ctx::detached(), &other).is_ok();
            assert_eq!(Seed::ROLES_WITHIN_IDS.contains(&role), !reaches_other, "{role}");
        }
    }

    fn account_item(account: Value) -> Result<Item, SeedError> {
        let mut account = account;
        let fields = json!({"id": "acc_1", "name": "Acme", "plan": "pro", "displayName": "Acme", "email": "a@acme.com"});
        for (k, v) in fields.as_object().unwrap() {
            account.as_object_mut().unwrap().entry(k).or_insert(v.clone());
        }
        let seed: Seed = serde_json::from_value(json!({"accounts": [account]})).expect("seed shape");
        let items = seed.items()?;
        Ok(items.into_iter().find(|i| i.contains_key("createdAt")).unwrap())
    }

    fn stamps(item: &Item) -> (&str, &str) {
        (
            item["createdAt"].as_s().unwrap(),
            item["updatedAt"].as_s().unwrap(),
        )
    }

    #[test]
    fn timestamps_are_kept_exactly_as_given() {
        let item = account_item(
            json!({"createdAt": "2023-10-15T10:30:00Z", "updatedAt": "2023-10-20T18:45:00+02:00"}),
        )
        .unwrap();
        assert_eq!(
            stamps(&item),
            ("2023-10-15T10:30:00Z", "2023-10-20T18:45:00+02:00")
        );
        let item = account_item(json!({"createdAt": "2023-10-15T10:30:00Z"})).unwrap();
        assert_eq!(stamps(&item), ("2023-10-15T10:30:00Z", "2023-10-15T10:30:00Z"));
        let item = account_item(json!({"updatedAt": "2023-10-20T16:45:00Z"})).unwrap();
        assert_eq!(stamps(&item), ("2023-10-20T16:45:00Z", "2023-10-20T16:45:00Z"));
        let item = account_item(json!({})).unwrap();
        let (created, updated) = stamps(&item);
        assert!(
            Timestamp::parse(created).is_some() && created == updated,
            "{created}"
        );
    }

    #[test]
    fn malformed_future_or_out_of_order_timestamps_are_refused() {
        for (account, expected) in [
            (
                json!({"createdAt": "15/10/2023"}),
                r#"update-account-v2: account acc_1: createdAt "15/10/2023" is not an RFC 3339 timestamp such as 2023-10-15T10:30:00Z"#,
            ),
            (
                json!({"updatedAt": "2023-10-20 16:45"}),
                r#"update-account-v2: account acc_1: updatedAt "2023-10-20 16:45" is not an RFC 3339 timestamp such as 2023-10-15T10:30:00Z"#,
            ),
            (
                json!({"createdAt": "2999-01-01T00:00:00Z"}),
                r#"update-account-v2: account acc_1: createdAt "2999-01-01T00:00:00Z" is in the future"#,
            ),
            (
                json!({"createdAt": "2023-10-20T00:00:00Z", "updatedAt": "2023-10-15T00:00:00Z"}),
                "update-account-v2: account acc_1: updatedAt is before createdAt",
            ),
        ] {
            let error = account_item(account.clone()).unwrap_err();
            assert_eq!(error.to_string(), expected, "{account}");
        }
    }

    #[test]
    fn fields_outside_the_response_shape_are_refused() {
        let error = account_item(json!({"lastLogin": "2023-10-20T16:45:00Z"})).unwrap_err();
        assert!(error.to_string().contains("unknown field `lastLogin`"), "{error}");
    }
}
