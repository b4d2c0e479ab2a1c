//! A request body that is one JSON object of known fields.

use super::{BodyError, MAX_BODY_BYTES, json_body, parse_json_object};
use lambda_http::{Body, Request};
use serde::de::DeserializeOwned;

/// An endpoint's body as sent: one JSON object of at most
/// [`MAX_BODY_BYTES`], read into `Self` (whose serde attributes say which
/// fields it knows). An endpoint implements it with its error type and
/// overrides [`JsonObjectBody::parse`] only to check more.
pub trait JsonObjectBody: DeserializeOwned {
    /// The endpoint's error, which every refusal of the body becomes
    /// (415, 413, 400 in the endpoint's envelope).
    type Error: From<BodyError>;

    /// The request's body: declared as JSON (415 otherwise, see
    /// [`json_body`]), then as [`JsonObjectBody::parse`].
    fn from_request(req: &Request) -> Result<Self, Self::Error> {
        Self::parse(json_body(req)?)
    }

    /// Parses a body: at most [`MAX_BODY_BYTES`] (413), UTF-8 JSON, an
    /// object with only known fields of the right types (400).
    fn parse(body: &Body) -> Result<Self, Self::Error> {
        Ok(parse_json_object(body, MAX_BODY_BYTES)?)
    }
}
