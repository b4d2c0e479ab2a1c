//! The mailer: delivers the messages a pending email change owes (contract
//! 003's email verification), reading the user-accounts table's DynamoDB
//! stream and sending through Amazon SES.
//!
//! `PATCH /v1/account` on an account whose policy requires verification
//! writes, in the same transaction as the pending change, an outbox item
//! holding the new address, the code, and the account's current address
//! (`update_current_account::store::outbox`). For each such write the
//! stream delivers a record, and the mailer sends:
//!
//! - to the new address, the code, when it expires, and what to do if the
//!   change was not asked for ([`mail::code_message`]);
//! - to the current address, a notice that a change to a masked new
//!   address was asked for, without the code ([`mail::notice_message`]).
//!
//! # At least once, once per change in practice
//!
//! Stream records are delivered at least once. For each record the mailer
//! reads the outbox item (consistently) and sends only what the item still
//! owes for the record's change, marking each message sent in a
//! conditional write right after it ([`store`]): a record delivered again,
//! or one whose change was replaced, confirmed or dropped since, sends
//! nothing, and only the newest code of an account is ever sent. What is
//! not promised: a message whose send succeeded but whose mark was lost
//! (the invocation died in between) is sent again when the record is
//! retried. SES calls are retried by the SDK within the time budget, a
//! timed-out attempt included: an attempt SES accepted but whose answer
//! did not arrive in time is sent again (a duplicate message, never a lost
//! one). Records of one account are handled in stream order; accounts are
//! handled concurrently.
//!
//! A record whose send or mark fails is reported as a batch item failure
//! ([`response`]), and nothing is marked for the message that failed;
//! Lambda retries it (the mapping's retry limit), then gives it to the
//! on-failure queue instead of blocking the shard. SES throttling and 5xx
//! are retried inside the SDK's time budget first. Neither a code nor a
//! whole address is ever logged: records are logged by account id and
//! outcome, addresses masked, errors by their code ([`transport::SendError`]).
//!
//! A code that expired before it could be sent is not sent; it is removed
//! from the outbox all the same. An address whose local part is not ASCII
//! cannot be sent to through SES (no SMTPUTF8): its message is skipped and
//! logged, and the code removed.
//!
//! Modules: [`request`] (what a record asks), [`store`] (the outbox item:
//! read, marks), [`mail`] (the messages), [`transport`] (SES, the local
//! mailbox), [`response`] (failed records), [`error`] (why a record failed).

pub mod error;
pub mod mail;
pub mod request;
pub mod response;
pub mod store;
pub mod transport;

use aws_lambda_events::event::{
    dynamodb::{Event, EventRecord},
    streams::DynamoDbEventResponse,
};
use error::RecordError;
use futures::future::join_all;
use lambda_runtime::LambdaEvent;
use mail::{Kind, Letterhead, Mail};
use request::{Delivery, Ignored};
use shared::{clock::Timestamp, store::Table, validate::EmailAddress};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use store::Found;
use transport::{Transport, ses::Ses};

/// The table's logical id in `template.yaml`, and its name locally.
pub const TABLE_LOGICAL_ID: &str = update_current_account::TABLE_LOGICAL_ID;

/// The most one record's handling may take: a read, two sends and two
/// marks, each within the SDK's 2.5 s operation budget, and a margin. After
/// an account's first record, a record is not started with less of the
/// invocation left (it is reported failed and retried instead of being cut
/// off between a send and its mark).
pub const RECORD_BUDGET: Duration = Duration::from_millis(5 * 2500 + 500);

/// How long an invocation may take when its context gives no deadline
/// (local runs): the function's timeout in template.yaml (30 s) less a
/// margin.
pub const INVOCATION_BUDGET: Duration = Duration::from_secs(29);

/// Environment variable naming the sender (a verified SES identity).
pub const MAIL_FROM_VAR: &str = "MAIL_FROM";

/// The mailer, built once per cold start.
#[derive(Debug)]
pub struct Mailer<T> {
    /// The user-accounts table (outbox items).
    pub table: Table,
    /// Where messages go.
    pub transport: T,
    /// Sender and subjects.
    pub letterhead: Letterhead,
}

impl Mailer<Ses> {
    /// The deployed mailer: the table from `TABLE_NAME`, SES, and the
    /// letterhead from `MAIL_FROM` (required: a verified SES identity),
    /// `MAIL_CONFIGURATION_SET`, `MAIL_CODE_SUBJECT` and
    /// `MAIL_NOTICE_SUBJECT` (optional).
    pub fn from_env() -> Result<Self, String> {
        let table = Table::from_env(shared::store::client_from_env(), "TABLE_NAME", TABLE_LOGICAL_ID);
        Ok(Mailer {
            table,
            transport: Ses::from_env(env("MAIL_CONFIGURATION_SET")),
            letterhead: letterhead_from_env()?,
        })
    }
}

/// The letterhead from the environment (see [`Mailer::from_env`] and
/// [`letterhead_from`]).
pub fn letterhead_from_env() -> Result<Letterhead, String> {
    letterhead_from(
        env(MAIL_FROM_VAR),
        env("MAIL_CODE_SUBJECT"),
        env("MAIL_NOTICE_SUBJECT"),
    )
}

/// The letterhead from the sender and the subjects as configured, checked
/// at cold start so that a misconfiguration fails the function at once
/// instead of every record: the sender exactly as SES will see it (ASCII,
/// SES takes no SMTPUTF8, with the domain lowercase and in punycode: the
/// template's IAM condition `ses:FromAddress` compares it with the
/// configured text, case-sensitively), subjects without line breaks.
pub fn letterhead_from(
    from: Option<String>,
    code_subject: Option<String>,
    notice_subject: Option<String>,
) -> Result<Letterhead, String> {
    let given = from.ok_or_else(|| format!("{MAIL_FROM_VAR} is not set"))?;
    let from = EmailAddress::parse(&given).map_err(|e| format!("{MAIL_FROM_VAR}: {e}"))?;
    let ascii = from
        .to_ascii()
        .ok_or_else(|| format!("{MAIL_FROM_VAR}: its local part must be ASCII"))?;
    if ascii != given {
        return Err(format!(
            "{MAIL_FROM_VAR} must be written as SES sends it, {ascii}: the role may send only from \
             that exact text"
        ));
    }
    let from = EmailAddress::parse(&ascii).map_err(|e| format!("{MAIL_FROM_VAR}: {e}"))?;
    let subject = |var: &str, value: Option<String>, default: &str| match value {
        Some(s) if s.contains(['\r', '\n']) => Err(format!("{var} must be one line")),
        Some(s) => Ok(s),
        None => Ok(default.to_owned()),
    };
    Ok(Letterhead {
        from,
        code_subject: subject("MAIL_CODE_SUBJECT", code_subject, mail::DEFAULT_CODE_SUBJECT)?,
        notice_subject: subject(
            "MAIL_NOTICE_SUBJECT",
            notice_subject,
            mail::DEFAULT_NOTICE_SUBJECT,
        )?,
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Runs the deployed mailer under the Lambda runtime (the whole of
/// `main.rs`).
pub async fn serve() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init(&[env!("CARGO_CRATE_NAME")]);
    let mailer = Mailer::from_env()?;
    lambda_runtime::run(lambda_runtime::service_fn(|event: LambdaEvent<Event>| {
        let deadline = deadline_of(event.context.deadline);
        let mailer = &mailer;
        async move { Ok::<_, lambda_runtime::Error>(mailer.handle(event.payload, deadline).await) }
    }))
    .await
}

/// The instant by which the invocation must answer: Lambda's deadline (ms
/// since the epoch), or [`INVOCATION_BUDGET`] from now when there is none
/// or it has passed already (local emulators).
pub fn deadline_of(deadline_ms: u64) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    match deadline_ms.checked_sub(now_ms) {
        Some(left) if left > 0 => Instant::now() + Duration::from_millis(left),
        _ => Instant::now() + INVOCATION_BUDGET,
    }
}

/// What handling a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The record asks nothing.
    Ignored(Ignored),
    /// No outbox item any more.
    Gone,
    /// The outbox is about a newer change.
    Replaced,
    /// The messages it still owed went out (each flag: that message was
    /// sent now).
    Sent {
        /// The code message.
        code: bool,
        /// The notice.
        notice: bool,
    },
    /// The code had expired: nothing sent, the code removed.
    Expired,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ignored(why) => why.as_str(),
            Outcome::Gone => "gone",
            Outcome::Replaced => "replaced",
            Outcome::Sent {
                code: false,
                notice: false,
            } => "already_sent",
            Outcome::Sent { .. } => "sent",
            Outcome::Expired => "expired",
        }
    }
}

impl<T: Transport> Mailer<T> {
    /// Handles a batch of stream records; answers the records to deliver
    /// again. Records of one account are handled in order, and after one
    /// fails the account's later records are not tried (they are reported
    /// too); accounts are handled concurrently.
    pub async fn handle(&self, event: Event, deadline: Instant) -> DynamoDbEventResponse {
        let mut groups: Vec<(String, Vec<&EventRecord>)> = Vec::new();
        for record in &event.records {
            let keys: shared::store::Item = record.change.keys.clone().into();
            let key = [shared::store::PK, shared::store::SK]
                .map(|name| shared::store::attr::text(&keys, name).unwrap_or_default())
                .join("\n");
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, records)) => records.push(record),
                None => groups.push((key, vec![record])),
            }
        }
        let failed = join_all(
            groups
                .iter()
                .map(|(_, records)| self.handle_in_order(records, deadline)),
        )
        .await;
        response::failures(failed.into_iter().flatten())
    }

    /// Handles one account's records in order; returns the sequence numbers
    /// of those that failed or were not tried.
    async fn handle_in_order(&self, records: &[&EventRecord], deadline: Instant) -> Vec<String> {
        let mut failed = Vec::new();
        for (n, record) in records.iter().enumerate() {
            let sequence = record.change.sequence_number.clone().unwrap_or_default();
            // The first record is always tried: a function whose timeout is
            // shorter than a record's budget still makes progress (a record
            // cut off by the timeout is delivered again).
            let short = n > 0 && deadline.saturating_duration_since(Instant::now()) < RECORD_BUDGET;
            let result = if !failed.is_empty() {
                Err(RecordError::AfterFailure)
            } else if short {
                Err(RecordError::NoTime)
            } else {
                self.deliver(record).await
            };
            match result {
                Ok(outcome) => {
                    tracing::info!(sequence, outcome = outcome.as_str(), "outbox record");
                }
                Err(e) => {
                    tracing::warn!(sequence, error = %e, "outbox record failed; it will be delivered again");
                    failed.push(sequence);
                }
            }
        }
        failed
    }

    /// Sends what `record`'s change still owes, marking each message sent.
    pub async fn deliver(&self, record: &EventRecord) -> Result<Outcome, RecordError> {
        let delivery = match request::parse(record) {
            Ok(delivery) => delivery,
            Err(ignored) => return Ok(Outcome::Ignored(ignored)),
        };
        let owed = match store::find(&self.table, &delivery).await? {
            Found::Owes(owed) => owed,
            Found::Gone => return Ok(Outcome::Gone),
            Found::Replaced => return Ok(Outcome::Replaced),
        };
        let now = Timestamp::now();
        let live = owed.expires_at.is_some_and(|at| at > now);
        if owed.code.is_some() && !live {
            store::drop_expired(&self.table, &delivery, &owed.about).await?;
            return Ok(Outcome::Expired);
        }
        let mut sent = (false, false);
        if let Some(code) = &owed.code {
            let expires = owed.expires_at.unwrap_or(now);
            let mail = mail::code_message(&self.letterhead, &owed.to, code, expires);
            sent.0 = self.send(&delivery, mail).await?;
            if !store::mark_sent(&self.table, &delivery, &owed.about, Kind::Code, Timestamp::now()).await? {
                // Replaced or gone since the read: the notice belongs to
                // the newer change's own record.
                return Ok(Outcome::Replaced);
            }
        }
        if let Some(current) = &owed.notify {
            let mail = mail::notice_message(&self.letterhead, current, &owed.to);
            sent.1 = self.send(&delivery, mail).await?;
            store::mark_sent(
                &self.table,
                &delivery,
                &owed.about,
                Kind::Notice,
                Timestamp::now(),
            )
            .await?;
        }
        Ok(Outcome::Sent {
            code: sent.0,
            notice: sent.1,
        })
    }

    /// Sends `mail`; false (and a log line) when its address cannot be sent
    /// to through a transport without SMTPUTF8.
    async fn send(&self, delivery: &Delivery, mut mail: Mail) -> Result<bool, RecordError> {
        let Some(ascii) = EmailAddress::parse(&mail.to).ok().and_then(|a| a.to_ascii()) else {
            tracing::warn!(
                account = delivery.account,
                kind = mail.kind.as_str(),
                to = mail::mask(&mail.to),
                "address cannot be mailed (its local part is not ASCII); message skipped"
            );
            return Ok(false);
        };
        mail.to = ascii;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let raw = mail
            .to_rfc5322(time::OffsetDateTime::now_utc(), &id)
            .map_err(|e| transport::SendError::Refused(e.to_string()))?;
        self.transport.send(&mail, raw).await?;
        tracing::info!(
            account = delivery.account,
            kind = mail.kind.as_str(),
            to = mail::mask(&mail.to),
            "message sent"
        );
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(sender: &str) -> Result<Letterhead, String> {
        letterhead_from(Some(sender.to_owned()), None, None)
    }

    #[test]
    fn the_sender_is_taken_only_as_ses_sends_it() {
        let letterhead = from("no-reply@example.com").unwrap();
        assert_eq!(letterhead.from.as_str(), "no-reply@example.com");
        assert_eq!(letterhead.code_subject, mail::DEFAULT_CODE_SUBJECT);
        // IAM's ses:FromAddress compares the configured text with what is
        // sent: a domain SES would see otherwise is refused at cold start.
        for other in ["no-reply@Example.com", "no-reply@bücher.de", "nö@example.com"] {
            assert!(from(other).is_err(), "{other}");
        }
        assert!(from("no-reply@xn--bcher-kva.de").is_ok());
        assert!(letterhead_from(None, None, None).is_err());
        assert!(letterhead_from(Some("a@example.com".into()), Some("two\nlines".into()), None).is_err());
    }
}
