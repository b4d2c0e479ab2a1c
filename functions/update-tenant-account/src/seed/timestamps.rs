//! Timestamps of seed records: checked, kept as the instant given, stored
//! in the canonical form.

use shared::{clock::Timestamp, typeid};

/// A seeded timestamp that cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not RFC 3339 (`2023-11-07T05:31:56Z`).
    #[error("{0:?} is not an RFC 3339 timestamp such as 2023-11-07T05:31:56Z")]
    NotRfc3339(String),
    /// Finer than milliseconds, which the stored form cannot hold.
    #[error("{0:?} is more precise than milliseconds, which cannot be stored")]
    TooPrecise(String),
}

/// Parses an RFC 3339 timestamp (any offset, normalized to UTC) of at most
/// millisecond precision, so that its canonical form
/// (`2023-11-07T05:31:56.000Z`) is the same instant.
pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
    let parsed = Timestamp::parse(text).ok_or_else(|| TimestampError::NotRfc3339(text.to_owned()))?;
    match Timestamp::parse(&parsed.to_string()) {
        Some(canonical) if canonical == parsed => Ok(parsed),
        _ => Err(TimestampError::TooPrecise(text.to_owned())),
    }
}

/// The creation time a TypeID carries: the millisecond Unix time of its
/// UUIDv7. `None` when `id` is not a TypeID with `prefix` or not a v7 one.
pub fn of_typeid(prefix: &str, id: &str) -> Option<Timestamp> {
    let uuid = typeid::parse(prefix, id)?;
    if uuid.get_version_num() != 7 {
        return None;
    }
    let millis = u64::try_from(uuid.as_u128() >> 80).ok()?;
    from_unix_millis(millis)
}

const MILLIS_PER_DAY: u64 = 86_400_000;

/// The instant `millis` milliseconds after the Unix epoch.
fn from_unix_millis(millis: u64) -> Option<Timestamp> {
    let (days, rem) = (millis / MILLIS_PER_DAY, millis % MILLIS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    );
    Timestamp::parse(&text)
}

/// Year, month, day of the `days`-th day after 1970-01-01 (proleptic
/// Gregorian; H. Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_timestamps_keep_their_instant() {
        assert_eq!(
            parse("2023-11-07T05:31:56Z").unwrap().to_string(),
            "2023-11-07T05:31:56.000Z"
        );
        assert_eq!(
            parse("2024-02-29T23:59:59.123+01:00").unwrap().to_string(),
            "2024-02-29T22:59:59.123Z"
        );
        assert!(matches!(parse("2023-11-07"), Err(TimestampError::NotRfc3339(_))));
        assert!(matches!(
            parse("2023-02-29T00:00:00Z"),
            Err(TimestampError::NotRfc3339(_))
        ));
        assert!(matches!(
            parse("2023-11-07T05:31:56.1234Z"),
            Err(TimestampError::TooPrecise(_))
        ));
        assert!(parse("2023-11-07T05:31:56.1230Z").is_ok());
    }

    #[test]
    fn typeids_of_uuid_v7_carry_their_creation_time() {
        let before = Timestamp::now();
        let id = typeid::new("prospect");
        let at = of_typeid("prospect", &id).unwrap();
        assert!(at >= before && at <= Timestamp::now(), "{at} {before}");
        assert_eq!(
            from_unix_millis(0).unwrap().to_string(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            from_unix_millis(1_709_251_199_999).unwrap().to_string(),
            "2024-02-29T23:59:59.999Z"
        );
        assert_eq!(of_typeid("account", &id), None);
    }
}
