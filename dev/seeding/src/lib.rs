//! Which function turns which section of a seed file into which table's
//! items: the one place the five functions' seed formats meet.
//!
//! Used by the dev tooling (`cargo xtask dev`, `seed`, `load`) and by the
//! release-built bench driver (`cargo perf`), so it links no emulator.

use aws_sdk_dynamodb::Client;
use fixtures::seed::SeedFile;
use serde::de::DeserializeOwned;
use shared::store::{Item, Table};
use update_account_metadata as metadata;
use update_account_v2 as v2;
use update_crm_account as crm;
use update_current_account as current;
use update_tenant_account as tenant;

/// Writes every section of `file` into the database behind `client`, each
/// table named `{prefix}{logical id}` (see [`seed_items_in`] for how the
/// items are made and checked); returns how many items it wrote.
pub async fn seed_into(file: &SeedFile, client: &Client, prefix: &str) -> Result<usize, String> {
    let mut total = 0;
    for (table, items) in seed_items_in(file, client, prefix).await? {
        total += items.len();
        fixtures::seed::put_items(client, &format!("{prefix}{table}"), items).await?;
    }
    Ok(total)
}

/// The items of every section of a seed file, with the table (logical id)
/// each goes to, for the database behind `client` whose tables are named
/// `{prefix}{logical id}` (`cargo xtask dev`: no prefix). A section no
/// function knows is an error; sections that depend on data already stored
/// read it there: the crm accounts are checked against the custom field
/// definitions already in its table plus those of the file, so a later
/// seed file can add accounts using fields an earlier one defined.
pub async fn seed_items_in(
    file: &SeedFile,
    client: &Client,
    prefix: &str,
) -> Result<Vec<(&'static str, Vec<Item>)>, String> {
    check_sections(file)?;
    let crm_items = match file.section::<crm::seed::Seed>(crm::seed::SEED_SECTION)? {
        Some(section) => {
            let table = Table::new(client.clone(), format!("{prefix}{}", crm::TABLE_LOGICAL_ID));
            Some(section.items_with(&table).await.map_err(|e| e.to_string())?)
        }
        None => None,
    };
    items_of(file, crm_items)
}

/// The items of every section of a seed file, with the table (logical id)
/// each goes to. A section no function knows is an error. Each section is
/// checked on its own: the crm accounts against the custom field
/// definitions of the same file only. To seed a database that may already
/// hold data, use [`seed_items_in`].
pub fn seed_items(file: &SeedFile) -> Result<Vec<(&'static str, Vec<Item>)>, String> {
    check_sections(file)?;
    let crm_items = file
        .section::<crm::seed::Seed>(crm::seed::SEED_SECTION)?
        .map(|section| section.items().map_err(|e| e.to_string()))
        .transpose()?;
    items_of(file, crm_items)
}

/// Refuses a section no function knows.
fn check_sections(file: &SeedFile) -> Result<(), String> {
    let known = [
        metadata::seed::SEED_SECTION,
        tenant::seed::SEED_SECTION,
        crm::seed::SEED_SECTION,
        current::seed::SEED_SECTION,
        v2::seed::SEED_SECTION,
    ];
    match file.section_names().find(|n| !known.contains(n)) {
        Some(unknown) => Err(format!("unknown seed section {unknown:?}; known: {known:?}")),
        None => Ok(()),
    }
}

/// Every section's items, the crm section's as already checked.
fn items_of(file: &SeedFile, crm_items: Option<Vec<Item>>) -> Result<Vec<(&'static str, Vec<Item>)>, String> {
    let mut out = Vec::new();
    load(
        file,
        metadata::seed::SEED_SECTION,
        metadata::TABLE_LOGICAL_ID,
        metadata::seed::Seed::items,
        &mut out,
    )?;
    load(
        file,
        tenant::seed::SEED_SECTION,
        tenant::TABLE_LOGICAL_ID,
        tenant::seed::Seed::items,
        &mut out,
    )?;
    if let Some(items) = crm_items {
        out.push((crm::TABLE_LOGICAL_ID, items));
    }
    load(
        file,
        current::seed::SEED_SECTION,
        current::TABLE_LOGICAL_ID,
        current::seed::Seed::items,
        &mut out,
    )?;
    load(
        file,
        v2::seed::SEED_SECTION,
        v2::TABLE_LOGICAL_ID,
        v2::seed::Seed::items,
        &mut out,
    )?;
    Ok(out)
}

/// Adds the items of section `name` (parsed as `S`) bound for `table`.
fn load<S: DeserializeOwned, E: std::fmt::Display>(
    file: &SeedFile,
    name: &str,
    table: &'static str,
    items: fn(&S) -> Result<Vec<Item>, E>,
    out: &mut Vec<(&'static str, Vec<Item>)>,
) -> Result<(), String> {
    if let Some(section) = file.section::<S>(name)? {
        out.push((table, items(&section).map_err(|e| e.to_string())?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_demo_seed_loads_every_section() {
        let file = SeedFile::load(&root().join("seed/demo.json")).unwrap();
        let tables: Vec<&str> = seed_items(&file).unwrap().into_iter().map(|(t, _)| t).collect();
        assert_eq!(tables.len(), file.section_names().count(), "{tables:?}");
    }

    /// An endpoint has demo data (its section of `seed/demo.json`, named
    /// as its package) and this crate loads it.
    #[test]
    fn the_demo_seed_has_a_section_per_endpoint() {
        let file = SeedFile::load(&root().join("seed/demo.json")).unwrap();
        let sections: Vec<&str> = file.section_names().collect();
        for function in catalog::FUNCTIONS
            .iter()
            .filter(|f| f.http_binaries().next().is_some())
        {
            let package = function.package;
            assert!(
                sections.contains(&package),
                "seed/demo.json has no section \"{package}\": add the demo data its events use, \
                 and its section to dev/seeding/src/lib.rs (check_sections and items_of)"
            );
        }
        seed_items(&file).unwrap();
    }

    #[tokio::test]
    async fn a_later_crm_seed_file_is_checked_against_the_stored_definitions() {
        let server = testkit::LocalDynamo::start_in_memory().unwrap();
        let client = testkit::local_client(&server.endpoint());
        for def in testkit::template::tables(&root().join("template.yaml")).unwrap() {
            def.create(&client, "").await.unwrap();
        }
        let crm =
            |section: &str| SeedFile::parse(&format!(r#"{{"update-crm-account": {section}}}"#)).unwrap();
        let definitions = crm(
            r#"{"custom_fields": [{"tenant_id": "t", "key": "region", "type": "dropdown", "options": ["north"]}]}"#,
        );
        let account = |region: &str| {
            crm(&format!(
                r#"{{"accounts": [{{"tenant_id": "t", "id": 1, "number": 1, "title": "T", "custom": {{"region": "{region}"}}}}]}}"#
            ))
        };
        for (table, items) in seed_items_in(&definitions, &client, "").await.unwrap() {
            testkit::seed::put_items(&client, table, items).await.unwrap();
        }
        assert!(seed_items_in(&account("north"), &client, "").await.is_ok());
        let refused = seed_items_in(&account("south"), &client, "").await.unwrap_err();
        assert!(refused.contains("custom.region"), "{refused}");
        // Checked on its own, the same file knows no such field.
        assert!(seed_items(&account("north")).is_err());
    }

    #[test]
    fn unknown_sections_are_refused() {
        let file = SeedFile::parse(r#"{"no-such-function": {}}"#).unwrap();
        assert!(seed_items(&file).unwrap_err().contains("no-such-function"));
    }
}
