//! Who a credential stands for, per API, and the item that stores it.
//!
//! The item is made by the API's own seed format (the code that writes the
//! demo and test credentials, which the functions' tests authenticate
//! with), from the secret's hash only: the credential holds exactly the
//! attributes its function reads, and a value the function would refuse (a
//! role it does not know, a malformed tenant id) is refused here.

use anyhow::{Context, bail};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::{auth::SecretHash, seed::Section as _, store::Item};
use update_account_metadata as metadata;
use update_account_v2 as v2;
use update_crm_account as crm;
use update_current_account as current;
use update_tenant_account as tenant;

/// The API a credential is for. Each API keeps its credentials in its own
/// table, so a credential opens exactly one API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Api {
    /// `PATCH /accounts/{accountId}/metadata` (contract 000).
    Metadata,
    /// `PATCH /v0/accounts/{account_id}` (contract 001).
    Tenant,
    /// `PATCH /accounts/{accountId}` and `/clients/{accountId}` (contract 002).
    Crm,
    /// `PATCH /v1/account` and `POST /v1/account/email/confirm` (contract 003).
    V1,
    /// `PATCH /v2/accounts/{accountId}` (contract 004).
    V2,
}

impl Api {
    /// Every API, in contract order.
    pub const ALL: [Api; 5] = [Api::Metadata, Api::Tenant, Api::Crm, Api::V1, Api::V2];

    /// The template logical id of the table holding its credentials.
    pub fn table_logical_id(self) -> &'static str {
        match self {
            Api::Metadata => metadata::TABLE_LOGICAL_ID,
            Api::Tenant => tenant::TABLE_LOGICAL_ID,
            Api::Crm => crm::TABLE_LOGICAL_ID,
            Api::V1 => current::TABLE_LOGICAL_ID,
            Api::V2 => v2::TABLE_LOGICAL_ID,
        }
    }

    /// Its name on the command line (`metadata`, ..., `v2`).
    pub fn name(self) -> &'static str {
        match self {
            Api::Metadata => "metadata",
            Api::Tenant => "tenant",
            Api::Crm => "crm",
            Api::V1 => "v1",
            Api::V2 => "v2",
        }
    }

    /// The API of the functions of the package `package` (as
    /// `catalog::FUNCTIONS` names it); `None` for a package no route reaches
    /// or one not yet given an API here.
    pub fn of_package(package: &str) -> Option<Api> {
        match package {
            "update-account-metadata" => Some(Api::Metadata),
            "update-tenant-account" => Some(Api::Tenant),
            "update-crm-account" => Some(Api::Crm),
            "update-current-account" => Some(Api::V1),
            "update-account-v2" => Some(Api::V2),
            _ => None,
        }
    }

    /// How a caller sends the secret: (header name, value prefix).
    pub fn header(self) -> (&'static str, &'static str) {
        match self {
            Api::Metadata | Api::V1 => ("authorization", "Bearer "),
            Api::Tenant => (tenant::auth::API_KEY_HEADER, ""),
            Api::Crm => (crm::auth::API_KEY_HEADER, ""),
            Api::V2 => (v2::auth::TOKEN_HEADER, ""),
        }
    }
}

/// The scope of the smoke test's credentials: an OU, tenant and account
/// id that no data belongs to, so what they can reach is empty.
pub const SMOKE_SCOPE: &str = "smoke-test";

/// Who a new credential stands for: one kind per API, with what its
/// function reads.
#[derive(Clone, Debug, PartialEq, Eq, clap::Subcommand)]
pub enum Principal {
    /// An `Authorization: Bearer` token of `PATCH /accounts/{accountId}/metadata`,
    /// active in one Organizational Unit.
    Metadata {
        /// The OU whose accounts it may update.
        #[arg(long)]
        ou_id: String,
    },
    /// An `x-api-key` of `PATCH /v0/accounts/{account_id}`, owned by a tenant.
    Tenant {
        /// The tenant whose accounts it may rename.
        #[arg(long)]
        tenant_id: String,
    },
    /// An `x-api-key` of `PATCH /accounts/{accountId}` and `/clients/{accountId}`,
    /// owned by a tenant.
    Crm {
        /// The tenant whose CRM accounts it may update.
        #[arg(long)]
        tenant_id: String,
    },
    /// An `Authorization: Bearer` token of `PATCH /v1/account` (and the email
    /// confirmation), a user's on one account.
    V1 {
        /// The user's account.
        #[arg(long)]
        account_id: String,
        /// `owner` (that account) or `admin` (also others, named in `X-Account-Id`).
        #[arg(long)]
        role: String,
    },
    /// An `X-Auth-Token` of `PATCH /v2/accounts/{accountId}`, with a role on a
    /// set of accounts.
    V2 {
        /// An account it may see (repeat for more).
        #[arg(long = "account-id", required = true)]
        account_ids: Vec<String>,
        /// `admin` (every field), `manager` (all but status) or `readonly`.
        #[arg(long)]
        role: String,
    },
}

impl Principal {
    /// The API the credential opens.
    pub fn api(&self) -> Api {
        match self {
            Principal::Metadata { .. } => Api::Metadata,
            Principal::Tenant { .. } => Api::Tenant,
            Principal::Crm { .. } => Api::Crm,
            Principal::V1 { .. } => Api::V1,
            Principal::V2 { .. } => Api::V2,
        }
    }

    /// The smoke test's principal of `api`: [`SMOKE_SCOPE`] everywhere, with
    /// the role that passes the role checks (so a request reaches its
    /// conditional write, on an account that does not exist).
    pub fn smoke(api: Api) -> Self {
        let scope = SMOKE_SCOPE.to_owned();
        match api {
            Api::Metadata => Principal::Metadata { ou_id: scope },
            Api::Tenant => Principal::Tenant { tenant_id: scope },
            Api::Crm => Principal::Crm { tenant_id: scope },
            Api::V1 => Principal::V1 {
                account_id: scope,
                role: "owner".to_owned(),
            },
            Api::V2 => Principal::V2 {
                account_ids: vec![scope],
                role: "admin".to_owned(),
            },
        }
    }

    /// The credential item of the secret whose hash is `hash`, as the API's
    /// seed format writes it (see the module docs).
    pub fn credential_item(&self, hash: &SecretHash) -> anyhow::Result<Item> {
        let (list, mut entry) = match self {
            Principal::Metadata { ou_id } => ("tokens", json!({"ou_id": ou_id})),
            Principal::Tenant { tenant_id } | Principal::Crm { tenant_id } => {
                ("api_keys", json!({"tenant_id": tenant_id}))
            }
            Principal::V1 { account_id, role } => ("tokens", json!({"account_id": account_id, "role": role})),
            Principal::V2 { account_ids, role } => {
                ("tokens", json!({"account_ids": account_ids, "role": role}))
            }
        };
        entry["token_sha256"] = Value::String(hash.as_hex().to_owned());
        let section = json!({ list: [entry] });
        let items = match self.api() {
            Api::Metadata => items_of(section, metadata::seed::Seed::items),
            Api::Tenant => items_of(section, tenant::seed::Seed::items),
            Api::Crm => items_of(section, crm::seed::Seed::items),
            Api::V1 => items_of(section, current::seed::Seed::items),
            Api::V2 => items_of(section, v2::seed::Seed::items),
        }
        .with_context(|| format!("a {} credential", self.api().name()))?;
        match <[Item; 1]>::try_from(items) {
            Ok([item]) => Ok(item),
            Err(items) => bail!("the seed format made {} items for one credential", items.len()),
        }
    }
}

/// The items of a seed section given as JSON, parsed as `S`.
fn items_of<S: DeserializeOwned, E: std::fmt::Display>(
    section: Value,
    items: fn(&S) -> Result<Vec<Item>, E>,
) -> anyhow::Result<Vec<Item>> {
    let section: S = serde_json::from_value(section)?;
    items(&section).map_err(|e| anyhow::anyhow!("{e}"))
}
