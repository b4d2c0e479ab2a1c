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

use aws_sdk_dynamodb::config::ConfigBag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::{
    connector_metadata::ConnectorMetadata,
    http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
        SharedHttpConnector,
    },
    orchestrator::HttpRequest,
    runtime_components::{RuntimeComponents, RuntimeComponentsBuilder},
};

/// An HTTP client that counts one attempt per request it transmits, then
/// hands the request to the client it wraps, to which it also leaves the
/// checks of the client's configuration and its metadata.
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

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.validate_base_client_config(runtime_components, cfg)
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.validate_final_config(runtime_components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
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
