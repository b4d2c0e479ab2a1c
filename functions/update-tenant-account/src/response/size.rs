//! The bound on a 200 response: the size limits of stored fields and the
//! bound on `linkedProspects`, which together keep every 200 response well
//! under Lambda's 6 MB response payload limit.
//!
//! The arithmetic, checked at compile time below:
//!
//! - Every text field has a maximum length in characters (enforced where
//!   records are written: the seed loader, and the rename for `name`, whose
//!   limit is [`MAX_ACCOUNT_NAME_CHARS`] in [`crate::change`]).
//! - A character costs at most [`MAX_JSON_BYTES_PER_CHAR`] bytes in JSON
//!   (a control character escaped as `\u001f`), so a prospect renders to at
//!   most [`MAX_PROSPECT_JSON_BYTES`] (13 754 bytes) and an account without
//!   prospects to at most [`MAX_ACCOUNT_JSON_BYTES`] (4 614 bytes).
//! - The response lists at most [`MAX_LINKED_PROSPECTS`] prospects, so the
//!   body is at most [`MAX_RESPONSE_BODY_BYTES`] (1 380 114 bytes).
//! - Lambda returns the body as a JSON string inside its response document,
//!   which escapes it once more: at most [`ENVELOPE_EXPANSION`] times the
//!   body. Plus headers, at most 2 776 612 bytes: under half of
//!   [`LAMBDA_RESPONSE_LIMIT_BYTES`] (6 291 456).
//!
//! Stored data that breaks the field limits (written by some other tool)
//! cannot break the bound either: the handler stops adding prospects once
//! they would exceed [`MAX_LINKED_PROSPECTS_JSON_BYTES`] and marks the list
//! truncated.

use crate::change::MAX_ACCOUNT_NAME_CHARS;

/// Lambda's limit on a synchronous response payload (6 MB).
pub const LAMBDA_RESPONSE_LIMIT_BYTES: usize = 6 * 1024 * 1024;

/// How many linked prospects a response lists at most: the newest by
/// `createdAt` (ties: the greater `prospectId` first).
pub const MAX_LINKED_PROSPECTS: usize = 100;

/// Longest tenant id, in characters.
pub const MAX_TENANT_ID_CHARS: usize = 128;
/// Length of an account id (`account_` + 26).
pub const ACCOUNT_ID_CHARS: usize = 34;
/// Length of a prospect id (`prospect_` + 26).
pub const PROSPECT_ID_CHARS: usize = 35;
/// Longest domain name (RFC 1035).
pub const MAX_DOMAIN_CHARS: usize = 253;
/// Longest email address (RFC 5321 path).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest prospect name, in characters.
pub const MAX_PROSPECT_NAME_CHARS: usize = 255;
/// Longest prospect slug, in characters.
pub const MAX_SLUG_CHARS: usize = 255;
/// Longest phone number: E.164, `+` and at most 15 digits.
pub const MAX_PHONE_CHARS: usize = 16;
/// Longest LinkedIn profile URL, in characters.
pub const MAX_LINKEDIN_URL_CHARS: usize = 1024;
/// Length of a stored timestamp (`2025-01-12T09:30:00.000Z`).
pub const TIMESTAMP_CHARS: usize = 24;

/// Worst case JSON bytes for one character of a string value.
pub const MAX_JSON_BYTES_PER_CHAR: usize = 6;
/// Worst case growth of the body when Lambda embeds it as a JSON string.
pub const ENVELOPE_EXPANSION: usize = 2;
/// Room for the status, headers and the rest of Lambda's response document.
pub const ENVELOPE_OVERHEAD_BYTES: usize = 16 * 1024;

/// `"key":"value",` with a value of `max_chars` worst-case characters.
const fn field(key: &str, max_chars: usize) -> usize {
    key.len() + 3 + 2 + max_chars * MAX_JSON_BYTES_PER_CHAR + 1
}

/// The largest JSON rendering of one prospect.
pub const MAX_PROSPECT_JSON_BYTES: usize = 2
    + field("prospectId", PROSPECT_ID_CHARS)
    + field("tenantId", MAX_TENANT_ID_CHARS)
    + field("name", MAX_PROSPECT_NAME_CHARS)
    + field("email", MAX_EMAIL_CHARS)
    + field("domain", MAX_DOMAIN_CHARS)
    + field("slug", MAX_SLUG_CHARS)
    + field("phoneNumber", MAX_PHONE_CHARS)
    + field("linkedinProfileUrl", MAX_LINKEDIN_URL_CHARS)
    + field("createdAt", TIMESTAMP_CHARS)
    + field("updatedAt", TIMESTAMP_CHARS);

/// The largest JSON rendering of the response without its prospects.
pub const MAX_ACCOUNT_JSON_BYTES: usize = 2
    + field("accountId", ACCOUNT_ID_CHARS)
    + field("tenantId", MAX_TENANT_ID_CHARS)
    + field("domain", MAX_DOMAIN_CHARS)
    + field("name", MAX_ACCOUNT_NAME_CHARS)
    + field("createdAt", TIMESTAMP_CHARS)
    + field("updatedAt", TIMESTAMP_CHARS)
    + field("latestActivityAt", TIMESTAMP_CHARS)
    + field("linkedProspects", 0)
    + field("linkedProspectsTruncated", 1);

/// Byte budget of the listed prospects; never reached by prospects within
/// the field limits.
pub const MAX_LINKED_PROSPECTS_JSON_BYTES: usize = MAX_LINKED_PROSPECTS * MAX_PROSPECT_JSON_BYTES;

/// The largest 200 body (the prospects plus one comma each).
pub const MAX_RESPONSE_BODY_BYTES: usize =
    MAX_ACCOUNT_JSON_BYTES + MAX_LINKED_PROSPECTS_JSON_BYTES + MAX_LINKED_PROSPECTS;

const _: () = assert!(
    ENVELOPE_EXPANSION * MAX_RESPONSE_BODY_BYTES + ENVELOPE_OVERHEAD_BYTES <= LAMBDA_RESPONSE_LIMIT_BYTES / 2,
    "linkedProspects bound no longer keeps responses under half of Lambda's 6 MB"
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the figures the docs quote (README and this module).
    #[test]
    fn worst_case_sizes_are_the_documented_ones() {
        assert_eq!(MAX_PROSPECT_JSON_BYTES, 13_754);
        assert_eq!(MAX_ACCOUNT_JSON_BYTES, 4_614);
        assert_eq!(MAX_RESPONSE_BODY_BYTES, 1_380_114);
        assert_eq!(
            ENVELOPE_EXPANSION * MAX_RESPONSE_BODY_BYTES + ENVELOPE_OVERHEAD_BYTES,
            2_776_612
        );
    }
}
