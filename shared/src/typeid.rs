//! TypeIDs (<https://github.com/jetify-com/typeid>): a type prefix, `_`, and
//! a UUID (v7 for new ids) in 26 characters of Crockford base32, lowercase:
//! `account_01h455vb4pex5vsknk084sn02q`.

use uuid::Uuid;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new TypeID with `prefix` and a fresh UUIDv7 (time-ordered).
pub fn new(prefix: &str) -> String {
    format(prefix, Uuid::now_v7())
}

/// The TypeID of `uuid` with `prefix`.
pub fn format(prefix: &str, uuid: Uuid) -> String {
    let value = uuid.as_u128();
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for i in 0..26 {
        let shift = 125 - 5 * i;
        out.push(ALPHABET[((value >> shift) & 31) as usize] as char);
    }
    out
}

/// The UUID of a TypeID with exactly this `prefix`; `None` when the text is
/// not such a TypeID (wrong prefix, length, alphabet, or a first suffix
/// character above `7`, which would overflow 128 bits).
pub fn parse(prefix: &str, text: &str) -> Option<Uuid> {
    let suffix = text.strip_prefix(prefix)?.strip_prefix('_')?;
    if suffix.len() != 26 || suffix.as_bytes()[0] > b'7' {
        return None;
    }
    let mut value: u128 = 0;
    for byte in suffix.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == byte)? as u128;
        value = (value << 5) | digit;
    }
    Some(Uuid::from_u128(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(format("x", Uuid::nil()), "x_00000000000000000000000000");
        assert_eq!(format("x", Uuid::from_u128(1)), "x_00000000000000000000000001");
        assert_eq!(
            format("x", Uuid::from_u128(u128::MAX)),
            "x_7zzzzzzzzzzzzzzzzzzzzzzzzz"
        );
        let uuid = Uuid::parse_str("01890a5d-ac96-774b-bcce-b302099a8057").unwrap();
        assert_eq!(format("prefix", uuid), "prefix_01h455vb4pex5vsknk084sn02q");
        assert_eq!(parse("prefix", "prefix_01h455vb4pex5vsknk084sn02q"), Some(uuid));
    }

    #[test]
    fn new_ids_are_v7_and_round_trip() {
        let id = new("account");
        assert!(id.starts_with("account_") && id.len() == 34, "{id}");
        let uuid = parse("account", &id).unwrap();
        assert_eq!(uuid.get_version_num(), 7);
        assert!(new("account") > id || new("account") >= id);
    }

    #[test]
    fn refuses_malformed_ids() {
        assert_eq!(parse("account", "account_8zzzzzzzzzzzzzzzzzzzzzzzzz"), None);
        assert_eq!(parse("account", "account_0000000000000000000000000"), None);
        assert_eq!(parse("account", "account_0000000000000000000000000u"), None);
        assert_eq!(parse("account", "user_00000000000000000000000000"), None);
    }
}
