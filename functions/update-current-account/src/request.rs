//! What a request brings besides its credential: the account named by
//! `X-Account-Id`, and the wire bodies of both routes.
//!
//! Everything here is parsed, not trusted: an [`AccountId`] exists only once
//! checked, and the bodies are the serde shapes of the contract (unknown
//! fields refused); their rules live in [`crate::change`].

use crate::error::{ApiError, invalid};
use lambda_http::Request;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    http::{self, MAX_BODY_BYTES},
    patch::Patch,
};
use std::fmt;

pub use shared::validate::is_record_id as is_account_id;

/// The header an admin names another account with.
pub const ACCOUNT_HEADER: &str = "x-account-id";

/// An account id: 1-128 letters, digits, `_` or `-` ([`is_account_id`]).
/// Holding one means it passed that check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct AccountId(String);

impl AccountId {
    /// `Some` when `id` is an account id.
    pub fn parse(id: &str) -> Option<Self> {
        is_account_id(id).then(|| AccountId(id.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountId {
    type Error = String;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        if is_account_id(&id) {
            Ok(AccountId(id))
        } else {
            Err(format!("{id:?} is not an account id"))
        }
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The account `X-Account-Id` names: `None` when the header is absent;
/// 400 when it is present but empty, repeated, not visible ASCII, or not an
/// account id ([`is_account_id`]: 1-128 letters, digits, `_` or `-`).
pub fn named_account(req: &Request) -> Result<Option<AccountId>, ApiError> {
    let mut values = req.headers().get_all(ACCOUNT_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let refuse = || {
        invalid(
            "X-Account-Id",
            "must be one account id (1-128 letters, digits, '_' or '-')",
        )
    };
    if values.next().is_some() {
        return Err(refuse());
    }
    value
        .to_str()
        .ok()
        .and_then(AccountId::parse)
        .map(Some)
        .ok_or_else(refuse)
}

/// The PATCH body as sent: each field absent, `null` or a value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    /// New name.
    #[serde(default)]
    pub name: Patch<String>,
    /// New email.
    #[serde(default)]
    pub email: Patch<String>,
    /// Settings to merge.
    #[serde(default)]
    pub settings: Patch<Map<String, Value>>,
}

/// The confirmation body as sent: `{"code": "..."}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    /// The code as typed (checked by [`crate::change::code::parse_code`]).
    pub code: String,
}

/// The JSON object body of `req`: 415 unless declared as JSON, 413 past
/// [`MAX_BODY_BYTES`], 400 unless a JSON object of `T`'s shape.
pub fn body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    Ok(http::parse_json_object(http::json_body(req)?, MAX_BODY_BYTES)?)
}
