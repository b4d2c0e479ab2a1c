//! Ids of records named in paths and headers.

/// True for an id this project stores: 1-128 ASCII letters, digits, `_` or
/// `-`. Anything else cannot name a record, and is refused before any key
/// is built from it.
pub fn is_record_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids() {
        assert!(is_record_id("acct_abc-123") && is_record_id(&"a".repeat(128)));
        for bad in ["", "a b", "acct#1", "ACCOUNT#x", "é", &"a".repeat(129)] {
            assert!(!is_record_id(bad), "{bad:?}");
        }
    }
}
