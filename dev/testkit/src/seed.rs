//! Seed files: one JSON object whose members are sections named after the
//! function whose data they hold (`"update-account-metadata": {...}`).
//! Each function's crate defines its section's format (`seed::Seed`) and
//! turns it into items; this module reads the file and writes the items.

use aws_sdk_dynamodb::{
    Client,
    types::{PutRequest, WriteRequest},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use shared::store::Item;
use std::path::Path;

/// A parsed seed file.
#[derive(Debug, Clone, Default)]
pub struct SeedFile {
    sections: Map<String, Value>,
}

impl SeedFile {
    /// Reads a seed file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses seed-file text.
    pub fn parse(text: &str) -> Result<Self, String> {
        match serde_json::from_str::<Value>(text).map_err(|e| e.to_string())? {
            Value::Object(sections) => Ok(SeedFile { sections }),
            _ => Err("a seed file is a JSON object of sections".to_owned()),
        }
    }

    /// The section for `name`, parsed as `T`; `Ok(None)` when absent.
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
        self.sections
            .get(name)
            .map(|v| serde_json::from_value(v.clone()).map_err(|e| format!("section {name}: {e}")))
            .transpose()
    }

    /// Names of the sections present.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }
}

/// Puts `items` into `table` (BatchWriteItem, 25 at a time, retrying
/// unprocessed items). Idempotent: a put replaces the whole item.
pub async fn put_items(client: &Client, table: &str, items: Vec<Item>) -> Result<(), String> {
    for chunk in items.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(item.clone()))
                    .build()
                    .map_err(|e| e.to_string())?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<_, String>>()?;
        for attempt in 0.. {
            let out = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .map_err(|e| {
                    format!(
                        "seeding {table}: {}",
                        aws_sdk_dynamodb::error::DisplayErrorContext(&e)
                    )
                })?;
            requests = out
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
            if attempt >= 10 {
                return Err(format!("seeding {table}: items still unprocessed after retries"));
            }
            tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(5))).await;
        }
    }
    Ok(())
}
