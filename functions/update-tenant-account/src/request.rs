//! What the request carries: the method, the account id from the path
//! (validated on parse), and the body as sent (serde, before any rule of
//! [`crate::change`]).

use crate::error::ApiError;
use lambda_http::{Request, http::Method};
use serde::Deserialize;
pub use shared::http::JsonObjectBody;
use shared::{http, patch::Patch};

/// The one method this route serves.
pub const METHOD: Method = Method::PATCH;

/// The path parameter naming the account (`/v0/accounts/{account_id}`).
pub const ACCOUNT_ID_PARAM: &str = "account_id";

/// The prefix of every account id (a TypeID's type).
pub const ACCOUNT_ID_PREFIX: &str = "account_";

/// How many `[a-z0-9]` characters follow [`ACCOUNT_ID_PREFIX`].
pub const ACCOUNT_ID_SUFFIX_CHARS: usize = 26;

/// The largest body read (64 KiB); larger is a 413.
pub const MAX_BODY_BYTES: usize = http::MAX_BODY_BYTES;

/// An account id: `account_` and 26 characters of `[a-z0-9]` (a TypeID;
/// the contract's pattern `^account_[a-z0-9]{26}$`). Only
/// [`AccountId::parse`] makes one, so a key is never built from anything
/// else, and an id never holds a `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// Checks an id against the contract's pattern
    /// ([`ApiError::InvalidAccountId`] when it does not match).
    pub fn parse(id: &str) -> Result<Self, ApiError> {
        let valid = id.strip_prefix(ACCOUNT_ID_PREFIX).is_some_and(|s| {
            s.len() == ACCOUNT_ID_SUFFIX_CHARS
                && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        valid
            .then(|| AccountId(id.to_owned()))
            .ok_or(ApiError::InvalidAccountId)
    }

    /// The id in the request's path, as [`AccountId::parse`]; a missing one
    /// is checked as empty (400).
    pub fn from_path(req: &Request) -> Result<Self, ApiError> {
        AccountId::parse(http::path_param(req, ACCOUNT_ID_PARAM).unwrap_or_default())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The body as sent: a JSON object with only `name` (absent, `null` or a
/// value, kept apart by [`Patch`]); unknown fields are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireBody {
    /// `name`, as sent.
    #[serde(default)]
    pub name: Patch<String>,
}

/// Read by the shared body rules ([`JsonObjectBody`]: 415, 413, 400).
impl JsonObjectBody for WireBody {
    type Error = ApiError;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_follow_the_contract_pattern() {
        assert!(AccountId::parse("account_01h455vb4pex5vsknk084sn02q").is_ok());
        for bad in [
            "",
            "account_",
            "acct_01h455vb4pex5vsknk084sn02q",
            "account_01H455VB4PEX5VSKNK084SN02Q",
            "account_01h455vb4pex5vsknk084sn02",
            "account_01h455vb4pex5vsknk084sn02qq",
            "account_01h455vb4pex5vsknk084sn0-q",
            "xaccount_01h455vb4pex5vsknk084sn02q",
        ] {
            assert!(AccountId::parse(bad).is_err(), "{bad}");
        }
    }
}
