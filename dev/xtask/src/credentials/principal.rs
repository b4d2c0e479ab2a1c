//! Which API a credential is for and who it stands for. Its item is made
//! by the API's own seed format ([`super::item`]: the code that writes the
//! demo and test credentials, which the functions' tests authenticate
//! with), from the secret's hash only: the credential holds exactly the
//! attributes its function reads, and a value the function would refuse (a
//! role it does not know, a malformed tenant id) is refused here.

use super::item::{Credential, credential_item};
use serde_json::{Map, Value, json};
use shared::{auth::SecretHash, store::Item};

/// The API a credential is for: a function with routes (`dev/endpoints`),
/// named on the command line by its package or, for the five contracts'
/// APIs, by a short name ([`SHORT_NAMES`]). Each keeps its credentials in
/// its own table, so a credential opens exactly one API.
#[derive(Clone, Copy)]
pub struct Api(&'static endpoints::Function);

/// The short names of the contracts' APIs, by package.
pub const SHORT_NAMES: [(&str, &str); 5] = [
    ("metadata", "update-account-metadata"),
    ("tenant", "update-tenant-account"),
    ("crm", "update-crm-account"),
    ("v1", "update-current-account"),
    ("v2", "update-account-v2"),
];

impl Api {
    /// Every API, in the registry's order.
    pub fn all() -> Vec<Api> {
        endpoints::FUNCTIONS.iter().map(Api).collect()
    }

    /// The API named `name` (a short name or a package).
    pub fn parse(name: &str) -> Result<Api, String> {
        let package = SHORT_NAMES
            .iter()
            .find(|(short, _)| *short == name)
            .map_or(name, |(_, package)| package);
        endpoints::function(package).map(Api).ok_or_else(|| {
            let names: Vec<String> = Api::all()
                .iter()
                .map(|a| match a.name() == a.package() {
                    true => a.package().to_owned(),
                    false => format!("{} ({})", a.name(), a.package()),
                })
                .collect();
            format!("no API {name}; the APIs: {}", names.join(", "))
        })
    }

    /// The API named `package` (or a short name).
    ///
    /// # Panics
    /// When the registry has no function `package`.
    pub fn of(package: &str) -> Api {
        Api::parse(package).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The package of the function whose credentials it opens (its seed
    /// section makes the credential items).
    pub fn package(self) -> &'static str {
        self.0.seed.name
    }

    /// The template logical id of the table holding its credentials.
    pub fn table_logical_id(self) -> &'static str {
        self.0.seed.table
    }

    /// Its name on the command line: its short name, else its package.
    pub fn name(self) -> &'static str {
        SHORT_NAMES
            .iter()
            .find(|(_, package)| *package == self.package())
            .map_or(self.package(), |(short, _)| short)
    }
}

impl PartialEq for Api {
    fn eq(&self, other: &Self) -> bool {
        self.package() == other.package()
    }
}

impl Eq for Api {}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Api({})", self.name())
    }
}

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
    /// A credential of any API, its principal given as the fields of one
    /// entry of its function's seed section's credentials list (the
    /// function's `seed.rs`; the secret left out), checked by that seed
    /// format: `fields update-account-v2 --principal
    /// '{"role":"admin","account_ids":["acc_1"]}'`.
    Fields {
        /// The API: its function's package, or a short name.
        #[arg(value_parser = Api::parse)]
        api: Api,
        /// The principal's fields, a JSON object.
        #[arg(long, value_parser = json_object)]
        principal: Map<String, Value>,
    },
}

/// A JSON object given on the command line.
fn json_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str(text).map_err(|e| e.to_string())? {
        Value::Object(fields) => Ok(fields),
        _ => Err("not a JSON object".to_owned()),
    }
}

impl Principal {
    /// The API the credential opens.
    pub fn api(&self) -> Api {
        match self {
            Principal::Metadata { .. } => Api::of("metadata"),
            Principal::Tenant { .. } => Api::of("tenant"),
            Principal::Crm { .. } => Api::of("crm"),
            Principal::V1 { .. } => Api::of("v1"),
            Principal::V2 { .. } => Api::of("v2"),
            Principal::Fields { api, .. } => *api,
        }
    }

    /// Its fields, as one entry of its function's credentials list holds
    /// them (without the secret).
    pub fn fields(&self) -> Map<String, Value> {
        let fields = match self {
            Principal::Metadata { ou_id } => json!({"ou_id": ou_id}),
            Principal::Tenant { tenant_id } | Principal::Crm { tenant_id } => json!({"tenant_id": tenant_id}),
            Principal::V1 { account_id, role } => json!({"account_id": account_id, "role": role}),
            Principal::V2 { account_ids, role } => json!({"account_ids": account_ids, "role": role}),
            Principal::Fields { principal, .. } => return principal.clone(),
        };
        match fields {
            Value::Object(fields) => fields,
            _ => unreachable!("an object"),
        }
    }
}

impl Credential for Principal {
    fn item(&self, hash: &SecretHash) -> anyhow::Result<Item> {
        credential_item(self.api().package(), &self.fields(), hash)
    }
}
