//! Free text with a length range.

use std::fmt;

/// Why text does not fit its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Fewer characters than the minimum.
    #[error("must be at least {min} characters long")]
    TooShort {
        /// Minimum length in characters.
        min: usize,
    },
    /// More characters than the maximum.
    #[error("must be at most {max} characters long")]
    TooLong {
        /// Maximum length in characters.
        max: usize,
    },
    /// Only whitespace.
    #[error("must not be blank")]
    Blank,
    /// Holds a control character (newline, NUL, ...).
    #[error("must not contain control characters")]
    ControlCharacter,
}

/// Text of `MIN..=MAX` characters (Unicode scalar values), not only
/// whitespace, without control characters. Stored exactly as given.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BoundedText<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> BoundedText<MIN, MAX> {
    /// Checks `text` against the rules.
    pub fn parse(text: String) -> Result<Self, TextError> {
        Self::check(text, |c| c.is_control())
    }

    /// Like [`BoundedText::parse`], but line breaks and tabs are allowed
    /// (descriptions, notes); other control characters are not.
    pub fn parse_multiline(text: String) -> Result<Self, TextError> {
        Self::check(text, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    }

    fn check(text: String, forbidden: impl Fn(char) -> bool) -> Result<Self, TextError> {
        let len = text.chars().count();
        if len < MIN {
            return Err(TextError::TooShort { min: MIN });
        }
        if len > MAX {
            return Err(TextError::TooLong { max: MAX });
        }
        if text.chars().any(forbidden) {
            return Err(TextError::ControlCharacter);
        }
        if MIN > 0 && text.trim().is_empty() {
            return Err(TextError::Blank);
        }
        Ok(BoundedText(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Debug for BoundedText<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Name = BoundedText<1, 5>;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(Name::parse("ééééé".into()).is_ok());
        assert_eq!(Name::parse("éééééé".into()), Err(TextError::TooLong { max: 5 }));
        assert!(Name::parse("🦀".into()).is_ok());
    }

    #[test]
    fn boundaries() {
        assert_eq!(Name::parse(String::new()), Err(TextError::TooShort { min: 1 }));
        assert!(Name::parse("a".into()).is_ok());
        assert!(Name::parse("abcde".into()).is_ok());
        assert_eq!(Name::parse("   ".into()), Err(TextError::Blank));
        assert_eq!(Name::parse("a\nb".into()), Err(TextError::ControlCharacter));
        assert_eq!(Name::parse(" a ".into()).unwrap().as_str(), " a ");
        assert!(Name::parse_multiline("a\nb".into()).is_ok());
        assert_eq!(
            Name::parse_multiline("a\u{0}b".into()),
            Err(TextError::ControlCharacter)
        );
    }
}
