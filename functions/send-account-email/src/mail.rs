//! The two messages a pending email change owes, and their RFC 5322 form.
//!
//! - The code, to the new address ([`code_message`]): the code, when it
//!   expires, and what to do if the change was not asked for.
//! - A notice, to the account's current address ([`notice_message`]): that
//!   a change to a masked new address was asked for, and what to do if it
//!   was not the owner. It never holds the code.
//!
//! Each is a `multipart/alternative` message with a plain-text and an HTML
//! part ([`Mail::to_rfc5322`]), the same bytes SES sends ("raw" content)
//! and the local mailbox stores as a `.eml` file. Header values come from
//! validated addresses and the operator's subjects; a CR or LF in any of
//! them is refused ([`MailError::HeaderBreak`]), so nothing can add a header.

use shared::{clock::Timestamp, validate::EmailAddress};
use std::fmt::Write as _;
use time::{OffsetDateTime, format_description::well_known::Rfc2822};

/// The subject of the code message when the operator sets none.
pub const DEFAULT_CODE_SUBJECT: &str = "Your code to confirm your new email address";

/// The subject of the notice when the operator sets none.
pub const DEFAULT_NOTICE_SUBJECT: &str = "A change of your account's email address was requested";

/// The longest line of an encoded body part (RFC 2045 §6.7: 76 characters).
const MAX_ENCODED_LINE: usize = 76;

/// What the operator sets: the sender (a verified SES identity) and the
/// subjects.
#[derive(Debug, Clone)]
pub struct Letterhead {
    /// The `From` address.
    pub from: EmailAddress,
    /// The code message's subject.
    pub code_subject: String,
    /// The notice's subject.
    pub notice_subject: String,
}

/// Why a message cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// A header value holds a line break.
    #[error("a header value holds a line break")]
    HeaderBreak,
}

/// Which of the two messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The code, to the new address.
    Code,
    /// The notice, to the current address.
    Notice,
}

impl Kind {
    /// Its name in logs and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Code => "code",
            Kind::Notice => "notice",
        }
    }
}

/// One message, ready to send. Its `Debug` form shows no address, body or
/// code.
#[derive(Clone)]
pub struct Mail {
    /// Which message.
    pub kind: Kind,
    /// Sender.
    pub from: String,
    /// The one recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The code the message carries (the code message only), for the local
    /// mailbox's line; never logged.
    pub code: Option<String>,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("kind", &self.kind)
            .field("to", &mask(&self.to))
            .finish_non_exhaustive()
    }
}

/// The message carrying `code` to the new address `to`.
pub fn code_message(letterhead: &Letterhead, to: &EmailAddress, code: &str, expires: Timestamp) -> Mail {
    let when = expires_text(expires);
    let text = format!(
        "Your code to confirm your new email address is:\r\n\r\n    {code}\r\n\r\n\
         Enter it where you changed your address. It expires on {when} and \
         confirms this address only.\r\n\r\n\
         If you did not ask to change your email address, ignore this message: \
         nothing changes until the code is entered.\r\n"
    );
    let html = format!(
        "<!DOCTYPE html>\r\n<html><body>\r\n\
         <p>Your code to confirm your new email address is:</p>\r\n\
         <p style=\"font-size:1.5em;font-family:monospace;letter-spacing:0.1em\"><strong>{}</strong></p>\r\n\
         <p>Enter it where you changed your address. It expires on {} and confirms this address only.</p>\r\n\
         <p>If you did not ask to change your email address, ignore this message: \
         nothing changes until the code is entered.</p>\r\n\
         </body></html>\r\n",
        escape_html(code),
        escape_html(&when),
    );
    Mail {
        kind: Kind::Code,
        from: letterhead.from.as_str().to_owned(),
        to: to.as_str().to_owned(),
        subject: letterhead.code_subject.clone(),
        text,
        html,
        code: Some(code.to_owned()),
    }
}

/// The notice to the current address `to` that a change to `new` was asked
/// for (`new` masked, no code).
pub fn notice_message(letterhead: &Letterhead, to: &EmailAddress, new: &EmailAddress) -> Mail {
    let masked = mask(new.as_str());
    let text = format!(
        "Someone asked to change the email address of your account to {masked}. \
         A code was sent to that address; the change happens only when the code \
         is entered.\r\n\r\n\
         If it was you, there is nothing to do.\r\n\r\n\
         If it was not, someone else may be able to act on your account: revoke \
         its access tokens and contact support. Until the code is entered, your \
         account keeps this address.\r\n"
    );
    let html = format!(
        "<!DOCTYPE html>\r\n<html><body>\r\n\
         <p>Someone asked to change the email address of your account to <strong>{}</strong>. \
         A code was sent to that address; the change happens only when the code is entered.</p>\r\n\
         <p>If it was you, there is nothing to do.</p>\r\n\
         <p>If it was not, someone else may be able to act on your account: revoke its access \
         tokens and contact support. Until the code is entered, your account keeps this address.</p>\r\n\
         </body></html>\r\n",
        escape_html(&masked),
    );
    Mail {
        kind: Kind::Notice,
        from: letterhead.from.as_str().to_owned(),
        to: to.as_str().to_owned(),
        subject: letterhead.notice_subject.clone(),
        text,
        html,
        code: None,
    }
}

/// An address with most of it hidden, for notices and logs: the first
/// character of the local part and of the domain, and the domain's last
/// label (`jane.doe@example.co.uk` → `j***@e***.uk`).
pub fn mask(address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let tld = domain.rsplit_once('.').map(|(_, tld)| tld);
    match tld {
        Some(tld) => format!("{}***@{}***.{tld}", first(local), first(domain)),
        None => format!("{}***@{}***", first(local), first(domain)),
    }
}

/// `expires` as people read it: `2026-12-07 06:03 UTC`.
fn expires_text(expires: Timestamp) -> String {
    let text = expires.to_string();
    // RFC 3339 in UTC: `2026-12-07T06:03:02.123Z` → date and minutes.
    match (text.get(..10), text.get(11..16)) {
        (Some(date), Some(minutes)) => format!("{date} {minutes} UTC"),
        _ => text,
    }
}

impl Mail {
    /// The message as RFC 5322 bytes (CRLF line ends): headers (`From`,
    /// `To`, `Subject` RFC 2047-encoded when not ASCII, `Date`,
    /// `Message-ID`, MIME), then the text and HTML parts, quoted-printable.
    /// `id` makes the `Message-ID` and the part boundary unique.
    pub fn to_rfc5322(&self, date: OffsetDateTime, id: &str) -> Result<Vec<u8>, MailError> {
        for value in [&self.from, &self.to, &self.subject] {
            if value.contains(['\r', '\n']) {
                return Err(MailError::HeaderBreak);
            }
        }
        let domain = self.from.rsplit_once('@').map_or("localhost", |(_, d)| d);
        let boundary = format!("=_part_{id}");
        let date = date.format(&Rfc2822).unwrap_or_default();
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {date}\r\nMessage-ID: <{id}@{domain}>\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n",
            self.from,
            self.to,
            encode_header(&self.subject),
        );
        for (media_type, body) in [("text/plain", &self.text), ("text/html", &self.html)] {
            let _ = write!(
                out,
                "--{boundary}\r\nContent-Type: {media_type}; charset=UTF-8\r\n\
                 Content-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n",
                quoted_printable(body)
            );
        }
        let _ = write!(out, "--{boundary}--\r\n");
        Ok(out.into_bytes())
    }
}

/// A header value as it may appear in a header: as is when printable
/// ASCII, else one RFC 2047 encoded word per chunk (`=?UTF-8?Q?...?=`).
fn encode_header(value: &str) -> String {
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return value.to_owned();
    }
    let mut words = Vec::new();
    let mut word = String::new();
    for c in value.chars() {
        let mut buf = [0u8; 4];
        let mut encoded = String::new();
        for b in c.encode_utf8(&mut buf).bytes() {
            match b {
                b' ' => encoded.push('_'),
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'!' | b'*' | b'+' | b'-' | b'/' => {
                    encoded.push(b as char)
                }
                _ => {
                    let _ = write!(encoded, "={b:02X}");
                }
            }
        }
        // An encoded word is at most 75 characters; 12 go to `=?UTF-8?Q?`
        // and `?=`.
        if word.len() + encoded.len() > 75 - 12 {
            words.push(std::mem::take(&mut word));
        }
        word.push_str(&encoded);
    }
    words.push(word);
    words
        .iter()
        .map(|w| format!("=?UTF-8?Q?{w}?="))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// `text` (CRLF line ends) in quoted-printable (RFC 2045 §6.7): printable
/// ASCII as is except `=`, everything else `=XX`, a space or tab before a
/// line end encoded, and lines of at most 76 characters with soft breaks.
fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (n, line) in text.split("\r\n").enumerate() {
        if n > 0 {
            out.push_str("\r\n");
        }
        let mut width = 0;
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let literal = matches!(b, b'!'..=b'<' | b'>'..=b'~') || (matches!(b, b' ' | b'\t') && !last);
            let piece = if literal {
                (b as char).to_string()
            } else {
                format!("={b:02X}")
            };
            // Keep room for the soft break's `=` on a full line.
            if width + piece.len() > MAX_ENCODED_LINE - 1 {
                out.push_str("=\r\n");
                width = 0;
            }
            out.push_str(&piece);
            width += piece.len();
        }
    }
    out
}

/// `text` safe inside HTML text and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letterhead() -> Letterhead {
        Letterhead {
            from: EmailAddress::parse("no-reply@example.com").unwrap(),
            code_subject: DEFAULT_CODE_SUBJECT.to_owned(),
            notice_subject: "Änderung Ihrer Adresse".to_owned(),
        }
    }

    /// Undoes [`quoted_printable`] (soft breaks and `=XX`).
    fn decode_qp(text: &str) -> String {
        let joined = text.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut it = joined.bytes();
        while let Some(b) = it.next() {
            if b == b'=' {
                let hex = [it.next().unwrap(), it.next().unwrap()];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
            } else {
                bytes.push(b);
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_code_message_has_both_parts_and_the_code() {
        let to = EmailAddress::parse("new@example.org").unwrap();
        let expires = Timestamp::parse("2026-12-07T06:03:02Z").unwrap();
        let mail = code_message(&letterhead(), &to, "0123456789", expires);
        let raw = String::from_utf8(mail.to_rfc5322(OffsetDateTime::UNIX_EPOCH, "abc").unwrap()).unwrap();
        assert!(
            raw.starts_with("From: no-reply@example.com\r\nTo: new@example.org\r\n"),
            "{raw}"
        );
        assert!(raw.contains(&format!("Subject: {DEFAULT_CODE_SUBJECT}\r\n")));
        assert!(raw.contains("Message-ID: <abc@example.com>\r\n"));
        assert!(raw.contains("Content-Type: multipart/alternative; boundary=\"=_part_abc\""));
        let parts: Vec<&str> = raw.split("--=_part_abc").collect();
        assert_eq!(parts.len(), 4, "preamble, text, html, end: {raw}");
        assert!(parts[1].contains("Content-Type: text/plain; charset=UTF-8"));
        assert!(parts[2].contains("Content-Type: text/html; charset=UTF-8"));
        for part in &parts[1..3] {
            let body = decode_qp(part.split_once("\r\n\r\n").unwrap().1);
            assert!(body.contains("0123456789"), "{body}");
            assert!(body.contains("2026-12-07 06:03 UTC"), "{body}");
            assert!(body.contains("did not ask"), "{body}");
        }
        assert!(parts[3].starts_with("--\r\n"));
        assert!(raw.lines().all(|l| l.len() <= 998), "RFC 5322 line limit");
        assert!(!format!("{mail:?}").contains("0123456789"));
        assert!(!format!("{mail:?}").contains("new@example.org"));
    }

    #[test]
    fn the_notice_masks_the_new_address_and_holds_no_code() {
        let to = EmailAddress::parse("old@example.com").unwrap();
        let new = EmailAddress::parse("jane.doe@example.co.uk").unwrap();
        let mail = notice_message(&letterhead(), &to, &new);
        assert_eq!(mail.code, None);
        let raw = String::from_utf8(mail.to_rfc5322(OffsetDateTime::UNIX_EPOCH, "n1").unwrap()).unwrap();
        assert!(!raw.contains("jane.doe"), "{raw}");
        for part in raw.split("--=_part_n1").skip(1).take(2) {
            let decoded = decode_qp(part.split_once("\r\n\r\n").unwrap().1);
            assert!(decoded.contains("j***@e***.uk"), "{decoded}");
        }
        // The non-ASCII subject is an RFC 2047 encoded word.
        assert!(
            raw.contains("Subject: =?UTF-8?Q?=C3=84nderung_Ihrer_Adresse?=\r\n"),
            "{raw}"
        );
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_round_trips() {
        let text = format!("{}\r\nend with space \r\n= sign é", "x".repeat(200));
        let encoded = quoted_printable(&text);
        assert!(
            encoded.split("\r\n").all(|l| l.len() <= MAX_ENCODED_LINE),
            "{encoded}"
        );
        assert!(encoded.contains("space=20\r\n"));
        assert_eq!(decode_qp(&encoded), text);
    }

    #[test]
    fn a_line_break_in_a_header_is_refused() {
        let to = EmailAddress::parse("new@example.org").unwrap();
        let mut head = letterhead();
        head.code_subject = "Hi\r\nBcc: victim@example.com".to_owned();
        let mail = code_message(&head, &to, "0123456789", Timestamp::now());
        assert_eq!(
            mail.to_rfc5322(OffsetDateTime::UNIX_EPOCH, "x"),
            Err(MailError::HeaderBreak)
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask("a@b.c"), "a***@b***.c");
        assert_eq!(mask("jane@localhost"), "j***@l***");
        assert_eq!(mask("nobody"), "n***@***");
    }
}
