//! HTTP plumbing every endpoint shares: reading the body, the request id,
//! path parameters, and building responses. Envelopes (what an error body
//! looks like) belong to each endpoint; this module only carries bytes.

mod body;
mod json_object;
mod media_type;
pub mod precondition;
mod request;
mod response;

pub use body::{BodyError, MAX_BODY_BYTES, parse_json_object};
pub use json_object::JsonObjectBody;
pub use media_type::{ACCEPTED_MEDIA_TYPES, json_body};
pub use request::{header, path_param, query_param, request_id};
pub use response::{empty, error, json, public_message, success, with_request_id};
