//! Server-side timestamps.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339, macros::format_description};

/// An instant in UTC, written as RFC 3339 with millisecond precision and a
/// `Z` suffix (`2025-01-12T09:30:00.000Z`). Strings of this form sort in
/// time order, so DynamoDB can compare them as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

/// The years written digit by digit; others (never stamped) go through
/// `time`'s formatting.
const FOUR_DIGIT_YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

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
    /// `YYYY-MM-DDThh:mm:ss.mmmZ`, the same text as `time`'s formatting
    /// of the description `FORMAT`, written digit by digit: every write
    /// stamps one or two of these, and `time`'s formatter (a description
    /// interpreted at run time, into a new `String`) cost ~4k instructions
    /// each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.0.year();
        if !FOUR_DIGIT_YEARS.contains(&year) {
            return match self.0.format(FORMAT) {
                Ok(text) => f.write_str(&text),
                Err(_) => Err(fmt::Error),
            };
        }
        let mut text = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut value: u32| {
            for digit in text[at..at + width].iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, 4, year.unsigned_abs());
        put(5, 2, u8::from(self.0.month()).into());
        put(8, 2, self.0.day().into());
        put(11, 2, self.0.hour().into());
        put(14, 2, self.0.minute().into());
        put(17, 2, self.0.second().into());
        put(20, 3, self.0.millisecond().into());
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
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

    #[test]
    fn the_written_text_is_times_formatting() {
        // Instants across the 4-digit years, leap days, month and day
        // ends, and every millisecond digit position.
        let instants = (0..2000i64).map(|i| {
            let seconds = -62_135_596_800 + i * 126_230_400_123 % 315_537_897_599;
            OffsetDateTime::from_unix_timestamp(seconds).unwrap() + time::Duration::milliseconds(i * 7 % 1000)
        });
        for at in instants.chain([
            OffsetDateTime::from_unix_timestamp(-62_135_596_800).unwrap(),
            OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap() + time::Duration::milliseconds(999),
            OffsetDateTime::from_unix_timestamp(951_782_400).unwrap(),
        ]) {
            let at = Timestamp(at);
            assert_eq!(at.to_string(), at.0.format(FORMAT).unwrap(), "{:?}", at.0);
        }
        let far = Timestamp(OffsetDateTime::from_unix_timestamp(-62_135_596_801).unwrap());
        assert_eq!(far.to_string(), far.0.format(FORMAT).unwrap());
    }
}
