//! A credential's item, made by its function's own seed format (its seed
//! section in the registry, `dev/endpoints`) from the principal's fields
//! and the secret's hash only: the item holds exactly the attributes the
//! function reads, and a principal the function would refuse (a role it
//! does not know, a malformed tenant id) is refused here.

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};
use shared::{auth::SecretHash, store::Item};

/// What a credential stands for: what makes its item for a secret's hash.
pub trait Credential {
    /// The item storing the secret whose hash is `hash`.
    fn item(&self, hash: &SecretHash) -> anyhow::Result<Item>;
}

/// The credential item of function `package` for `principal` (one entry of
/// its seed section's credentials list, without the secret) and the
/// secret whose hash is `hash`.
pub fn credential_item(
    package: &str,
    principal: &Map<String, Value>,
    hash: &SecretHash,
) -> anyhow::Result<Item> {
    let function =
        endpoints::function(package).with_context(|| format!("dev/endpoints has no function {package}"))?;
    let mut entry = principal.clone();
    entry.insert("token_sha256".to_owned(), Value::String(hash.as_hex().to_owned()));
    let section = json!({ function.seed.credentials: [entry] });
    let items = (function.seed.items)(&section)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("a credential of {package}"))?;
    match <[Item; 1]>::try_from(items) {
        Ok([item]) => Ok(item),
        Err(items) => bail!("the seed format made {} items for one credential", items.len()),
    }
}
