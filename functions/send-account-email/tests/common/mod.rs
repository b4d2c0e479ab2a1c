//! The fixture of the mailer's tests.
#![allow(dead_code)]

use aws_lambda_events::event::dynamodb::Event;
use send_account_email::{Mailer, mail::Letterhead, transport::Transport};
use serde_json::json;
use shared::seed::Section as _;
use shared::{store::Item, validate::EmailAddress};
use std::time::{Duration, Instant};
use testkit::{
    TestDb, events,
    streams::{From, StreamReader, template_filters},
    workspace_root,
};
use update_current_account::{
    State, TABLE_LOGICAL_ID, handle,
    seed::Seed,
    store::{outbox::attrs, outbox_key},
};

/// Owner of acct_2 (two@example.com, email changes need confirmation).
pub const T2: &str = "v1-token-owner-2-0123456789";

/// A user-accounts table with acct_2 (verification required), its
/// stream read through the template's filter, and a mailer on `transport`.
pub struct Fixture<T> {
    pub db: TestDb,
    pub state: State,
    pub mailer: Mailer<T>,
    pub stream: StreamReader,
}

impl<T: Transport> Fixture<T> {
    pub async fn new(transport: T) -> Self {
        let db = TestDb::start().await;
        let table = db.table(TABLE_LOGICAL_ID);
        let seed: Seed = serde_json::from_value(json!({
            "tokens": [{"token": T2, "account_id": "acct_2", "role": "owner"}],
            "accounts": [{"id": "acct_2", "email": "two@example.com", "name": "Two",
                          "type": "individual", "email_verification": "required"}]
        }))
        .unwrap();
        db.put(TABLE_LOGICAL_ID, seed.items().unwrap()).await;
        let filters = template_filters(
            &workspace_root().join("template.yaml"),
            "SendAccountEmailFunction",
        )
        .unwrap();
        let stream = StreamReader::open(db.endpoint(), db.client(), table.name(), From::Start, filters)
            .await
            .unwrap();
        let mailer = Mailer {
            table: table.clone(),
            transport,
            letterhead: Letterhead {
                from: EmailAddress::parse("no-reply@example.com").unwrap(),
                code_subject: "Your code".to_owned(),
                notice_subject: "Your address".to_owned(),
            },
        };
        Fixture {
            db,
            state: State { table },
            mailer,
            stream,
        }
    }

    /// An API Gateway request of acct_2's owner with a JSON `body`.
    pub fn request(method: &str, path: &str, body: serde_json::Value) -> shared::lambda_http::Request {
        let auth = format!("Bearer {T2}");
        let body = body.to_string();
        events::api_request(
            method,
            path,
            &[],
            &[("authorization", &auth), ("content-type", "application/json")],
            Some(body.as_bytes()),
        )
    }

    pub async fn patch_email(&self, email: &str) {
        let req = Self::request("PATCH", "/v1/account", json!({ "email": email }));
        let response = handle(&self.state, req).await;
        assert_eq!(response.status(), 200, "{:?}", response.body());
    }

    pub async fn outbox(&self) -> Option<Item> {
        self.db.get(TABLE_LOGICAL_ID, &outbox_key("acct_2")).await
    }

    pub async fn code(&self) -> String {
        self.outbox().await.unwrap()[attrs::CODE].as_s().unwrap().clone()
    }

    /// Every record the stream has for the mailer now.
    pub async fn batch(&mut self) -> Event {
        self.stream.next_batch().await.unwrap()
    }

    /// The sequence numbers the handler reports failed for `event`.
    pub async fn deliver(&self, event: Event) -> Vec<String> {
        self.deliver_by(event, Instant::now() + Duration::from_secs(29))
            .await
    }

    /// [`Fixture::deliver`] with the invocation's `deadline`.
    pub async fn deliver_by(&self, event: Event, deadline: Instant) -> Vec<String> {
        self.mailer
            .handle(event, deadline)
            .await
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier.unwrap())
            .collect()
    }
}
