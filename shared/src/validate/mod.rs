//! Validation rules shared by the endpoints. Each rule is a type that can
//! only hold a valid value (parse, don't validate), or a check with an error
//! enum whose messages a client can act on.

mod domain;
mod map_key;
mod text;

pub use domain::{DomainError, DomainName};
pub use map_key::{MapKeyError, check_map_key};
pub use text::{BoundedText, TextError};
