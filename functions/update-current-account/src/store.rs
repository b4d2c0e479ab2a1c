//! Accounts of the v1 API in DynamoDB: keys, attributes, items, and the
//! PATCH write. Every write goes through [`shared::store::write::write`]:
//! the plans are made here and in the submodules, the driver reads,
//! commits, classifies and retries.
//!
//! Items:
//! - account: `pk = ACCOUNT#<id>`, `sk = ACCOUNT`, with the contract's
//!   fields (`id`, `email`, `name`, `type`, `status`, `created_at`,
//!   `updated_at`, `settings`), `version`, `email_verification` (`required`
//!   or `none`), and while an email change awaits confirmation
//!   `pending_email`, `pending_code_sha256`, `pending_expires_at`,
//!   `pending_attempts`; and the verification budget of the current window
//!   (`verify_window_started_at`, `verify_codes_sent`, `verify_tries`, see
//!   [`budget`]);
//! - email marker: `pk = EMAIL#<normalized email>`, `sk = EMAIL`, with the
//!   owning `account_id` and `state` `active`. Only addresses accounts hold
//!   have markers: a pending address reserves nothing. (Earlier versions
//!   wrote `pending` markers for pending addresses; any account may take
//!   one of those, see [`email::owner`].)
//! - outbox: `pk = ACCOUNT#<id>`, `sk = OUTBOX#EMAIL_CHANGE`, the messages a
//!   pending change owes, which the mailer sends (see [`outbox`]).
//!
//! The PATCH write ([`apply`]): without an email, one UpdateItem (settings
//! merged key by key; `ALL_NEW` gives the response), planned again from the
//! item, version-checked, if the speculative one fails. With one, the plan
//! is made from the account as read (its `version`, current address and
//! verification budget), see [`email`].
//!
//! Submodules: [`budget`] (the verification budget's counters and
//! conditions), [`email`] (markers, the pending change, the plans that
//! change an address), [`confirm`] (the confirmation's writes), [`outbox`]
//! (the messages a pending change owes, for the mailer), [`view`] (the
//! account item as the 200 body shows it), [`seeded`] (the items a seed
//! file puts).

pub mod budget;
pub mod confirm;
pub mod email;
pub mod outbox;
pub mod seeded;
pub mod view;

pub use outbox::outbox_key;

use crate::{change::Change, error::ApiError, request::AccountId};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    Ctx,
    clock::Timestamp,
    error::{Common, from_write_failure},
    store::{Cond, Item, Key, PK, Table, Update, claims::marker_key, merge, write::write},
};

pub use shared::store::attr::text;

/// Attribute names of an account item.
pub mod attrs {
    /// Account id.
    pub const ID: &str = "id";
    /// Email, as given.
    pub const EMAIL: &str = "email";
    /// Name.
    pub const NAME: &str = "name";
    /// `individual` or `business`.
    pub const TYPE: &str = "type";
    /// Status.
    pub const STATUS: &str = "status";
    /// Creation time.
    pub const CREATED_AT: &str = "created_at";
    /// Last update time.
    pub const UPDATED_AT: &str = "updated_at";
    /// Preferences map.
    pub const SETTINGS: &str = "settings";
    /// Write counter.
    pub const VERSION: &str = "version";
    /// `required` when email changes need confirmation, else `none`.
    pub const EMAIL_VERIFICATION: &str = "email_verification";
    /// The address a change awaits confirmation for.
    pub const PENDING_EMAIL: &str = "pending_email";
    /// SHA-256 of `<account id>:<code>`.
    pub const PENDING_CODE: &str = "pending_code_sha256";
    /// When the code expires.
    pub const PENDING_EXPIRES_AT: &str = "pending_expires_at";
    /// Codes tried so far on the pending change (the right one included).
    pub const PENDING_ATTEMPTS: &str = "pending_attempts";
    /// When the current verification window started (see [`super::budget`]).
    pub const VERIFY_WINDOW_STARTED_AT: &str = "verify_window_started_at";
    /// Codes sent in the current verification window.
    pub const VERIFY_CODES_SENT: &str = "verify_codes_sent";
    /// Codes tried in the current verification window.
    pub const VERIFY_TRIES: &str = "verify_tries";
}

/// Marker attribute naming the account that holds an email.
pub const MARKER_OWNER: &str = "account_id";

/// The key of an account item (`id` an account id, see [`AccountId`]).
pub fn account_key(id: &(impl AsRef<str> + ?Sized)) -> Key {
    Key::new(format!("ACCOUNT#{}", id.as_ref()), "ACCOUNT")
}

/// The key of the marker of a normalized email.
pub fn email_key(normalized: &str) -> Key {
    marker_key("EMAIL", normalized)
}

/// Applies `change` to account `id`; returns the account item after. 404
/// when the account does not exist, 409 when the new address is another
/// account's, 429 past the verification budget.
pub async fn apply(ctx: &Ctx, table: &Table, id: &AccountId, change: &Change) -> Result<Item, ApiError> {
    let key = account_key(id);
    let Some(email) = &change.email else {
        let now = Timestamp::now();
        let after = write(
            ctx,
            table,
            &key,
            Some(speculative(change, now)),
            |item| -> Result<_, ApiError> {
                let item = item.ok_or(Common::NotFound)?;
                Ok(versioned_update(Some(change), item, now).into())
            },
        )
        .await?;
        return Ok(after);
    };
    write(ctx, table, &key, None, |item| {
        let item = item.ok_or(Common::NotFound)?;
        email::plan_change(table, id, change, email, item)
    })
    .await
    .map_err(|f| from_write_failure(f, |_| ApiError::EmailExists))
}

/// The UpdateItem tried before any read for a change without an email:
/// name, settings key by key, `updated_at`, version bump, on an existing
/// account with a settings map.
fn speculative(change: &Change, now: Timestamp) -> Update {
    let mut first = Update::new();
    if let Some(name) = &change.name {
        first.set(&[attrs::NAME], AttributeValue::S(name.as_str().to_owned()));
    }
    first
        .set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK));
    if !change.settings.is_empty() {
        merge::merge_keys(&mut first, attrs::SETTINGS, &change.settings, None);
    }
    first
}

/// Name, settings (whole, merged from `item`), `updated_at`, version bump,
/// conditioned on the version of `item`: the base of every planned account
/// update (`change` is `None` for a confirmation).
pub fn versioned_update(change: Option<&Change>, item: &Item, now: Timestamp) -> Update {
    let mut update = Update::new();
    if let Some(change) = change {
        if let Some(name) = &change.name {
            update.set(&[attrs::NAME], AttributeValue::S(name.as_str().to_owned()));
        }
        if !change.settings.is_empty() {
            merge::set_merged(
                &mut update,
                attrs::SETTINGS,
                merge::merged(item, attrs::SETTINGS, &change.settings),
            );
        }
    }
    update
        .set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::unchanged(item, attrs::VERSION));
    update
}
