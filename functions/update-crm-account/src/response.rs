//! The success response: the account item as the contract shows it
//! ([`AccountView`]), and the rendering of a request's outcome, with the
//! `/clients` alias's deprecation headers.

use crate::{error::ApiError, request::AccountId, store::attrs};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{HeaderValue, StatusCode},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::{
    http,
    store::{Item, attr},
};

/// When the `/clients` alias was deprecated (RFC 9745 `Deprecation`, a
/// structured-field date: 2026-01-01T00:00:00Z).
pub const CLIENTS_DEPRECATED_AT: &str = "@1767225600";

/// The deprecated alias's path prefix.
pub const CLIENTS_PREFIX: &str = "/clients/";

/// Renders the outcome: 200 with the full account ([`AccountView`] of the
/// item written), or the error in this endpoint's envelope. Both routes get
/// the same response; those on `/clients/...` also carry `Deprecation` and,
/// for a valid id, a `Link` to the successor (never raw input).
pub fn render(req: &Request, outcome: Result<Item, ApiError>, request_id: &str) -> Response<Body> {
    let mut response = match outcome.and_then(|item| AccountView::from_item(&item)) {
        Ok(account) => http::success(StatusCode::OK, &account, request_id),
        Err(e) => e.into_response(request_id),
    };
    if req.raw_http_path().starts_with(CLIENTS_PREFIX) {
        let headers = response.headers_mut();
        headers.insert("deprecation", HeaderValue::from_static(CLIENTS_DEPRECATED_AT));
        if let Ok(id) = AccountId::from_path(req)
            && let Ok(link) = HeaderValue::from_str(&format!("</accounts/{id}>; rel=\"successor-version\""))
        {
            headers.insert("link", link);
        }
    }
    response
}

/// A contact as the contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Email, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (E.164), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Role, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The 200 response: the full account, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Account id.
    pub id: i64,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Title.
    pub title: String,
    /// Description or null.
    pub description: Option<String>,
    /// Address lines.
    pub address: Vec<String>,
    /// Active flag.
    pub is_active: bool,
    /// Primary email or null.
    pub primary_email: Option<String>,
    /// Primary phone or null.
    pub primary_phone: Option<String>,
    /// Number.
    pub number: i64,
    /// Custom fields.
    pub custom: Map<String, Value>,
    /// Account type or null.
    pub account_type: Option<String>,
    /// Contacts.
    pub contacts: Vec<Contact>,
}

impl AccountView {
    /// The view of a stored account item; 500 when a required attribute is
    /// missing or malformed.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let bad = |what: &str| -> ApiError {
            shared::error::Common::Internal(format!("stored account has a malformed {what}")).into()
        };
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let number = |name: &str| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        };
        let address = match item.get(attrs::ADDRESS) {
            Some(AttributeValue::L(lines)) => lines
                .iter()
                .map(|l| l.as_s().cloned().map_err(|_| bad("address")))
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let contacts = match item.get(attrs::CONTACTS) {
            Some(value @ AttributeValue::L(_)) => {
                serde_dynamo::from_attribute_value(value.clone()).map_err(|_| bad("contacts"))?
            }
            _ => Vec::new(),
        };
        let custom = match item.get(attrs::CUSTOM) {
            Some(AttributeValue::M(map)) => attr::map_to_json(map),
            _ => Map::new(),
        };
        Ok(AccountView {
            id: number(attrs::ID).ok_or_else(|| bad("id"))?,
            created_at: text(attrs::CREATED_AT).ok_or_else(|| bad("createdAt"))?,
            updated_at: text(attrs::UPDATED_AT).ok_or_else(|| bad("updatedAt"))?,
            title: text(attrs::TITLE).ok_or_else(|| bad("title"))?,
            description: text(attrs::DESCRIPTION),
            address,
            is_active: matches!(item.get(attrs::IS_ACTIVE), Some(AttributeValue::Bool(true))),
            primary_email: text(attrs::PRIMARY_EMAIL),
            primary_phone: text(attrs::PRIMARY_PHONE),
            number: number(attrs::NUMBER).ok_or_else(|| bad("number"))?,
            custom,
            account_type: text(attrs::ACCOUNT_TYPE),
            contacts,
        })
    }
}
