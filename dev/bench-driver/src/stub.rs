//! An SDK HTTP client answering from memory with answers recorded from the
//! real server: the handler and the SDK run as they do in production, with
//! no I/O, so their time is CPU only.

use crate::record::{Canned, Recorder, match_key};
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::{
    http::{HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector},
    orchestrator::{HttpRequest, HttpResponse},
    runtime_components::RuntimeComponents,
};
use aws_smithy_types::body::SdkBody;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Answers by (operation, key), cycling through the answers recorded for it.
#[derive(Debug, Clone)]
pub struct Stub {
    answers: Arc<HashMap<String, Vec<(u16, String)>>>,
    next: Arc<Mutex<HashMap<String, usize>>>,
}

impl Stub {
    /// A stub answering with `canned`.
    pub fn new(canned: &[Canned]) -> Self {
        let mut answers: HashMap<String, Vec<(u16, String)>> = HashMap::new();
        for c in canned {
            answers
                .entry(c.key.clone())
                .or_default()
                .push((c.status, c.body.clone()));
        }
        Stub {
            answers: Arc::new(answers),
            next: Arc::default(),
        }
    }

    /// A client of this stub with the production time budget.
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            shared::store::TimeBudget::PRODUCTION.apply(self.config()).build(),
        )
    }

    /// [`Stub::client`], its calls recorded by `recorder`.
    pub fn recorded_client(&self, recorder: &Recorder) -> aws_sdk_dynamodb::Client {
        let config = self.config().interceptor(recorder.clone());
        aws_sdk_dynamodb::Client::from_conf(shared::store::TimeBudget::PRODUCTION.apply(config).build())
    }

    fn config(&self) -> aws_sdk_dynamodb::config::Builder {
        aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url("http://stub.invalid")
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("local", "local", None, None, "bench"))
            .http_client(self.clone())
    }
}

impl HttpConnector for Stub {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let key = match_key(target, request.body().bytes().unwrap_or_default());
        let answer = self.answers.get(&key).map(|list| {
            let mut next = self.next.lock().expect("next");
            let i = next.entry(key.clone()).or_default();
            let answer = list[*i % list.len()].clone();
            *i += 1;
            answer
        });
        let (status, body) = answer.unwrap_or_else(|| {
            (
                400,
                format!(r#"{{"__type":"com.amazon.coral.validate#ValidationException","message":"bench stub: no answer for {key}"}}"#),
            )
        });
        let mut response = HttpResponse::new(status.try_into().expect("status"), SdkBody::from(body));
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Stub {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}
