//! Email confirmation codes: their length, how they are made, read back
//! from a client and kept (only salted hashes).
//!
//! Why [`CODE_DIGITS`] is 10 and not 6: a guess succeeds with probability
//! `1 / 10^CODE_DIGITS`, so guessing takes `10^CODE_DIGITS` tries on average
//! whatever the rate limits, which only spread those tries over time (see
//! [`crate::store::budget`]). Six digits would be about a million tries, which an
//! attacker with a few hundred accounts gets through in days. Ten digits
//! are ten billion tries: at [`crate::store::budget::MAX_TRIES_PER_WINDOW`] (5) a
//! day, `10^10 / 5 = 2 * 10^9` account-days, about 5.5 million years for
//! one account and 5,500 years for a thousand. Ten digits also still fit a
//! numeric keypad and a paste from the email.

use shared::auth::SecretHash;

/// Digits in a confirmation code.
pub const CODE_DIGITS: usize = 10;

/// `10^CODE_DIGITS`: how many codes there are.
const CODE_SPACE: u128 = 10u128.pow(CODE_DIGITS as u32);

/// A fresh code of [`CODE_DIGITS`] digits from the operating system's
/// random source (the 122 random bits of a v4 UUID; the bias of the modulo
/// is below `10^-26`).
pub fn new_code() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % CODE_SPACE;
    format!("{n:0width$}", width = CODE_DIGITS)
}

/// The code a client sent, without the spaces and hyphens people add when
/// typing it from an email (`12345 67890`, `12345-67890`); `None` unless
/// what is left is exactly [`CODE_DIGITS`] ASCII digits.
pub fn parse_code(text: &str) -> Option<String> {
    let code: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The hash kept for a confirmation code (salted with the account id, so
/// equal codes of two accounts have different hashes).
pub fn code_hash(account_id: &(impl AsRef<str> + ?Sized), code: &str) -> String {
    let account_id = account_id.as_ref();
    SecretHash::of(&format!("{account_id}:{code}"))
        .as_hex()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_length_and_parse_back() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), CODE_DIGITS);
            assert_eq!(parse_code(&code).as_deref(), Some(code.as_str()));
        }
        assert_eq!(parse_code(" 01234-56789 ").as_deref(), Some("0123456789"));
        for bad in [
            "",
            "123456",
            "012345678",
            "01234567890",
            "01234s6789",
            "0123456789\u{0660}",
        ] {
            assert_eq!(parse_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hashes_are_salted_with_the_account() {
        assert_ne!(code_hash("a", "0123456789"), code_hash("b", "0123456789"));
        assert_eq!(code_hash("a", "0123456789").len(), 64);
    }
}
