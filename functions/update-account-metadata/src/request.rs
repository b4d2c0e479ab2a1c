//! What the request carries: the method, the account id from the path
//! (validated on parse), and the body as sent (serde, before any rule of
//! [`crate::change`]).

use crate::error::ApiError;
use lambda_http::{Request, http::Method};
use serde::Deserialize;
use serde_json::{Map, Value};
pub use shared::http::JsonObjectBody;
use shared::{http, patch::Patch, validate::is_record_id};

/// The one method this route serves.
pub const METHOD: Method = Method::PATCH;

/// The path parameter naming the account (`/accounts/{accountId}/metadata`).
pub const ACCOUNT_ID_PARAM: &str = "accountId";

/// The largest body read (64 KiB); larger is a 413.
pub const MAX_BODY_BYTES: usize = http::MAX_BODY_BYTES;

/// An account id from the path: 1-128 ASCII letters, digits, `_` or `-`.
/// Only [`AccountId::parse`] makes one, so a key is never built from
/// anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// Checks an id ([`ApiError::InvalidAccountId`] when it cannot name an account).
    pub fn parse(id: &str) -> Result<Self, ApiError> {
        is_record_id(id)
            .then(|| AccountId(id.to_owned()))
            .ok_or(ApiError::InvalidAccountId)
    }

    /// The id in the request's path: [`ApiError::MissingAccountId`] when
    /// there is none (or it is empty), else as [`AccountId::parse`].
    pub fn from_path(req: &Request) -> Result<Self, ApiError> {
        let id = http::path_param(req, ACCOUNT_ID_PARAM).ok_or(ApiError::MissingAccountId)?;
        AccountId::parse(id)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The body as sent: a JSON object whose fields are all optional (absent,
/// `null` or a value, kept apart by [`Patch`]); unknown fields are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireBody {
    /// `name`, as sent.
    #[serde(default)]
    pub name: Patch<String>,
    /// `domain`, as sent.
    #[serde(default)]
    pub domain: Patch<String>,
    /// `metadata`, as sent: an object to merge.
    #[serde(default)]
    pub metadata: Patch<Map<String, Value>>,
}

/// Read by the shared body rules ([`JsonObjectBody`]: 415, 413, 400).
impl JsonObjectBody for WireBody {
    type Error = ApiError;
}
