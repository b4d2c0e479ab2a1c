//! Server-side timestamps.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339, macros::format_description};

/// An instant in UTC, written as RFC 3339 with millisecond precision and a
/// `Z` suffix (`2025-01-12T09:30:00.000Z`). Strings of this form sort in
/// time order, so DynamoDB can compare them as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

const FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

impl Timestamp {
    /// Now, truncated to milliseconds.
    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        let millis = now.millisecond();
        Timestamp(now.replace_millisecond(millis).unwrap_or(now))
    }

    /// Parses any RFC 3339 timestamp (normalized to UTC).
    pub fn parse(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(|t| Timestamp(t.to_offset(UtcOffset::UTC)))
    }

    /// `seconds` later.
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0 + time::Duration::seconds(seconds))
    }

    /// Seconds since the Unix epoch (for DynamoDB TTL attributes).
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// One millisecond later (to keep `updatedAt` strictly increasing).
    pub fn next_millisecond(self) -> Self {
        Timestamp(self.0 + time::Duration::milliseconds(1))
    }
}

impl From<std::time::SystemTime> for Timestamp {
    /// That instant, truncated to milliseconds.
    fn from(at: std::time::SystemTime) -> Self {
        let at = OffsetDateTime::from(at);
        Timestamp(at.replace_millisecond(at.millisecond()).unwrap_or(at))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(FORMAT) {
            Ok(text) => f.write_str(&text),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 timestamp: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        let t = Timestamp::parse("2023-11-07T05:31:56+01:00").unwrap();
        assert_eq!(t.to_string(), "2023-11-07T04:31:56.000Z");
        assert_eq!(t.next_millisecond().to_string(), "2023-11-07T04:31:56.001Z");
        let now = Timestamp::now().to_string();
        assert_eq!(now.len(), 24, "{now}");
        assert!(Timestamp::parse(&now).is_some());
    }
}
