//! Amazon SES (API v2): each message is sent as raw content (the RFC 5322
//! bytes of [`crate::mail::Mail::to_rfc5322`]), from the operator's
//! verified identity, optionally through a configuration set.

use super::{SendError, Transport};
use crate::mail::Mail;
use aws_sdk_sesv2::{
    Client,
    config::BehaviorVersion,
    error::{ProvideErrorMetadata, SdkError},
    operation::send_email::SendEmailError,
    primitives::Blob,
    types::{Destination, EmailContent, RawMessage},
};
use shared::store::{TimeBudget, credentials_from_env, endpoint_from_env, https_client, region_from_env};

/// The SES client and what every send carries.
#[derive(Debug, Clone)]
pub struct Ses {
    client: Client,
    configuration_set: Option<String>,
}

impl Ses {
    /// Built once per cold start like the DynamoDB client: region and
    /// credentials from the environment Lambda sets, the endpoint from
    /// `AWS_ENDPOINT_URL_SESV2` (else `AWS_ENDPOINT_URL`, else SES's
    /// regional one), the same HTTPS client and time budget
    /// ([`TimeBudget::PRODUCTION`]: throttling and 5xx retried within it).
    pub fn from_env(configuration_set: Option<String>) -> Self {
        let mut config = budgeted(aws_sdk_sesv2::Config::builder())
            .region(region_from_env())
            .credentials_provider(credentials_from_env());
        if let Some(url) = endpoint_from_env("AWS_ENDPOINT_URL_SESV2") {
            config = config.endpoint_url(url);
        }
        Self::new(Client::from_conf(config.build()), configuration_set)
    }

    /// SES through `client` (tests build one for a local SES).
    pub fn new(client: Client, configuration_set: Option<String>) -> Self {
        Ses {
            client,
            configuration_set,
        }
    }

    /// The SDK client (tests use it to set up identities).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// `config` with the HTTPS client and time budget of every client here.
pub fn budgeted(config: aws_sdk_sesv2::config::Builder) -> aws_sdk_sesv2::config::Builder {
    let budget = TimeBudget::PRODUCTION;
    config
        .behavior_version(BehaviorVersion::latest())
        .http_client(https_client())
        .timeout_config(budget.timeouts())
        .retry_config(budget.retries())
}

impl Transport for Ses {
    async fn send(&self, mail: &Mail, raw: Vec<u8>) -> Result<(), SendError> {
        let raw = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|e| SendError::Refused(e.to_string()))?;
        self.client
            .send_email()
            .from_email_address(&mail.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().raw(raw).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map(|_| ())
            .map_err(classify)
    }
}

/// What a failed send means. Only the error's code is kept: SES's messages
/// may quote the addresses.
fn classify(e: SdkError<SendEmailError>) -> SendError {
    let code = e.code().unwrap_or("unknown").to_owned();
    match &e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            SendError::Unavailable(format!("{code}: no answer"))
        }
        SdkError::ServiceError(service) => match service.err() {
            SendEmailError::TooManyRequestsException(_) | SendEmailError::LimitExceededException(_) => {
                SendError::Throttled(code)
            }
            _ if service.raw().status().is_server_error() => SendError::Unavailable(code),
            _ => SendError::Refused(code),
        },
        SdkError::ResponseError(_) => SendError::Unavailable(code),
        _ => SendError::Refused(code),
    }
}
