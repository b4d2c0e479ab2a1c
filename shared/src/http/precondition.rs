//! Conditional requests (RFC 9110 §8.8.3, §13): the `ETag` every
//! successful response carries, and the `If-Match` / `If-None-Match`
//! headers a client sends to make its write conditional on it.
//!
//! An ETag is derived from the stored item's `version` (a counter every
//! write bumps): `"v<version>"`, strong when the response shows only what
//! the version covers, weak (`W/"v<version>"`) when the representation
//! also shows data that changes without it (contract 001's linked
//! prospects): one strong ETag never labels two different bodies.
//!
//! Comparison is exactly the RFC's: `If-Match` uses strong comparison
//! (octet equality of the opaque tag, never a weak tag: `"v007"` is not
//! `"v7"`), `If-None-Match` weak comparison (`W/"v7"` matches `"v7"`), and a
//! write is made only when both hold (§13.2.2: If-Match first, then
//! If-None-Match; either failing is 412). `*` in `If-Match` asks that the
//! item exists, in `If-None-Match` that it does not (our PATCHes never
//! create, so `If-None-Match: *` on an existing item is 412, and on a
//! missing one the endpoint's 404).

use lambda_http::Request;

/// The `ETag` header name.
pub const ETAG: &str = "etag";

/// The `If-Match` header name.
pub const IF_MATCH: &str = "if-match";

/// The `If-None-Match` header name.
pub const IF_NONE_MATCH: &str = "if-none-match";

/// The strong ETag (quoted, as sent on the wire) of an item at `version`.
pub fn etag(version: u64) -> String {
    format!("\"v{version}\"")
}

/// The weak ETag of a representation of an item at `version` that also
/// shows data the version does not cover.
pub fn weak_etag(version: u64) -> String {
    format!("W/\"v{version}\"")
}

/// One entity tag of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EntityTag {
    weak: bool,
    /// The opaque tag, without quotes.
    opaque: String,
}

impl EntityTag {
    /// The version this tag names when it is exactly one of ours
    /// (`v` and the digits [`etag`] writes, no leading zero).
    fn version(&self) -> Option<u64> {
        let digits = self.opaque.strip_prefix('v')?;
        let version = digits.parse::<u64>().ok()?;
        (version.to_string() == digits).then_some(version)
    }
}

/// One header's condition: `*` or a list of tags.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tags {
    Any,
    List(Vec<EntityTag>),
}

/// What a request's `If-Match` and `If-None-Match` ask of the item it
/// writes (RFC 9110 §13.1.1, §13.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Precondition {
    if_match: Option<Tags>,
    if_none_match: Option<Tags>,
}

/// How the write driver may condition a write it makes before reading the
/// item (its speculative first write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Speculative {
    /// No precondition, or only "the item exists" (every write of ours
    /// requires that): the write as planned.
    AsIs,
    /// The item's version must be one of these (none: nothing can match).
    OnVersions(Vec<u64>),
    /// Read the item first and decide from it.
    ReadFirst,
}

/// A malformed `If-Match` or `If-None-Match` (400): not `*` and not a
/// list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} must be * or a list of entity tags such as \"v3\"")]
pub struct MalformedPrecondition(&'static str);

impl Precondition {
    /// The request's preconditions: every line of each header, joined as
    /// one list (RFC 9110 §5.3).
    pub fn from_request(req: &Request) -> Result<Self, MalformedPrecondition> {
        Ok(Precondition {
            if_match: header(req, IF_MATCH, "If-Match")?,
            if_none_match: header(req, IF_NONE_MATCH, "If-None-Match")?,
        })
    }

    /// The preconditions of these header values (`None`: not sent).
    pub fn parse(if_match: Option<&str>, if_none_match: Option<&str>) -> Result<Self, MalformedPrecondition> {
        Ok(Precondition {
            if_match: if_match.map(|v| parse(v, "If-Match")).transpose()?,
            if_none_match: if_none_match.map(|v| parse(v, "If-None-Match")).transpose()?,
        })
    }

    /// Whether the request sent neither header.
    pub fn is_none(&self) -> bool {
        self.if_match.is_none() && self.if_none_match.is_none()
    }

    /// Whether an item at `version` (`None`: no item) satisfies both
    /// headers, when its current ETag is strong or, with `weak`, weak (a
    /// weak current tag never passes a strong comparison: only
    /// `If-Match: *` can hold then).
    pub fn admits(&self, version: Option<u64>, weak: bool) -> bool {
        let matches = match &self.if_match {
            None => true,
            Some(Tags::Any) => version.is_some(),
            Some(Tags::List(tags)) => {
                !weak && version.is_some_and(|v| tags.iter().any(|t| !t.weak && t.version() == Some(v)))
            }
        };
        let none_match = match &self.if_none_match {
            None => true,
            Some(Tags::Any) => version.is_none(),
            Some(Tags::List(tags)) => !version.is_some_and(|v| tags.iter().any(|t| t.version() == Some(v))),
        };
        matches && none_match
    }

    /// How a write made before reading the item may be conditioned (`weak`
    /// as for [`Precondition::admits`]).
    pub fn speculative(&self, weak: bool) -> Speculative {
        match (&self.if_match, &self.if_none_match) {
            (None | Some(Tags::Any), None) => Speculative::AsIs,
            (Some(Tags::List(_)), None) if weak => Speculative::OnVersions(Vec::new()),
            (Some(Tags::List(tags)), None) => Speculative::OnVersions(
                tags.iter()
                    .filter(|t| !t.weak)
                    .filter_map(EntityTag::version)
                    .collect(),
            ),
            (_, Some(_)) => Speculative::ReadFirst,
        }
    }
}

/// Every line of header `name`, joined and parsed; `None` when absent.
fn header(req: &Request, name: &str, label: &'static str) -> Result<Option<Tags>, MalformedPrecondition> {
    let mut lines = req.headers().get_all(name).iter().peekable();
    if lines.peek().is_none() {
        return Ok(None);
    }
    let mut joined = String::new();
    for line in lines {
        let line = line.to_str().map_err(|_| MalformedPrecondition(label))?;
        if !joined.is_empty() {
            joined.push(',');
        }
        joined.push_str(line);
    }
    parse(&joined, label).map(Some)
}

/// Parses a field value: `*`, or `1#entity-tag` where `entity-tag = [ "W/" ]
/// DQUOTE *etagc DQUOTE`.
fn parse(value: &str, label: &'static str) -> Result<Tags, MalformedPrecondition> {
    let value = value.trim_matches([' ', '\t']);
    if value == "*" {
        return Ok(Tags::Any);
    }
    let mut tags = Vec::new();
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
            .ok_or(MalformedPrecondition(label))?;
        tags.push(EntityTag {
            weak,
            opaque: opaque.to_owned(),
        });
    }
    if tags.is_empty() {
        return Err(MalformedPrecondition(label));
    }
    Ok(Tags::List(tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(value: &str) -> Result<Precondition, MalformedPrecondition> {
        Precondition::parse(Some(value), None)
    }

    impl Precondition {
        fn admits_strong(&self, version: Option<u64>) -> bool {
            self.admits(version, false)
        }
    }

    #[test]
    fn a_weak_current_tag_passes_only_if_match_star_and_if_none_match() {
        let tag = if_match("\"v7\"").unwrap();
        assert!(!tag.admits(Some(7), true));
        assert_eq!(tag.speculative(true), Speculative::OnVersions(Vec::new()));
        assert!(if_match("*").unwrap().admits(Some(7), true));
        assert!(!if_none_match("W/\"v7\"").admits(Some(7), true));
        assert!(if_none_match("W/\"v6\"").admits(Some(7), true));
    }

    fn if_none_match(value: &str) -> Precondition {
        Precondition::parse(None, Some(value)).unwrap()
    }

    #[test]
    fn parses_the_fields_as_rfc_9110_defines_them() {
        assert!(if_match("*").is_ok());
        for good in ["\"v3\"", " \"v3\" ,W/\"v4\", \"xyz\",, \"v12\"", "\"\""] {
            assert!(if_match(good).is_ok(), "{good:?}");
        }
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
            assert!(if_match(bad).is_err(), "{bad:?}");
            assert!(Precondition::parse(None, Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn if_match_compares_strongly_by_octets() {
        let p = if_match("\"v3\", W/\"v4\"").unwrap();
        assert!(p.admits_strong(Some(3)));
        assert!(!p.admits_strong(Some(4)), "weak tags never match");
        assert!(!p.admits_strong(None));
        for other in ["\"v03\"", "\"v+3\"", "\"V3\"", "\"v3.\"", "\"3\""] {
            assert!(!if_match(other).unwrap().admits_strong(Some(3)), "{other}");
        }
        assert!(if_match("*").unwrap().admits_strong(Some(0)));
        assert!(!if_match("*").unwrap().admits_strong(None));
        assert!(Precondition::default().admits_strong(None));
        assert_eq!(etag(7), "\"v7\"");
        assert!(if_match(&etag(7)).unwrap().admits_strong(Some(7)));
        assert!(!if_match(&weak_etag(7)).unwrap().admits_strong(Some(7)));
    }

    #[test]
    fn if_none_match_compares_weakly_and_star_means_no_item() {
        assert!(!if_none_match("*").admits_strong(Some(1)));
        assert!(if_none_match("*").admits_strong(None));
        assert!(!if_none_match("\"v7\"").admits_strong(Some(7)));
        assert!(
            !if_none_match("W/\"v7\"").admits_strong(Some(7)),
            "weak comparison"
        );
        assert!(if_none_match("\"v7\", \"v8\"").admits_strong(Some(9)));
        assert!(if_none_match("\"v007\"").admits_strong(Some(7)));
        let both = Precondition::parse(Some("\"v7\""), Some("\"v7\"")).unwrap();
        assert!(!both.admits_strong(Some(7)), "both must hold");
    }

    #[test]
    fn speculative_writes_are_conditioned_only_on_strong_versions() {
        assert_eq!(Precondition::default().speculative(false), Speculative::AsIs);
        assert_eq!(if_match("*").unwrap().speculative(false), Speculative::AsIs);
        assert_eq!(
            if_match("\"v3\", W/\"v4\", \"v05\"").unwrap().speculative(false),
            Speculative::OnVersions(vec![3])
        );
        assert_eq!(if_none_match("*").speculative(false), Speculative::ReadFirst);
    }
}
