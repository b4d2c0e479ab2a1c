//! IANA time zones.

/// True for an identifier of the IANA time zone database as shipped with
/// `chrono-tz` (`Europe/Berlin`, `America/New_York`, `Etc/GMT+5`, `UTC`),
/// matched exactly (case-sensitive, as the database names them).
pub fn is_iana_timezone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_database_names_only() {
        for ok in [
            "Europe/Berlin",
            "America/New_York",
            "Etc/GMT+5",
            "UTC",
            "Asia/Kolkata",
        ] {
            assert!(is_iana_timezone(ok), "{ok}");
        }
        for bad in [
            "Invalid/Timezone",
            "europe/berlin",
            "GMT+5",
            "",
            "Mars/Olympus",
            "+02:00",
        ] {
            assert!(!is_iana_timezone(bad), "{bad}");
        }
    }
}
