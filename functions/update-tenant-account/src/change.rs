//! The wire body validated into the one change this endpoint makes: a
//! [`Rename`]. Every limit of the contract's body is a constant here, next
//! to the rule that uses it.

use crate::{error::ApiError, request::WireBody};
use shared::{patch::Patch, validate::BoundedText};

/// Shortest account name, in characters (the contract's 1-255).
pub const MIN_ACCOUNT_NAME_CHARS: usize = 1;

/// Longest account name, in characters (the contract's 1-255).
pub const MAX_ACCOUNT_NAME_CHARS: usize = 255;

/// An account name: [`MIN_ACCOUNT_NAME_CHARS`]-[`MAX_ACCOUNT_NAME_CHARS`]
/// characters, not blank, no control characters.
pub type AccountName = BoundedText<MIN_ACCOUNT_NAME_CHARS, MAX_ACCOUNT_NAME_CHARS>;

/// A valid rename: the only way to make one is [`Rename::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The new name.
    pub name: AccountName,
}

impl Rename {
    /// The rename a body asks for. `name` is required: absent or `null` is
    /// an [`ApiError::InvalidField`] (400), as is a name that is not an
    /// [`AccountName`].
    pub fn validate(wire: WireBody) -> Result<Self, ApiError> {
        let invalid = |message: String| ApiError::InvalidField {
            field: "name",
            message,
        };
        match wire.name {
            Patch::Absent => Err(invalid("is required".to_owned())),
            Patch::Null => Err(invalid("must be a string, not null".to_owned())),
            Patch::Value(name) => AccountName::parse(name)
                .map(|name| Rename { name })
                .map_err(|e| invalid(e.to_string())),
        }
    }
}
