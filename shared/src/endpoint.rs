//! What every endpoint's handler is built on: its [`State`] (made once per
//! cold start) and the table-driven rendering of its errors.

use crate::store::{Table, client_from_env};

/// What a handler needs, built once per cold start in `main` and passed by
/// reference: the endpoint's table (credentials and data live together).
#[derive(Debug, Clone)]
pub struct State {
    /// The endpoint's table.
    pub table: Table,
}

impl State {
    /// State from the environment: the SDK client from the standard AWS
    /// variables, and the table named by `TABLE_NAME` (locally, when unset,
    /// the table's logical id in `template.yaml`, which is also its name in
    /// the local DynamoDB).
    pub async fn from_env(table_logical_id: &str) -> Self {
        let client = client_from_env().await;
        State {
            table: Table::from_env(client, "TABLE_NAME", table_logical_id),
        }
    }
}
