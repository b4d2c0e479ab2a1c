//! The mailer's target: its input is a DynamoDB stream event, not a body.

use crate::Verdict;

/// The mailer: the bytes as a DynamoDB stream event (the function's input;
/// refused, as 400, when it is not one). Each record is read as the mailer
/// reads it, and for an address the record holds, both messages render
/// with exactly the headers the mailer writes: no value can add a header.
pub fn send_account_email(data: &[u8]) -> Verdict {
    use aws_lambda_events::event::dynamodb::Event;
    use send_account_email::{mail, request};
    use shared::{clock::Timestamp, store::Item, validate::EmailAddress};
    let Ok(event) = serde_json::from_slice::<Event>(data) else {
        return Verdict::Refused(400);
    };
    let letterhead = mail::Letterhead {
        from: EmailAddress::parse("no-reply@example.com").expect("a valid sender"),
        code_subject: mail::DEFAULT_CODE_SUBJECT.to_owned(),
        notice_subject: mail::DEFAULT_NOTICE_SUBJECT.to_owned(),
    };
    for record in &event.records {
        let _ = request::parse(record);
        let image: Item = record.change.new_image.clone().into();
        for value in image.values() {
            let Some(address) = value.as_s().ok().and_then(|s| EmailAddress::parse(s).ok()) else {
                continue;
            };
            let code = mail::code_message(&letterhead, &address, "0123456789", Timestamp::now());
            let notice = mail::notice_message(&letterhead, &address, &address);
            for message in [code, notice] {
                let raw = message
                    .to_rfc5322(time::OffsetDateTime::UNIX_EPOCH, "fuzz")
                    .expect("a validated address renders");
                let raw = String::from_utf8(raw).expect("UTF-8");
                let head = raw.split("\r\n\r\n").next().unwrap_or_default();
                let names: Vec<&str> = head
                    .split("\r\n")
                    .filter(|l| !l.starts_with(' '))
                    .map(|l| l.split(':').next().unwrap_or_default())
                    .collect();
                assert_eq!(
                    names,
                    [
                        "From",
                        "To",
                        "Subject",
                        "Date",
                        "Message-ID",
                        "MIME-Version",
                        "Content-Type"
                    ],
                    "{head}"
                );
            }
        }
    }
    Verdict::Accepted
}
