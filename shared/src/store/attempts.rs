//! Counts the HTTP attempts the SDK makes for each DynamoDB operation
//! (retries included) into the request's telemetry
//! ([`crate::store::scope::count_attempt`]). Every [`super::Table`]'s client sends
//! through [`CountingClient`].
//!
//! A wrapper of the HTTP client rather than an SDK interceptor: the SDK
//! asks every interceptor, at each of its ~20 hooks per call, whether it is
//! disabled in the call's configuration (a lookup in the config bag), and
//! one interceptor cost ~5k instructions per DynamoDB call that way. The
//! wrapper counts once per attempt the SDK hands to its HTTP client.

use aws_smithy_runtime_api::client::{
    http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
        SharedHttpConnector,
    },
    orchestrator::HttpRequest,
    runtime_components::RuntimeComponents,
};

/// An HTTP client that counts one attempt per request it transmits, then
/// hands the request to the client it wraps.
#[derive(Debug)]
pub(crate) struct CountingClient(pub(crate) SharedHttpClient);

impl HttpClient for CountingClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CountingConnector(self.0.http_connector(settings, components)))
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// The connector of a [`CountingClient`].
#[derive(Debug)]
struct CountingConnector(SharedHttpConnector);

impl HttpConnector for CountingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        crate::store::scope::count_attempt();
        self.0.call(request)
    }
}
