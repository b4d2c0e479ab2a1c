//! A database for one test.

use crate::{LocalDynamo, local_client, seed::put_items, template};
use aws_sdk_dynamodb::Client;
use shared::store::{Item, Table};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A DynamoDB for one test, with every table of `template.yaml` created.
///
/// By default a fresh in-memory dynoxide server on 127.0.0.1 (stopped when
/// this is dropped), so tests are isolated and run in parallel. When
/// `DYNAMODB_ENDPOINT` is set, the tests run against that server instead
/// (moto_server, DynamoDB Local, or AWS with real credentials in the
/// environment), each test with its own table-name prefix; the suite then
/// doubles as a conformance check of what we assume of DynamoDB.
pub struct TestDb {
    client: Client,
    prefix: String,
    endpoint: String,
    _server: Option<LocalDynamo>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// Starts the database and creates the tables. Also installs the
    /// functions' log subscriber, so a failing test shows what they logged.
    pub async fn start() -> Self {
        let own: Vec<String> = catalog::log_targets();
        let own: Vec<&str> = own
            .iter()
            .map(String::as_str)
            .chain([env!("CARGO_CRATE_NAME")])
            .collect();
        shared::telemetry::init(&own);
        let (client, prefix, endpoint, server) = match std::env::var("DYNAMODB_ENDPOINT") {
            Ok(endpoint) if !endpoint.is_empty() => {
                let n = COUNTER.fetch_add(1, Ordering::Relaxed);
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default();
                let prefix = format!("t{}x{n}x{nanos}-", std::process::id());
                (local_client(&endpoint), prefix, endpoint, None)
            }
            _ => {
                let server = LocalDynamo::start_in_memory().expect("start dynoxide");
                let endpoint = server.endpoint();
                (local_client(&endpoint), String::new(), endpoint, Some(server))
            }
        };
        let defs =
            template::tables(&crate::workspace_root().join("template.yaml")).expect("template.yaml tables");
        for def in &defs {
            def.create(&client, &prefix).await.expect("create table");
        }
        TestDb {
            client,
            prefix,
            endpoint,
            _server: server,
        }
    }

    /// The server's URL (`http://127.0.0.1:<port>`), for processes that
    /// need to reach it, such as a function binary under test.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table a template logical id maps to in this database.
    pub fn table(&self, logical_id: &str) -> Table {
        Table::new(self.client.clone(), format!("{}{logical_id}", self.prefix))
    }

    /// Puts items into a table (idempotent).
    pub async fn put(&self, logical_id: &str, items: Vec<Item>) {
        let table = self.table(logical_id);
        put_items(&self.client, table.name(), items)
            .await
            .expect("seed items");
    }

    /// Reads one item by key (consistent).
    pub async fn get(&self, logical_id: &str, key: &shared::store::Key) -> Option<Item> {
        self.table(logical_id).get(key, true).await.expect("get item")
    }

    /// Every item of a table in key order, for "nothing changed" checks.
    pub async fn snapshot(&self, logical_id: &str) -> Vec<Item> {
        let mut items = self.scan(logical_id).await;
        items.sort_by_key(|i| format!("{:?}{:?}", i.get("pk"), i.get("sk")));
        items
    }

    /// Every item of a table (a scan; tests only).
    pub async fn scan(&self, logical_id: &str) -> Vec<Item> {
        let table = self.table(logical_id);
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(table.name())
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return items,
            }
        }
    }
}
