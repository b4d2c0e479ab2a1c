//! What a stream record carries: which account's outbox it is about and
//! which change ([`Delivery`]), or why the record asks nothing of the
//! mailer ([`Ignored`]).
//!
//! The event source mapping's filter (template.yaml) already lets through
//! only writes of outbox items that hold a code; the same rule is checked
//! here, so a record the filter should have dropped is ignored, never
//! mailed.

use aws_lambda_events::event::dynamodb::EventRecord;
use shared::store::{Item, attr::text};
use update_current_account::{
    change::code::code_hash,
    store::outbox::{OUTBOX_SK, attrs},
};

/// The partition key prefix of an account's items.
const ACCOUNT_PK_PREFIX: &str = "ACCOUNT#";

/// A record that asks for an outbox's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The account whose outbox it is.
    pub account: String,
    /// The change the record was written for (its code's hash).
    pub change: String,
}

/// Why a record asks nothing of the mailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// A removal (a confirmed, dropped or expired change).
    Removal,
    /// Not an outbox item.
    NotOutbox,
    /// An outbox item without a code: one the mailer itself marked sent.
    NoCode,
}

impl Ignored {
    /// Its name in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Ignored::Removal => "removal",
            Ignored::NotOutbox => "not_outbox",
            Ignored::NoCode => "no_code",
        }
    }
}

/// What `record` asks of the mailer.
pub fn parse(record: &EventRecord) -> Result<Delivery, Ignored> {
    if !matches!(record.event_name.as_str(), "INSERT" | "MODIFY") {
        return Err(Ignored::Removal);
    }
    let keys: Item = record.change.keys.clone().into();
    let account = match (text(&keys, "pk"), text(&keys, "sk")) {
        (Some(pk), Some(OUTBOX_SK)) => pk.strip_prefix(ACCOUNT_PK_PREFIX),
        _ => None,
    }
    .filter(|id| !id.is_empty())
    .ok_or(Ignored::NotOutbox)?;
    let image: Item = record.change.new_image.clone().into();
    let code = text(&image, attrs::CODE).ok_or(Ignored::NoCode)?;
    // Items written before the outbox named its change are identified by
    // their code's hash, which is what `change` holds.
    let change = text(&image, attrs::CHANGE)
        .map(str::to_owned)
        .unwrap_or_else(|| code_hash(account, code));
    Ok(Delivery {
        account: account.to_owned(),
        change,
    })
}
