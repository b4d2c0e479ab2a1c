//! Phone numbers, stored in E.164.

use std::fmt;

/// Why a string is not a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Characters other than digits, a leading `+`, and the separators
    /// space, `-`, `.`, `(`, `)`, `/`.
    #[error("must be a phone number such as +1-555-0200 or +49 30 1234567")]
    Malformed,
    /// No country code and not a 10-digit North American number.
    #[error("must include the country code, such as +44 20 7946 0958")]
    NoCountryCode,
    /// Not 7 to 15 digits with a country code that does not start with 0.
    #[error("must have 7 to 15 digits including the country code")]
    BadLength,
}

/// A phone number in E.164 form (`+15550200`, `+493012345678`).
///
/// Accepts the common ways of writing one: `+1-555-0200`, `+49 30 1234567`,
/// `+44 (20) 7946-0958`, `0049 30 1234567` (`00` for `+`), and, without a
/// country code, 10-digit North American numbers such as `(555) 123-4567`
/// or `555.123.4567` (taken as +1). The result is `+` and 7 to 15 digits,
/// the first not 0. It checks form, not whether a number is in service.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses and normalizes a phone number.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let text = input.trim();
        let (international, rest) = if let Some(rest) = text.strip_prefix('+') {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("00") {
            (true, rest)
        } else {
            (false, text)
        };
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' | '/' => {}
                _ => return Err(PhoneError::Malformed),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Malformed);
        }
        if !international {
            digits = match digits.len() {
                10 => format!("1{digits}"),
                11 if digits.starts_with('1') => digits,
                _ => return Err(PhoneError::NoCountryCode),
            };
        }
        if !(7..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(PhoneError::BadLength);
        }
        Ok(PhoneNumber(format!("+{digits}")))
    }

    /// The E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(s: &str) -> String {
        PhoneNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).0
    }

    #[test]
    fn normalizes_common_formats() {
        assert_eq!(e164("+1-555-0200"), "+15550200");
        assert_eq!(e164("+49 30 1234567"), "+49301234567");
        assert_eq!(e164("+44 (20) 7946-0958"), "+442079460958");
        assert_eq!(e164("0049 30 1234567"), "+49301234567");
        assert_eq!(e164("(555) 123-4567"), "+15551234567");
        assert_eq!(e164("555.123.4567"), "+15551234567");
        assert_eq!(e164("1 555 123 4567"), "+15551234567");
        assert_eq!(e164("+123456789012345"), "+123456789012345");
    }

    #[test]
    fn refuses_non_numbers() {
        assert_eq!(PhoneNumber::parse("call me"), Err(PhoneError::Malformed));
        assert_eq!(PhoneNumber::parse("+"), Err(PhoneError::Malformed));
        assert_eq!(
            PhoneNumber::parse("+1 555 0200 ext 3"),
            Err(PhoneError::Malformed)
        );
        assert_eq!(PhoneNumber::parse("123-4567"), Err(PhoneError::NoCountryCode));
        assert_eq!(PhoneNumber::parse("+12345"), Err(PhoneError::BadLength));
        assert_eq!(
            PhoneNumber::parse("+1234567890123456"),
            Err(PhoneError::BadLength)
        );
        assert_eq!(PhoneNumber::parse("+0 555 123 4567"), Err(PhoneError::BadLength));
    }
}
