//! Optimistic concurrency (RFC 9110 §8.8.3, §13.1.1): the strong `ETag`
//! every successful response carries, and the `If-Match` header a client
//! sends to make its write conditional on it.
//!
//! An ETag is derived from the stored item's `version` (a counter every
//! write bumps): `"v<version>"`. It is strong: two responses with the same
//! ETag describe the same stored state of the same resource.

use lambda_http::Request;

/// The `ETag` header name.
pub const ETAG: &str = "etag";

/// The `If-Match` header name.
pub const IF_MATCH: &str = "if-match";

/// The ETag (quoted, as sent on the wire) of an item at `version`.
pub fn etag(version: u64) -> String {
    format!("\"v{version}\"")
}

/// What a request's `If-Match` asks of the item it writes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Precondition {
    /// No `If-Match`: write whatever the item's version.
    #[default]
    None,
    /// `If-Match: *`: the item must exist (ours always must; a missing one
    /// is the endpoint's 404, which RFC 9110 §13.2.1 lets win over 412).
    Any,
    /// `If-Match: "v3", "v4"`: the item's version must be one of these. A
    /// well-formed tag that is not one of ours (`"abc"`, a weak `W/"v3"`,
    /// which strong comparison never matches) is kept as `None` in the
    /// list: it matches nothing, so the write is answered 412.
    Versions(Vec<Option<u64>>),
}

/// A malformed `If-Match` (400): not `*` and not a list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("If-Match must be * or a list of entity tags such as \"v3\"")]
pub struct MalformedIfMatch;

impl Precondition {
    /// The request's precondition: every `If-Match` header line, joined as
    /// one list (RFC 9110 §5.3).
    pub fn from_request(req: &Request) -> Result<Self, MalformedIfMatch> {
        let mut lines = req.headers().get_all(IF_MATCH).iter().peekable();
        if lines.peek().is_none() {
            return Ok(Precondition::None);
        }
        let mut joined = String::new();
        for line in lines {
            let line = line.to_str().map_err(|_| MalformedIfMatch)?;
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(line);
        }
        Self::parse(&joined)
    }

    /// Parses an `If-Match` field value: `*`, or `1#entity-tag` where
    /// `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE`.
    pub fn parse(value: &str) -> Result<Self, MalformedIfMatch> {
        let value = value.trim_matches([' ', '\t']);
        if value == "*" {
            return Ok(Precondition::Any);
        }
        let mut versions = Vec::new();
        for element in value.split(',') {
            let element = element.trim_matches([' ', '\t']);
            if element.is_empty() {
                continue; // the list syntax allows empty elements
            }
            let (weak, tag) = match element.strip_prefix("W/") {
                Some(rest) => (true, rest),
                None => (false, element),
            };
            let opaque = tag
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|t| {
                    t.bytes()
                        .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
                })
                .ok_or(MalformedIfMatch)?;
            let ours = opaque
                .strip_prefix('v')
                .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse::<u64>().ok());
            versions.push(if weak { None } else { ours });
        }
        if versions.is_empty() {
            return Err(MalformedIfMatch);
        }
        Ok(Precondition::Versions(versions))
    }

    /// Whether an item at `version` (`None`: no item) satisfies this
    /// precondition.
    pub fn admits(&self, version: Option<u64>) -> bool {
        match self {
            Precondition::None => true,
            Precondition::Any => version.is_some(),
            Precondition::Versions(list) => version.is_some_and(|v| list.contains(&Some(v))),
        }
    }

    /// The versions a write may find, when this precondition names some
    /// (`Versions` with at least one of ours).
    pub fn versions(&self) -> Vec<u64> {
        match self {
            Precondition::Versions(list) => list.iter().flatten().copied().collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_field_as_rfc_9110_defines_it() {
        assert_eq!(Precondition::parse("*"), Ok(Precondition::Any));
        assert_eq!(
            Precondition::parse("\"v3\""),
            Ok(Precondition::Versions(vec![Some(3)]))
        );
        assert_eq!(
            Precondition::parse(" \"v3\" ,W/\"v4\", \"xyz\",, \"v12\""),
            Ok(Precondition::Versions(vec![Some(3), None, None, Some(12)]))
        );
        assert_eq!(
            Precondition::parse("\"\""),
            Ok(Precondition::Versions(vec![None]))
        );
        for bad in [
            "",
            "v3",
            "\"v3",
            "v3\"",
            "\"a\"b\"",
            "*, \"v3\"",
            "W/v3",
            ",",
            "\"a b\"",
        ] {
            assert_eq!(Precondition::parse(bad), Err(MalformedIfMatch), "{bad:?}");
        }
    }

    #[test]
    fn strong_comparison_against_the_stored_version() {
        let p = Precondition::parse("\"v3\", W/\"v4\"").unwrap();
        assert!(p.admits(Some(3)));
        assert!(!p.admits(Some(4)), "weak tags never match");
        assert!(!p.admits(None));
        assert!(Precondition::Any.admits(Some(0)));
        assert!(!Precondition::Any.admits(None));
        assert!(Precondition::None.admits(None));
        assert_eq!(p.versions(), vec![3]);
        assert_eq!(etag(7), "\"v7\"");
        assert_eq!(Precondition::parse(&etag(7)).unwrap().versions(), vec![7]);
    }
}
