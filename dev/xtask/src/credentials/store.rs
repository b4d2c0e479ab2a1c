//! Creating, listing and revoking credential items in one table.
//!
//! A credential is known by its id: the first hex digits of its secret's
//! SHA-256, exactly the prefix the functions' logs print for it
//! (`credential=ab12cd34…`), so a log line and a listed credential can be
//! matched. The id is all that is shown of the hash: with a secret of 244
//! random bits, 32 bits of its hash help nobody find it.

use super::item::Credential;
use anyhow::{Context, bail};
use aws_sdk_dynamodb::{Client, types::AttributeValue};
use shared::{
    auth::{CREDENTIAL_PK_PREFIX, SecretHash, credential_key, generate_secret},
    store::Item,
};
use std::collections::BTreeMap;

/// A credential just created: the secret, which exists nowhere else (only
/// its hash was stored), and its id.
pub struct Created {
    /// The secret to hand to the caller, once.
    pub secret: String,
    /// The id `list` shows and `revoke` takes.
    pub id: String,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Created {{ id: {}, secret: <redacted> }}", self.id)
    }
}

/// A stored credential as `list` shows it: its id and the principal's
/// attributes, never the secret or the whole hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The id (see the module docs).
    pub id: String,
    /// The principal's attributes (`ou_id`, `role`, ...), values as text.
    pub principal: BTreeMap<String, String>,
}

impl std::fmt::Display for Listed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id)?;
        for (name, value) in &self.principal {
            write!(f, "  {name}={value}")?;
        }
        Ok(())
    }
}

/// The id of the credential stored under `hash`: the prefix logs print.
pub fn id_of(hash: &SecretHash) -> String {
    hash.to_string().trim_end_matches('…').to_owned()
}

/// Creates a credential for `principal` in `table`: a new secret, only its
/// hash stored, never over an existing item.
pub async fn create(client: &Client, table: &str, principal: &impl Credential) -> anyhow::Result<Created> {
    let secret = generate_secret();
    let hash = SecretHash::of(&secret);
    let item = principal.item(&hash)?;
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .with_context(|| format!("cannot write the credential to table {table}"))?;
    Ok(Created {
        secret,
        id: id_of(&hash),
    })
}

/// Every credential of `table`, by id. A scan of the whole table (an
/// operator's occasional command: it reads every item once).
pub async fn list(client: &Client, table: &str) -> anyhow::Result<Vec<Listed>> {
    let mut listed: Vec<Listed> = credential_items(client, table, "")
        .await?
        .into_iter()
        .filter_map(|item| listed(&item))
        .collect();
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(listed)
}

/// Deletes the one credential of `table` whose id starts with `id`; an
/// error when none or several do (then give more digits). Returns the id.
pub async fn revoke(client: &Client, table: &str, id: &str) -> anyhow::Result<String> {
    let prefix = id.trim().trim_end_matches('…').to_ascii_lowercase();
    if prefix.len() < MIN_ID_DIGITS || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("a credential id is at least {MIN_ID_DIGITS} hex digits, as `list` shows it");
    }
    let found = credential_items(client, table, &prefix).await?;
    let hash = match found.as_slice() {
        [item] => item_hash(item).context("malformed credential item")?,
        [] => bail!("no credential {prefix} in table {table}"),
        _ => bail!(
            "{} credentials start with {prefix}; give more digits",
            found.len()
        ),
    };
    delete(client, table, &hash).await?;
    Ok(id_of(&hash))
}

/// Revokes every credential of `table` that stands for exactly `principal`
/// (its item is the one `principal` would make); returns their ids.
pub async fn revoke_all_of(
    client: &Client,
    table: &str,
    principal: &impl Credential,
) -> anyhow::Result<Vec<String>> {
    let mut revoked = Vec::new();
    for item in credential_items(client, table, "").await? {
        let Some(hash) = item_hash(&item) else { continue };
        if principal.item(&hash)? == item {
            delete(client, table, &hash).await?;
            revoked.push(id_of(&hash));
        }
    }
    Ok(revoked)
}

/// Deletes the credential stored under `hash`, which must exist.
async fn delete(client: &Client, table: &str, hash: &SecretHash) -> anyhow::Result<()> {
    let key = credential_key(hash);
    client
        .delete_item()
        .table_name(table)
        .key("pk", AttributeValue::S(key.pk))
        .key("sk", AttributeValue::S(key.sk))
        .condition_expression("attribute_exists(pk)")
        .send()
        .await
        .with_context(|| format!("cannot delete credential {} from table {table}", id_of(hash)))?;
    Ok(())
}

/// The fewest hex digits `revoke` takes: the id's length.
const MIN_ID_DIGITS: usize = 8;

/// The credential items of `table` whose hash starts with `hash_prefix`.
async fn credential_items(client: &Client, table: &str, hash_prefix: &str) -> anyhow::Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .filter_expression("begins_with(pk, :prefix)")
            .expression_attribute_values(
                ":prefix",
                AttributeValue::S(format!("{CREDENTIAL_PK_PREFIX}{hash_prefix}")),
            )
            .set_exclusive_start_key(start)
            .send()
            .await
            .with_context(|| format!("cannot scan table {table}"))?;
        items.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(items),
        }
    }
}

/// The hash a credential item is stored under.
fn item_hash(item: &Item) -> Option<SecretHash> {
    let pk = item.get("pk")?.as_s().ok()?;
    SecretHash::from_hex(pk.strip_prefix(CREDENTIAL_PK_PREFIX)?)
}

/// What `list` shows of a credential item (`None` for an item that is not one).
fn listed(item: &Item) -> Option<Listed> {
    let id = id_of(&item_hash(item)?);
    let principal = item
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "pk" | "sk"))
        .map(|(name, value)| (name.clone(), text(value)))
        .collect();
    Some(Listed { id, principal })
}

/// An attribute value as text: strings and numbers as they are, lists
/// joined with commas.
fn text(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.clone(),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::L(list) => list.iter().map(text).collect::<Vec<_>>().join(","),
        AttributeValue::Ss(list) => list.join(","),
        other => format!("{other:?}"),
    }
}
