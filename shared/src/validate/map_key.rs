//! Keys of user-supplied maps (metadata, settings, custom fields).

/// Why a map key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MapKeyError {
    /// The empty string.
    #[error("keys must not be empty")]
    Empty,
    /// Longer than allowed.
    #[error("keys must be at most {max} characters long")]
    TooLong {
        /// Maximum length in characters.
        max: usize,
    },
    /// Holds a control character.
    #[error("keys must not contain control characters")]
    ControlCharacter,
}

/// Checks a map key: 1 to `max` characters, no control characters. Any other
/// character (`.`, `#`, `:`, spaces, emoji) is fine: keys are data, and the
/// store layer never lets them into expression syntax.
pub fn check_map_key(key: &str, max: usize) -> Result<(), MapKeyError> {
    if key.is_empty() {
        return Err(MapKeyError::Empty);
    }
    if key.chars().count() > max {
        return Err(MapKeyError::TooLong { max });
    }
    if key.chars().any(char::is_control) {
        return Err(MapKeyError::ControlCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hostile_looking_keys() {
        for key in [
            "a.b",
            "#x",
            ":v",
            "size",
            "REMOVE",
            "with space",
            "🦀",
            &"k".repeat(40),
        ] {
            assert_eq!(check_map_key(key, 40), Ok(()), "{key}");
        }
    }

    #[test]
    fn refuses_empty_long_and_control_keys() {
        assert_eq!(check_map_key("", 40), Err(MapKeyError::Empty));
        assert_eq!(
            check_map_key(&"k".repeat(41), 40),
            Err(MapKeyError::TooLong { max: 40 })
        );
        assert_eq!(check_map_key("a\u{0}b", 40), Err(MapKeyError::ControlCharacter));
        assert_eq!(check_map_key("tab\t", 40), Err(MapKeyError::ControlCharacter));
    }
}
