//! The mailer's handler on the records the user-accounts table's stream
//! really carries (the embedded DynamoDB's stream, through the template's
//! filter), after real `PATCH /v1/account` requests: what it sends, what it
//! marks, and what it reports for a batch. The transport records messages
//! (SES itself is exercised against moto in `ses.rs`).

mod common;

use aws_lambda_events::event::dynamodb::Event;
use common::Fixture;
use send_account_email::{
    mail::{Kind, Mail},
    transport::{SendError, Transport},
};
use serde_json::{Value, json};
use shared::clock::Timestamp;
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};
use testkit::{streams::template_filters, workspace_root};
use update_current_account::{
    TABLE_LOGICAL_ID, handle_confirm,
    store::{account_key, outbox::attrs},
};

/// A transport that keeps what it is given, or fails with `failing`.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<Mail>>,
    failing: Mutex<Option<SendError>>,
}

impl Transport for Recorder {
    async fn send(&self, mail: &Mail, raw: Vec<u8>) -> Result<(), SendError> {
        if let Some(e) = self.failing.lock().unwrap().clone() {
            return Err(e);
        }
        assert!(
            String::from_utf8(raw)
                .unwrap()
                .contains(&format!("To: {}\r\n", mail.to))
        );
        self.sent.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

fn sent(f: &Fixture<Recorder>) -> Vec<Mail> {
    f.mailer.transport.sent.lock().unwrap().clone()
}

fn text_of(mail: &Mail) -> &str {
    &mail.text
}

#[tokio::test]
async fn a_new_code_sends_the_code_and_a_notice_and_leaves_no_code_behind() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("two.new@example.com").await;
    let code = f.code().await;
    let ttl = f.outbox().await.unwrap()[attrs::TTL].clone();

    let event = f.batch().await;
    assert_eq!(event.records.len(), 1, "only the outbox write passes the filter");
    assert_eq!(f.deliver(event).await, Vec::<String>::new());

    let sent = sent(&f);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let (code_mail, notice) = (&sent[0], &sent[1]);
    assert_eq!(
        (code_mail.kind, code_mail.to.as_str()),
        (Kind::Code, "two.new@example.com")
    );
    assert_eq!(code_mail.subject, "Your code");
    assert!(text_of(code_mail).contains(&code) && code_mail.html.contains(&code));
    assert_eq!(
        (notice.kind, notice.to.as_str()),
        (Kind::Notice, "two@example.com")
    );
    assert!(!text_of(notice).contains(&code) && !notice.html.contains(&code));
    assert!(text_of(notice).contains("t***@e***.com"), "{}", notice.text);
    assert!(!text_of(notice).contains("two.new"));

    let outbox = f.outbox().await.unwrap();
    for gone in [attrs::CODE, attrs::NOTIFY] {
        assert!(!outbox.contains_key(gone), "{gone} is still there: {outbox:?}");
    }
    for set in [attrs::SENT_AT, attrs::NOTIFIED_AT] {
        assert!(
            Timestamp::parse(outbox[set].as_s().unwrap()).is_some(),
            "{set}: {outbox:?}"
        );
    }
    assert_eq!(outbox[attrs::TTL], ttl, "the TTL stays");
    // The mailer's own marks do not come back to it.
    assert!(f.batch().await.records.is_empty());
}

#[tokio::test]
async fn a_record_delivered_again_sends_nothing_more() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("two.new@example.com").await;
    let event = f.batch().await;
    let again: Event = serde_json::from_value(serde_json::to_value(&event).unwrap()).unwrap();
    assert!(f.deliver(event).await.is_empty());
    assert!(f.deliver(again).await.is_empty());
    assert_eq!(sent(&f).len(), 2, "{:?}", sent(&f));
}

/// An outbox item written before outbox items named their change (no
/// `change`, no `notify`), as the deploy that brings the mailer finds them:
/// its code is sent, once, and removed.
#[tokio::test]
async fn an_outbox_item_that_does_not_name_its_change_has_its_code_sent() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("two.new@example.com").await;
    let code = f.code().await;
    let mut legacy = f.outbox().await.unwrap();
    legacy.remove(attrs::CHANGE);
    legacy.remove(attrs::NOTIFY);
    f.db.put(TABLE_LOGICAL_ID, vec![legacy]).await;

    let event = f.batch().await;
    assert_eq!(event.records.len(), 2, "the write, then its rewrite");
    let again: Event = serde_json::from_value(serde_json::to_value(&event).unwrap()).unwrap();
    assert!(f.deliver(event).await.is_empty());
    assert!(f.deliver(again).await.is_empty());
    let sent = sent(&f);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        (sent[0].kind, sent[0].to.as_str()),
        (Kind::Code, "two.new@example.com")
    );
    assert!(sent[0].text.contains(&code));
    let outbox = f.outbox().await.unwrap();
    assert!(!outbox.contains_key(attrs::CODE), "{outbox:?}");
    assert!(outbox.contains_key(attrs::SENT_AT), "{outbox:?}");
}

#[tokio::test]
async fn only_the_newest_code_of_an_account_is_sent() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("first@example.com").await;
    let first = f.code().await;
    f.patch_email("second@example.com").await;
    let second = f.code().await;
    assert_ne!(first, second);

    let event = f.batch().await;
    assert_eq!(event.records.len(), 2);
    assert!(f.deliver(event).await.is_empty());
    let sent = sent(&f);
    let codes: Vec<&Mail> = sent.iter().filter(|m| m.kind == Kind::Code).collect();
    assert_eq!(codes.len(), 1, "{sent:?}");
    assert_eq!(codes[0].to, "second@example.com");
    assert!(codes[0].text.contains(&second) && !codes[0].text.contains(&first));
    assert_eq!(sent.iter().filter(|m| m.kind == Kind::Notice).count(), 1);
}

#[tokio::test]
async fn a_failed_send_is_reported_and_nothing_is_marked_until_it_succeeds() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("two.new@example.com").await;
    let before = f.outbox().await.unwrap();
    *f.mailer.transport.failing.lock().unwrap() =
        Some(SendError::Throttled("TooManyRequestsException".into()));

    let event = f.batch().await;
    let sequence = event.records[0].change.sequence_number.clone().unwrap();
    let again: Event = serde_json::from_value(serde_json::to_value(&event).unwrap()).unwrap();
    assert_eq!(f.deliver(event).await, vec![sequence]);
    assert!(sent(&f).is_empty());
    assert_eq!(f.outbox().await.unwrap(), before, "nothing marked sent");

    // Delivered again once the transport is back: sent, and marked.
    *f.mailer.transport.failing.lock().unwrap() = None;
    assert!(f.deliver(again).await.is_empty());
    assert_eq!(sent(&f).len(), 2);
    assert!(!f.outbox().await.unwrap().contains_key(attrs::CODE));
}

#[tokio::test]
async fn an_expired_code_is_not_sent_and_not_kept() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("two.new@example.com").await;
    // The code expired before the record was handled.
    let mut outbox = f.outbox().await.unwrap();
    outbox.insert(
        attrs::EXPIRES_AT.to_owned(),
        aws_sdk_dynamodb::types::AttributeValue::S("2020-01-01T00:00:00.000Z".to_owned()),
    );
    let event = f.batch().await;
    f.db.put(TABLE_LOGICAL_ID, vec![outbox]).await;
    assert!(f.deliver(event).await.is_empty());
    assert!(sent(&f).is_empty());
    let outbox = f.outbox().await.unwrap();
    assert!(
        !outbox.contains_key(attrs::CODE) && !outbox.contains_key(attrs::NOTIFY),
        "{outbox:?}"
    );
}

#[tokio::test]
async fn the_code_from_the_mailbox_confirms_the_change_end_to_end() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("two.new@example.com").await;
    // The mailer polls the stream as the event source mapping would.
    let started = Instant::now();
    let code_mail = loop {
        let event = f.batch().await;
        assert!(f.deliver(event).await.is_empty());
        if let Some(mail) = sent(&f).into_iter().find(|m| m.kind == Kind::Code) {
            break mail;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "no message within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let code = code_mail.code.clone().unwrap();
    assert!(code_mail.text.contains(&code));

    let req = Fixture::<Recorder>::request("POST", "/v1/account/email/confirm", json!({ "code": code }));
    let response = handle_confirm(&f.state, req).await;
    assert_eq!(response.status(), 200, "{:?}", response.body());
    let account = f.db.get(TABLE_LOGICAL_ID, &account_key("acct_2")).await.unwrap();
    assert_eq!(account["email"].as_s().unwrap(), "two.new@example.com");
    assert!(
        f.outbox().await.is_none(),
        "the confirmation deletes the outbox item"
    );
}

#[tokio::test]
async fn shipped_events_parse_and_the_template_filter_passes_only_unsent_codes() {
    let filters = template_filters(
        &workspace_root().join("template.yaml"),
        "SendAccountEmailFunction",
    )
    .unwrap();
    let load = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(workspace_root().join("events/send-account-email").join(name)).unwrap(),
        )
        .unwrap()
    };
    let passes = |event: &Value| {
        let record = &event["Records"][0];
        filters.iter().any(|f| testkit::streams::matches(f, record))
    };
    let insert = load("outbox-insert.json");
    let marked = load("outbox-marked-sent.json");
    assert!(passes(&insert));
    assert!(!passes(&marked), "the mailer's own mark must not reach it");
    let mut account = insert.clone();
    account["Records"][0]["dynamodb"]["Keys"]["sk"]["S"] = json!("ACCOUNT");
    assert!(!passes(&account));
    let mut removal = insert.clone();
    removal["Records"][0]["eventName"] = json!("REMOVE");
    assert!(!passes(&removal));
    // `exists` holds of leaves only, as in Lambda: a pattern naming the
    // attribute's object instead of its `S` would pass nothing there.
    let object_pattern = json!({"dynamodb": {"NewImage": {"code": [{"exists": true}]}}});
    assert!(!testkit::streams::matches(&object_pattern, &insert["Records"][0]));

    // Handled for an account without an outbox item: nothing is sent.
    let f = Fixture::new(Recorder::default()).await;
    for event in [insert, marked] {
        let event: Event = serde_json::from_value(event).unwrap();
        assert!(f.deliver(event).await.is_empty());
    }
    assert!(sent(&f).is_empty());
}

#[tokio::test]
async fn with_little_time_left_an_accounts_first_record_is_still_tried() {
    let mut f = Fixture::new(Recorder::default()).await;
    f.patch_email("first@example.com").await;
    f.patch_email("second@example.com").await;
    let event = f.batch().await;
    assert_eq!(event.records.len(), 2);
    let second = event.records[1].change.sequence_number.clone().unwrap();
    // A deadline shorter than a record's budget (a function timeout below
    // it, or a late record): the first is tried, the next waits for a retry.
    let soon = Instant::now() + Duration::from_secs(1);
    let failed = f.deliver_by(event, soon).await;
    assert_eq!(failed, vec![second], "only the record not tried is reported");
    // The first record's change was replaced by the second: nothing sent yet.
    assert!(sent(&f).is_empty());
}
