//! The smoke test's HTTP client: HTTP/1.1 over TLS (rustls on *ring*,
//! the system's root certificates, as the functions' DynamoDB client) for
//! a deployed API, or plain HTTP for the local one.

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use std::time::Duration;

/// How long one request may take: API Gateway gives up on an integration
/// after 30 s.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An answer: its status and body.
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text (lossy).
    pub body: String,
}

/// An HTTP(S) client.
pub struct HttpClient(Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>);

impl HttpClient {
    /// A client for `http://` and `https://` URLs.
    pub fn new() -> anyhow::Result<Self> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .context("no root certificates on this system")?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(HttpClient(Client::builder(TokioExecutor::new()).build(https)))
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: hyper::Request<Full<Bytes>>) -> anyhow::Result<Answer> {
        let uri = request.uri().clone();
        let exchange = async {
            let response = self.0.request(request).await?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok(Answer {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .with_context(|| format!("{uri}: no answer within {}s", REQUEST_TIMEOUT.as_secs()))?
            .with_context(|| format!("{uri}: request failed"))
    }
}
