//! DNS domain names, internationalized ones included.

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use std::fmt;

/// Why a string is not a domain name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A URL (`https://acme.com/x`) or an address with a port or user part.
    #[error("must be a bare domain name such as acme.com, without scheme, port or path")]
    NotBare,
    /// A single label (`localhost`) or an IP address.
    #[error("must have at least two labels and a non-numeric top-level domain, such as acme.com")]
    NotQualified,
    /// Refused by IDNA / DNS rules: bad characters, empty or over-long
    /// labels (63), over-long name (253), hyphen at a label's edge.
    #[error("is not a valid domain name")]
    Invalid,
}

/// A valid DNS domain name, stored in its lowercase Unicode form
/// (`Bücher.DE` is stored as `bücher.de`, `XN--BCHER-KVA.de` too).
///
/// Rules: UTS 46 processing with STD3 ASCII rules and DNS length checks
/// (labels 1-63 octets, name at most 253), no leading or trailing hyphen in a
/// label, no trailing dot, at least two labels, a top-level domain that is
/// not all digits (so IP addresses are refused), and no scheme, port, path,
/// user part or whitespace.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DomainName(String);

impl DomainName {
    /// Parses and normalizes a domain name.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        if input.contains(['/', ':', '@', '?', '#', '\\']) {
            return Err(DomainError::NotBare);
        }
        let uts46 = Uts46::new();
        let ascii = uts46
            .to_ascii(
                input.as_bytes(),
                AsciiDenyList::STD3,
                Hyphens::CheckFirstLast,
                DnsLength::Verify,
            )
            .map_err(|_| DomainError::Invalid)?;
        let labels: Vec<&str> = ascii.split('.').collect();
        let tld = labels.last().copied().unwrap_or_default();
        if labels.len() < 2 || tld.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::NotQualified);
        }
        let (unicode, result) =
            uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::CheckFirstLast);
        result.map_err(|_| DomainError::Invalid)?;
        Ok(DomainName(unicode.into_owned()))
    }

    /// The normalized (lowercase Unicode) form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalized form, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        DomainName::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .into_string()
    }

    #[test]
    fn accepts_and_lowercases_domains() {
        assert_eq!(ok("acme.com"), "acme.com");
        assert_eq!(ok("Sub.ACME.co.uk"), "sub.acme.co.uk");
        assert_eq!(ok("a-b.io"), "a-b.io");
        assert_eq!(ok("Bücher.DE"), "bücher.de");
        assert_eq!(ok("xn--bcher-kva.de"), "bücher.de");
        assert_eq!(ok("例え.jp"), "例え.jp");
    }

    #[test]
    fn refuses_urls_and_addresses() {
        for s in [
            "https://acme.com",
            "acme.com/path",
            "acme.com:443",
            "me@acme.com",
            "acme.com?x",
        ] {
            assert_eq!(DomainName::parse(s), Err(DomainError::NotBare), "{s}");
        }
    }

    #[test]
    fn refuses_unqualified_names_and_ips() {
        for s in ["localhost", "127.0.0.1", "10.0.0.300"] {
            assert_eq!(DomainName::parse(s), Err(DomainError::NotQualified), "{s}");
        }
    }

    #[test]
    fn refuses_invalid_names() {
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}com", "abcdefghi.".repeat(26));
        for s in [
            "",
            " acme.com",
            "acme .com",
            "-acme.com",
            "acme-.com",
            "acme..com",
            "acme.com.",
            "a_b.com",
            &long_label,
            &long_name,
        ] {
            assert!(DomainName::parse(s).is_err(), "{s:?} should be refused");
        }
    }
}
