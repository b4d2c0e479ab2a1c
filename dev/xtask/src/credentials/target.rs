//! Where the credential tables are: a local DynamoDB (tables named by
//! their template logical id), or a deployed stack's tables reached with
//! the operator's AWS credentials.

use super::principal::Api;
use anyhow::{Context, bail};
use aws_sdk_dynamodb::Client;

/// Where the command reads and writes credentials.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Target {
    /// A local DynamoDB endpoint, tables named by their template logical id
    /// (default: the one `cargo xtask dev` runs).
    #[arg(long, global = true, conflicts_with_all = ["stack", "table", "region"])]
    pub endpoint: Option<String>,
    /// A deployed stack: its tables, with your AWS credentials (environment
    /// variables or profile, as the AWS CLI reads them).
    #[arg(long, global = true, conflicts_with = "table")]
    pub stack: Option<String>,
    /// A deployed table by name (a stack output), instead of --stack.
    #[arg(long, global = true)]
    pub table: Option<String>,
    /// The AWS region of the stack or table (default: AWS_REGION, else the profile's).
    #[arg(long, global = true)]
    pub region: Option<String>,
}

/// A connected target: the client and how table names are found.
pub struct Tables {
    client: Client,
    naming: Naming,
}

enum Naming {
    /// Tables named by their logical id (local).
    LogicalIds,
    /// One table by name, whatever the API.
    Named(String),
    /// A stack's tables, among these names.
    Stack { stack: String, names: Vec<String> },
}

impl Tables {
    /// Connects to the target: a local endpoint with dummy credentials, or
    /// AWS with the operator's (for a stack, listing the account's tables
    /// once to find its own).
    pub async fn connect(target: &Target) -> anyhow::Result<Self> {
        if target.stack.is_none() && target.table.is_none() {
            let endpoint = match &target.endpoint {
                Some(endpoint) => endpoint.clone(),
                None => crate::dev::running_dynamodb()?,
            };
            return Ok(Tables {
                client: testkit::local_client(&endpoint),
                naming: Naming::LogicalIds,
            });
        }
        let client = aws_client(target.region.as_deref()).await;
        let naming = match (&target.table, &target.stack) {
            (Some(table), _) => Naming::Named(table.clone()),
            (None, Some(stack)) => Naming::Stack {
                stack: stack.clone(),
                names: all_tables(&client).await?,
            },
            (None, None) => unreachable!("handled above"),
        };
        Ok(Tables { client, naming })
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The name of the table holding `api`'s credentials.
    pub fn name(&self, api: Api) -> anyhow::Result<String> {
        self.table(api.table_logical_id())
    }

    /// The name of the table with the template logical id `logical_id`.
    pub fn table(&self, logical_id: &str) -> anyhow::Result<String> {
        match &self.naming {
            Naming::LogicalIds => Ok(logical_id.to_owned()),
            Naming::Named(name) => Ok(name.clone()),
            Naming::Stack { stack, names } => stack_table(stack, logical_id, names),
        }
    }
}

/// The table of `stack` with `logical_id` among `names`: CloudFormation
/// names a table it creates without a name `<stack>-<logical id>-<suffix>`.
fn stack_table(stack: &str, logical_id: &str, names: &[String]) -> anyhow::Result<String> {
    let prefix = format!("{stack}-{logical_id}-");
    let found: Vec<&String> = names.iter().filter(|n| n.starts_with(&prefix)).collect();
    match found.as_slice() {
        [name] => Ok((*name).clone()),
        [] => bail!(
            "no table {prefix}* in this account and region; give its name with --table (stack output {logical_id}Name)"
        ),
        _ => bail!("several tables match {prefix}*: {found:?}; give one with --table"),
    }
}

/// A DynamoDB client with the operator's credentials and region (the SDK's
/// default chain: environment variables, then profile files), on the
/// project's HTTPS client.
async fn aws_client(region: Option<&str>) -> Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::store::https_client());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    Client::new(&loader.load().await)
}

/// Every table name of the account in the client's region.
async fn all_tables(client: &Client) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .list_tables()
            .set_exclusive_start_table_name(start)
            .send()
            .await
            .context("cannot list the tables (AWS credentials and region?)")?;
        names.extend(page.table_names.unwrap_or_default());
        match page.last_evaluated_table_name {
            Some(name) => start = Some(name),
            None => return Ok(names),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::stack_table;

    #[test]
    fn a_stack_table_is_found_by_cloudformation_naming() {
        let names = [
            "prod-OrgAccountsTable-1A2B3C".to_owned(),
            "prod-eu-OrgAccountsTable-9Z8Y".to_owned(),
            "prod-UserAccountsTable-XYZ".to_owned(),
        ];
        assert_eq!(
            stack_table("prod", "OrgAccountsTable", &names).unwrap(),
            "prod-OrgAccountsTable-1A2B3C"
        );
        assert_eq!(
            stack_table("prod-eu", "OrgAccountsTable", &names).unwrap(),
            "prod-eu-OrgAccountsTable-9Z8Y"
        );
        assert!(stack_table("staging", "OrgAccountsTable", &names).is_err());
    }
}
