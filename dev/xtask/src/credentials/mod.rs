//! `cargo xtask credentials`: an operator's command to create, list and
//! revoke the API keys and tokens the functions read, in a local DynamoDB
//! or a deployed stack's tables.
//!
//! A secret is printed once, on stdout, and stored nowhere: its table
//! holds only its SHA-256, in the item its function reads
//! ([`item`]). Everything else the command says goes to stderr, so
//! `secret=$(cargo xtask credentials create ...)` captures only the
//! secret. Nothing logs a secret.

pub mod item;
pub mod principal;
pub mod store;
pub mod target;

#[cfg(test)]
mod tests;

pub use principal::{Api, Principal};
pub use target::{Tables, Target};

/// What to do with credentials.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create a credential and print its secret (once).
    Create {
        /// Who it stands for (the kind decides the API it opens).
        #[command(subcommand)]
        principal: Principal,
        #[command(flatten)]
        target: Target,
    },
    /// List the credentials of an API (every API when none is given): id
    /// and principal, never a secret.
    List {
        /// The API: its function's package, or a short name (`metadata`,
        /// `tenant`, `crm`, `v1`, `v2`).
        #[arg(value_parser = Api::parse)]
        api: Option<Api>,
        #[command(flatten)]
        target: Target,
    },
    /// Revoke (delete) a credential by the id `list` shows.
    Revoke {
        /// The API: its function's package, or a short name.
        #[arg(value_parser = Api::parse)]
        api: Api,
        /// The credential's id (or a longer prefix of its hash).
        id: String,
        #[command(flatten)]
        target: Target,
    },
    /// Create one credential per function with routes for the smoke test,
    /// scoped to an OU, tenant and account that hold no data (revoking the
    /// smoke credentials made before), and print them as shell `export`
    /// lines for `cargo xtask smoke`:
    /// `eval "$(cargo xtask credentials smoke ...)"`.
    Smoke {
        #[command(flatten)]
        target: Target,
    },
}

/// Runs `action`.
pub async fn run(action: Action) -> anyhow::Result<()> {
    match action {
        Action::Create { principal, target } => {
            let tables = Tables::connect(&target).await?;
            let api = principal.api();
            let table = tables.name(api)?;
            // Only a hint: read before the credential exists, and never a
            // reason to withhold a secret already stored.
            let sent = crate::smoke::credentials()
                .ok()
                .and_then(|all| all.into_iter().find(|c| c.package == api.package()))
                .map_or_else(
                    || "as its events send their credential".to_owned(),
                    |c| format!("{}: {}<secret>", c.header, c.prefix),
                );
            let created = store::create(tables.client(), &table, &principal).await?;
            eprintln!(
                "==> created {} credential {} in table {table}; its secret follows, shown this once \
                 (send it as `{sent}`)",
                api.name(),
                created.id
            );
            println!("{}", created.secret);
        }
        Action::List { api, target } => {
            let tables = Tables::connect(&target).await?;
            for api in api.map_or_else(Api::all, |api| vec![api]) {
                let table = tables.name(api)?;
                let listed = store::list(tables.client(), &table).await?;
                println!("{} ({table}): {} credentials", api.name(), listed.len());
                for credential in listed {
                    println!("  {credential}");
                }
            }
        }
        Action::Revoke { api, id, target } => {
            let tables = Tables::connect(&target).await?;
            let table = tables.name(api)?;
            let revoked = store::revoke(tables.client(), &table, &id).await?;
            println!(
                "revoked {} credential {revoked} in table {table}; a deployed function may accept it \
                 for up to CredentialCacheTtlSeconds more where it read it recently",
                api.name()
            );
        }
        Action::Smoke { target } => {
            let tables = Tables::connect(&target).await?;
            for credential in crate::smoke::credentials()? {
                let table = tables.table(credential.table)?;
                let replaced = store::revoke_all_of(tables.client(), &table, &credential).await?;
                let created = store::create(tables.client(), &table, &credential).await?;
                let replaced = match replaced.as_slice() {
                    [] => String::new(),
                    ids => format!(" (revoked the earlier {})", ids.join(", ")),
                };
                eprintln!(
                    "==> created {} smoke credential {} in table {table}{replaced}",
                    credential.package, created.id
                );
                println!("export {}={}", credential.secret_var(), created.secret);
            }
        }
    }
    Ok(())
}
