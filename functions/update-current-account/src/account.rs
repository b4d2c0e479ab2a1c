//! Accounts of the v1 API in DynamoDB: keys, attributes and the response.
//!
//! Items:
//! - account: `pk = ACCOUNT#<id>`, `sk = ACCOUNT`, with the contract's
//!   fields (`id`, `email`, `name`, `type`, `status`, `created_at`,
//!   `updated_at`, `settings`), `version`, `email_verification` (`required`
//!   or `none`), and while an email change awaits confirmation
//!   `pending_email`, `pending_code_sha256`, `pending_expires_at`,
//!   `pending_attempts`; and the verification budget of the current window
//!   (`verify_window_started_at`, `verify_codes_sent`, `verify_tries`, see
//!   [`crate::budget`]);
//! - email marker: `pk = EMAIL#<normalized email>`, `sk = EMAIL`, with the
//!   owning `account_id` and `state` `active`. Only addresses accounts hold
//!   have markers: a pending address reserves nothing. (Earlier versions
//!   wrote `pending` markers for pending addresses; any account may take
//!   one of those, see [`crate::write::owner`].)
//! - outbox: `pk = ACCOUNT#<id>`, `sk = OUTBOX#EMAIL_CHANGE`, the message a
//!   mailer sends to the new address (`to`, `code`, `expires_at`).

use crate::error::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde_json::{Map, Value};
use shared::store::{Item, Key, attr, claims::marker_key};

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
    /// When the current verification window started (see [`crate::budget`]).
    pub const VERIFY_WINDOW_STARTED_AT: &str = "verify_window_started_at";
    /// Codes sent in the current verification window.
    pub const VERIFY_CODES_SENT: &str = "verify_codes_sent";
    /// Codes tried in the current verification window.
    pub const VERIFY_TRIES: &str = "verify_tries";
}

/// Marker attribute naming the account that holds an email.
pub const MARKER_OWNER: &str = "account_id";

/// The key of an account item.
pub fn account_key(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

/// The key of the marker of a normalized email.
pub fn email_key(normalized: &str) -> Key {
    marker_key("EMAIL", normalized)
}

/// The key of an account's pending-change message.
pub fn outbox_key(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "OUTBOX#EMAIL_CHANGE")
}

pub use shared::store::attr::text;

/// The 200 response, in the contract's shape; `pending_email` appears only
/// while a change awaits confirmation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountView {
    /// Account id.
    pub id: String,
    /// Current email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `individual` or `business`.
    #[serde(rename = "type")]
    pub account_type: String,
    /// Status.
    pub status: String,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Preferences.
    pub settings: Map<String, Value>,
    /// The address awaiting confirmation, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
}

impl AccountView {
    /// The view of a stored account item.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let field = |name: &str| {
            text(item, name)
                .map(str::to_owned)
                .ok_or_else(|| ApiError::Internal(format!("stored account has no {name}")))
        };
        Ok(AccountView {
            id: field(attrs::ID)?,
            email: field(attrs::EMAIL)?,
            name: field(attrs::NAME)?,
            account_type: field(attrs::TYPE)?,
            status: field(attrs::STATUS)?,
            created_at: field(attrs::CREATED_AT)?,
            updated_at: field(attrs::UPDATED_AT)?,
            settings: match item.get(attrs::SETTINGS) {
                Some(AttributeValue::M(map)) => attr::map_to_json(map),
                _ => Map::new(),
            },
            pending_email: text(item, attrs::PENDING_EMAIL).map(str::to_owned),
        })
    }
}
