//! Validation rules shared by the endpoints. Each rule is a type that can
//! only hold a valid value (parse, don't validate), or a check with an error
//! enum whose messages a client can act on.

mod codes;
mod domain;
mod email;
mod json_value;
mod map_key;
mod phone;
mod record_id;
mod text;
mod timezone;

pub use codes::{is_country, is_currency, is_language_tag};
pub use domain::{DomainError, DomainName};
pub use email::{EmailAddress, EmailError};
pub use json_value::{
    JsonValueError, MetadataError, MetadataLimits, StoredJson, compact_json_len, storable_number, stored_json,
};
pub use map_key::{MapKeyError, check_map_key};
pub use phone::{PhoneError, PhoneNumber};
pub use record_id::is_record_id;
pub use text::{BoundedText, TextError};
pub use timezone::is_iana_timezone;
