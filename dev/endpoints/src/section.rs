//! One function's section of a seed file, as the seed loader uses it.

use serde_json::Value;
use shared::seed::Section;
use shared::store::{Item, Table};
use std::future::Future;
use std::pin::Pin;

/// Items, or why a section's records were refused.
pub type Items = Result<Vec<Item>, String>;

/// [`Items`] once the table was read.
pub type ItemsIn<'a> = Pin<Box<dyn Future<Output = Items> + Send + 'a>>;

/// A function's section of a seed file (`shared::seed::Section`).
pub struct SeedSection {
    /// Its name in a seed file: the function's package.
    pub name: &'static str,
    /// The logical id of the table its items go to.
    pub table: &'static str,
    /// Its list of credentials (`shared::seed::Section::CREDENTIALS`).
    pub credentials: &'static str,
    /// The roles whose reach is the credential's own ids
    /// (`shared::seed::Section::ROLES_WITHIN_IDS`).
    pub roles_within_ids: &'static [&'static str],
    /// The items of the section's JSON, checked against it alone.
    pub items: fn(&Value) -> Items,
    /// The items of the section's JSON, checked against what the table
    /// already holds.
    pub items_in: for<'a> fn(&'a Value, &'a Table) -> ItemsIn<'a>,
}

/// The section of type `S`.
pub(crate) const fn section<S: Section + 'static>() -> SeedSection {
    SeedSection {
        name: S::NAME,
        table: S::TABLE,
        credentials: S::CREDENTIALS,
        roles_within_ids: S::ROLES_WITHIN_IDS,
        items: items_of::<S>,
        items_in: items_in_of::<S>,
    }
}

/// The section's records, or why they are not `S`'s.
fn parse<S: Section>(json: &Value) -> Result<S, String> {
    serde_json::from_value(json.clone()).map_err(|e| format!("section {}: {e}", S::NAME))
}

fn items_of<S: Section>(json: &Value) -> Items {
    parse::<S>(json)?.items().map_err(|e| e.to_string())
}

fn items_in_of<'a, S: Section + 'static>(json: &'a Value, table: &'a Table) -> ItemsIn<'a> {
    Box::pin(async move { parse::<S>(json)?.items_in(table).await.map_err(|e| e.to_string()) })
}
