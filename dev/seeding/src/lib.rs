//! Which function turns which section of a seed file into which table's
//! items: each function's seed section, from the registry
//! (`dev/endpoints`), where the functions' seed formats meet.
//!
//! Used by the dev tooling (`cargo xtask dev`, `seed`, `load`) and by the
//! release-built bench driver (`cargo perf`), so it links no emulator.

use aws_sdk_dynamodb::Client;
use endpoints::SeedSection;
use fixtures::seed::SeedFile;
use shared::store::{Item, Table};

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
/// read it there (`shared::seed::Section::items_in`): the crm accounts are
/// checked against the custom field definitions already in its table plus
/// those of the file, so a later seed file can add accounts using fields an
/// earlier one defined.
pub async fn seed_items_in(
    file: &SeedFile,
    client: &Client,
    prefix: &str,
) -> Result<Vec<(&'static str, Vec<Item>)>, String> {
    let mut out = Vec::new();
    for (section, json) in sections(file)? {
        let table = Table::new(client.clone(), format!("{prefix}{}", section.table));
        out.push((section.table, (section.items_in)(json, &table).await?));
    }
    Ok(out)
}

/// The items of every section of a seed file, with the table (logical id)
/// each goes to. A section no function knows is an error. Each section is
/// checked on its own: the crm accounts against the custom field
/// definitions of the same file only. To seed a database that may already
/// hold data, use [`seed_items_in`].
pub fn seed_items(file: &SeedFile) -> Result<Vec<(&'static str, Vec<Item>)>, String> {
    sections(file)?
        .into_iter()
        .map(|(section, json)| Ok((section.table, (section.items)(json)?)))
        .collect()
}

/// The file's sections with the function each belongs to, in the
/// registry's order; a section no function knows is refused.
fn sections(file: &SeedFile) -> Result<Vec<(&'static SeedSection, &serde_json::Value)>, String> {
    let known: Vec<&str> = endpoints::FUNCTIONS.iter().map(|f| f.seed.name).collect();
    if let Some(unknown) = file.section_names().find(|n| !known.contains(n)) {
        return Err(format!("unknown seed section {unknown:?}; known: {known:?}"));
    }
    Ok(endpoints::FUNCTIONS
        .iter()
        .filter_map(|f| file.section_json(f.seed.name).map(|json| (&f.seed, json)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_demo_seed_loads_every_section() {
        let file = SeedFile::demo(&root()).unwrap();
        let tables: Vec<&str> = seed_items(&file).unwrap().into_iter().map(|(t, _)| t).collect();
        assert_eq!(tables.len(), file.section_names().count(), "{tables:?}");
        assert!(tables.iter().all(|t| catalog::tables().contains(t)), "{tables:?}");
    }

    /// An endpoint has demo data (`functions/<package>/demo.json`, its
    /// section of the demo seed) and this crate loads it.
    #[test]
    fn the_demo_seed_has_a_section_per_endpoint() {
        let file = SeedFile::demo(&root()).unwrap();
        let sections: Vec<&str> = file.section_names().collect();
        for function in catalog::FUNCTIONS
            .iter()
            .filter(|f| f.http_binaries().next().is_some())
        {
            let package = function.package;
            assert!(
                sections.contains(&package),
                "functions/{package}/demo.json is missing: add the demo data its events use, \
                 as its section of a seed file"
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
