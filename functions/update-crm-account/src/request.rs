//! What comes from the request: the method, the account id from the path,
//! the `allow_new_options` flag from the query, and the body as sent.
//!
//! Everything here is checked on parse: an [`AccountId`] is always a
//! positive i64, [`Flags`] are always known values, and a [`WireBody`] is a
//! JSON object of the contract's fields and types (its rules are
//! [`crate::change`]'s).

use crate::error::{ApiError, invalid};
use lambda_http::{Request, http::Method};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
pub use shared::http::JsonObjectBody;
use shared::{http, patch::Patch};
use std::fmt;

/// The route's method; anything else is 405.
pub const METHOD: Method = Method::PATCH;

/// The path parameter naming the account.
pub const ACCOUNT_ID_PARAM: &str = "accountId";
/// The query parameter allowing new dropdown / multiselect options.
pub const ALLOW_NEW_OPTIONS_PARAM: &str = "allow_new_options";

/// A positive account id that fits an i64, from the path. Only
/// [`AccountId::parse`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountId(i64);

impl AccountId {
    /// Parses the path parameter: digits only, no sign, no leading zero,
    /// 1..=i64::MAX; else 400 naming `accountId`.
    pub fn parse(text: Option<&str>) -> Result<Self, ApiError> {
        let text = text.unwrap_or_default();
        let canonical =
            !text.is_empty() && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit());
        match text.parse::<i64>() {
            Ok(id) if canonical && id > 0 => Ok(AccountId(id)),
            _ => Err(invalid(
                ACCOUNT_ID_PARAM,
                "must be a positive integer (at most 9223372036854775807)",
            )),
        }
    }

    /// The id in the request's path (see [`AccountId::parse`]).
    pub fn from_path(req: &Request) -> Result<Self, ApiError> {
        Self::parse(http::path_param(req, ACCOUNT_ID_PARAM))
    }

    /// The id, always positive.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The query's flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// `allow_new_options`: a dropdown or multiselect value that is not an
    /// option yet is added to the field's definition (default: refused).
    pub allow_new_options: bool,
}

impl Flags {
    /// Parses `allow_new_options`: `true` or `false`, default `false`;
    /// anything else is 400 naming it.
    pub fn parse(allow_new_options: Option<&str>) -> Result<Self, ApiError> {
        let allow_new_options = match allow_new_options {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(invalid(ALLOW_NEW_OPTIONS_PARAM, "must be true or false")),
        };
        Ok(Flags { allow_new_options })
    }

    /// The request's flags (see [`Flags::parse`]).
    pub fn from_query(req: &Request) -> Result<Self, ApiError> {
        Self::parse(http::query_param(req, ALLOW_NEW_OPTIONS_PARAM))
    }
}

/// `residential` or `commercial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// A home.
    Residential,
    /// A business.
    Commercial,
}

impl AccountType {
    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Residential => "residential",
            AccountType::Commercial => "commercial",
        }
    }
}

/// A contact as sent: `name`, and optionally `email`, `phone`, `role`;
/// nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireContact {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) phone: Option<String>,
    #[serde(default)]
    pub(crate) role: Option<String>,
}

/// The body as sent: a JSON object of the contract's fields, each of its
/// type (or absent, or `null`), nothing else. `createdAt` and `updatedAt`
/// are accepted and ignored: the server manages them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WireBody {
    #[serde(default)]
    pub(crate) id: Patch<i64>,
    #[serde(default, rename = "createdAt")]
    _created_at: Patch<Value>,
    #[serde(default, rename = "updatedAt")]
    _updated_at: Patch<Value>,
    #[serde(default)]
    pub(crate) title: Patch<String>,
    #[serde(default)]
    pub(crate) description: Patch<String>,
    #[serde(default)]
    pub(crate) address: Patch<Vec<String>>,
    #[serde(default)]
    pub(crate) is_active: Patch<bool>,
    #[serde(default)]
    pub(crate) primary_email: Patch<String>,
    #[serde(default)]
    pub(crate) primary_phone: Patch<String>,
    #[serde(default)]
    pub(crate) number: Patch<i64>,
    #[serde(default)]
    pub(crate) custom: Patch<Map<String, Value>>,
    #[serde(default)]
    pub(crate) account_type: Patch<AccountType>,
    #[serde(default)]
    pub(crate) contacts: Patch<Vec<WireContact>>,
}

/// Read by the shared body rules ([`JsonObjectBody`]: 415, 413, 400).
impl JsonObjectBody for WireBody {
    type Error = ApiError;
}
