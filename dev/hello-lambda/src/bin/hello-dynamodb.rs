//! The second cold-start baseline: hello-world plus what any function that
//! talks to DynamoDB must do before its first answer. It builds the
//! DynamoDB client exactly as the functions do
//! (`shared::store::client_from_env`: region, environment credentials,
//! rustls on ring, the production time budget), makes one GetItem during
//! init (the TCP + TLS handshake and a signed request), then answers every
//! request `200 hello` without touching DynamoDB again. A function's cold
//! start over this one is what the function itself adds.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = shared::store::client_from_env();
    let table = std::env::var("TABLE_NAME").unwrap_or_else(|_| "OrgAccountsTable".to_owned());
    let _ = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S("HELLO#warm-up".to_owned()))
        .key("sk", AttributeValue::S("HELLO".to_owned()))
        .send()
        .await;
    lambda_http::run(service_fn(|_req: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
