//! Lambda entry point: the mailer on the user-accounts table's stream.

shared::global_allocator!();

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    send_account_email::serve().await
}
