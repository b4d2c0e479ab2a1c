//! An endpoint that answers every DynamoDB call with
//! `ProvisionedThroughputExceededException`, to test what a function says
//! when throttling outlasts the SDK's retries. It implements no DynamoDB
//! behaviour at all; storage is always tested against [`crate::LocalDynamo`].

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// A running always-throttling endpoint on 127.0.0.1; stops when dropped.
pub struct ThrottlingEndpoint {
    endpoint: String,
    task: tokio::task::JoinHandle<()>,
}

const RESPONSE: &str = "HTTP/1.1 400 Bad Request\r\n\
content-type: application/x-amz-json-1.0\r\n\
x-amzn-errortype: ProvisionedThroughputExceededException\r\n\
content-length: 122\r\n\
connection: close\r\n\r\n\
{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"Rate of requests exceeded\"}";

impl ThrottlingEndpoint {
    /// Starts it on an ephemeral port (on the current tokio runtime).
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let endpoint = format!("http://{}", listener.local_addr().expect("local address"));
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let _ = stream.read(&mut buf).await;
                    let _ = stream.write_all(RESPONSE.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        ThrottlingEndpoint { endpoint, task }
    }

    /// A table on this endpoint.
    pub fn table(&self, name: &str) -> shared::store::Table {
        shared::store::Table::new(crate::local_client(&self.endpoint), name.to_owned())
    }
}

impl Drop for ThrottlingEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canned_body_has_the_declared_length() {
        let body = RESPONSE.split("\r\n\r\n").nth(1).unwrap();
        assert_eq!(body.len(), 122);
    }
}
