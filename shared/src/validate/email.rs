//! Email addresses.

use super::DomainName;
use std::fmt;

/// Why a string is not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Longer than 254 characters (RFC 5321's path limit).
    #[error("must be at most 254 characters long")]
    TooLong,
    /// Not of the form `local@domain`.
    #[error("must be an email address such as name@example.com")]
    Malformed,
    /// The part before `@` is empty, over 64 octets, or has characters or
    /// dots an address cannot have.
    #[error("has an invalid part before the @")]
    InvalidLocalPart,
    /// The part after `@` is not a domain name.
    #[error("has an invalid domain")]
    InvalidDomain,
}

/// A valid email address: `local@domain`, at most 254 characters.
///
/// The local part is a dot-atom (RFC 5322: letters, digits and
/// ``!#$%&'*+/=?^_`{|}~-``, dots between them; UTF-8 allowed per RFC 6531;
/// no quoted strings), at most 64 octets; plus tags (`jo+news@...`) are kept.
/// The domain is a DNS name ([`DomainName`]), IDN allowed. Surrounding
/// whitespace is trimmed; otherwise the address is kept as given.
///
/// [`EmailAddress::normalized`] is the form uniqueness compares: the local
/// part lowercased and the domain in its lowercase Unicode form, so
/// `Jo@Example.COM` and `jo@example.com` are the same address.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress {
    address: String,
    normalized: String,
}

const ATEXT_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

impl EmailAddress {
    /// Parses an address.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let address = input.trim();
        if address.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = address.rsplit_once('@').ok_or(EmailError::Malformed)?;
        if local.is_empty() || domain.is_empty() {
            return Err(EmailError::Malformed);
        }
        let atom_char = |c: char| {
            c.is_ascii_alphanumeric()
                || ATEXT_SPECIALS.contains(c)
                || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        };
        let local_ok = local.len() <= 64
            && local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(atom_char));
        if !local_ok {
            return Err(EmailError::InvalidLocalPart);
        }
        let domain = DomainName::parse(domain).map_err(|_| EmailError::InvalidDomain)?;
        Ok(EmailAddress {
            normalized: format!("{}@{}", local.to_lowercase(), domain.as_str()),
            address: address.to_owned(),
        })
    }

    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The form uniqueness compares (lowercase).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The address as mail transports without SMTPUTF8 (Amazon SES among
    /// them) take it: the local part as given and the domain in its ASCII
    /// (punycode) form, `jo@bücher.de` → `jo@xn--bcher-kva.de`. `None` when
    /// the local part is not ASCII: such an address cannot be sent to
    /// through them.
    pub fn to_ascii(&self) -> Option<String> {
        let (local, domain) = self.address.rsplit_once('@')?;
        if !local.is_ascii() {
            return None;
        }
        let domain = idna::domain_to_ascii(domain).ok()?;
        Some(format!("{local}@{domain}"))
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.address, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_form_for_mail_transports() {
        let ascii = |a: &str| EmailAddress::parse(a).unwrap().to_ascii();
        assert_eq!(ascii("Jo@Example.com").as_deref(), Some("Jo@example.com"));
        assert_eq!(ascii("jo@bücher.de").as_deref(), Some("jo@xn--bcher-kva.de"));
        assert_eq!(ascii("jö@example.com"), None);
    }

    #[test]
    fn accepts_real_addresses() {
        for ok in [
            "a@b.co",
            "jo+news@example.com",
            "first.last@sub.example.co.uk",
            "o'brien@x.ie",
            "用户@例え.jp",
            "x@bücher.de",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn normalizes_for_comparison_but_keeps_the_given_form() {
        let e = EmailAddress::parse("  Jo.Doe+Tag@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Jo.Doe+Tag@Example.COM");
        assert_eq!(e.normalized(), "jo.doe+tag@example.com");
        assert_eq!(
            EmailAddress::parse("x@XN--BCHER-KVA.de").unwrap().normalized(),
            "x@bücher.de"
        );
    }

    #[test]
    fn refuses_invalid_addresses() {
        let long_local = format!("{}@x.com", "a".repeat(65));
        let too_long = format!("{}@{}.com", "a".repeat(60), "b".repeat(190));
        for bad in [
            "",
            "plain",
            "@x.com",
            "a@",
            "a@@x.com",
            "a b@x.com",
            ".a@x.com",
            "a.@x.com",
            "a..b@x.com",
            "a@localhost",
            "a@x..com",
            "\"q\"@x.com",
            "a@-x.com",
            &long_local,
            &too_long,
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(EmailAddress::parse(&too_long), Err(EmailError::TooLong));
    }
}
