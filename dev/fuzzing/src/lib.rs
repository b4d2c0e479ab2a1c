//! The logic of every fuzz target, as plain functions of the input bytes,
//! so the cargo-fuzz binaries (`fuzz/fuzz_targets/*.rs`) and the regular
//! test suite (`tests/corpus.rs`, over `fuzz/corpus/<target>/` and the
//! bodies of `events/`) run exactly the same code.
//!
//! Each target takes the bytes as a request body and runs what the endpoint
//! runs on a body before it touches DynamoDB: the shared body parsing, then
//! the endpoint's wire body and validation (for contract 002 also the custom
//! field plan against a tenant's definitions). It must not panic, and a
//! refusal must be a documented 4xx: 400, or 413 for what is too large,
//! with the error's envelope and its rendered response agreeing. A broken
//! rule panics, which libFuzzer reports as a crash and a test as a failure.
//!
//! This is a crate of its own, not part of `testkit`: every endpoint crate's
//! tests depend on testkit, so testkit cannot depend on the endpoint crates.

use lambda_http::{Body, http::StatusCode};
use shared::http::JsonObjectBody;
use std::collections::HashMap;

/// What a target made of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Parsed and valid: the endpoint would go on to write.
    Accepted,
    /// Refused with this (documented) status.
    Refused(u16),
}

/// A fuzz target: its name (the directory of its corpus, the binary in
/// `fuzz/`) and its function.
pub struct Target {
    /// The name, `fuzz/corpus/<name>/`.
    pub name: &'static str,
    /// The logic.
    pub run: fn(&[u8]) -> Verdict,
}

impl Target {
    /// The functions of `events/<function>/` whose bodies it also runs: the
    /// HTTP binaries of the function it belongs to (`dev/catalog`), none
    /// for the shared body parsing or a stream function.
    pub fn events(&self) -> Vec<&'static str> {
        catalog::by_fuzz_target(self.name)
            .map(|f| f.http_binaries().map(|b| b.name).collect())
            .unwrap_or_default()
    }
}

/// Every target, in the catalog's order (`tests/targets.rs` holds the names
/// equal to `catalog::fuzz_targets`).
pub const TARGETS: &[Target] = &[
    Target {
        name: "json_body",
        run: json_body,
    },
    Target {
        name: "update_account_metadata",
        run: update_account_metadata,
    },
    Target {
        name: "update_tenant_account",
        run: update_tenant_account,
    },
    Target {
        name: "update_crm_account",
        run: update_crm_account,
    },
    Target {
        name: "update_current_account",
        run: update_current_account,
    },
    Target {
        name: "update_account_v2",
        run: update_account_v2,
    },
    Target {
        name: "send_account_email",
        run: send_account_email,
    },
];

/// The statuses a refused body may have.
const DOCUMENTED: [StatusCode; 2] = [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE];

/// Asserts that a refusal is documented; its verdict.
fn refused(envelope: Option<StatusCode>, rendered: StatusCode) -> Verdict {
    if let Some(status) = envelope {
        assert_eq!(status, rendered, "the envelope and the response disagree");
    }
    assert!(DOCUMENTED.contains(&rendered), "undocumented status {rendered}");
    Verdict::Refused(rendered.as_u16())
}

fn body(data: &[u8]) -> Body {
    Body::from(data.to_vec())
}

/// The shared body parsing ([`shared::http::parse_json_object`]), into any
/// JSON object and into a typed model with `deny_unknown_fields` and
/// [`shared::patch::Patch`] fields. Accepted objects survive a round trip.
pub fn json_body(data: &[u8]) -> Verdict {
    use serde_json::{Map, Value};
    use shared::http::{BodyError, MAX_BODY_BYTES, parse_json_object};
    use shared::patch::Patch;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Model {
        #[serde(default)]
        name: Patch<String>,
        #[serde(default)]
        count: Patch<u32>,
        #[serde(default)]
        metadata: Patch<Map<String, Value>>,
    }

    let status = |e: &BodyError| match e {
        BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        BodyError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = body(data);
    let _ = parse_json_object::<Model>(&body, MAX_BODY_BYTES).map_err(|e| refused(None, status(&e)));
    match parse_json_object::<Map<String, Value>>(&body, MAX_BODY_BYTES) {
        Ok(object) => {
            let again: Map<String, Value> =
                serde_json::from_str(&Value::Object(object.clone()).to_string()).expect("re-parse");
            assert_eq!(again, object, "an accepted object changes in a round trip");
            Verdict::Accepted
        }
        Err(e) => refused(None, status(&e)),
    }
}

/// Contract 000: `WireBody::parse` and `Change::validate`.
pub fn update_account_metadata(data: &[u8]) -> Verdict {
    use update_account_metadata::{change::Change, request::WireBody};
    match WireBody::parse(&body(data)).and_then(Change::validate) {
        Ok(_) => Verdict::Accepted,
        Err(e) => refused(Some(e.envelope().status), e.into_response("req-fuzz").status()),
    }
}

/// Contract 001: `WireBody::parse` and `Rename::validate`.
pub fn update_tenant_account(data: &[u8]) -> Verdict {
    use update_tenant_account::{change::Rename, request::WireBody};
    match WireBody::parse(&body(data)).and_then(Rename::validate) {
        Ok(_) => Verdict::Accepted,
        Err(e) => refused(Some(e.envelope().status), e.into_response("req-fuzz").status()),
    }
}

/// Contract 002: `WireBody::parse`, `Change::validate` and the custom
/// field plan against definitions of every type, with and without
/// `allow_new_options`.
pub fn update_crm_account(data: &[u8]) -> Verdict {
    use update_crm_account::{
        change::{Change, custom},
        request::{AccountId, WireBody},
        store::definition::{FieldDef, FieldType},
    };
    let def = |key: &str, t: FieldType, options: &[&str]| {
        (
            key.to_owned(),
            FieldDef::new(key, t, options.iter().map(|o| (*o).to_owned()).collect()),
        )
    };
    let defs = HashMap::from([
        def("gate_code", FieldType::Text, &[]),
        def("square_feet", FieldType::Number, &[]),
        def("key_holder", FieldType::Boolean, &[]),
        def("contract_start", FieldType::Date, &[]),
        def("region", FieldType::Dropdown, &["north", "south"]),
        def("services", FieldType::Multiselect, &["plumbing", "electrical"]),
    ]);
    let account = AccountId::parse(Some("1001")).expect("a valid id");
    let change = match WireBody::parse(&body(data)).and_then(|wire| Change::validate(wire, account)) {
        Ok(change) => change,
        Err(e) => return refused(Some(e.envelope().status), e.into_response("req-fuzz").status()),
    };
    // With `allow_new_options=true` the plan accepts at least what it
    // accepts without; the verdict is the lenient one (events use both),
    // and a strict refusal must be documented too.
    let strict = custom::plan(&defs, &change.custom, false);
    let lenient = custom::plan(&defs, &change.custom, true);
    match strict {
        Ok(_) => assert!(
            lenient.is_ok(),
            "allowing new options refused what the strict plan accepts"
        ),
        Err(e) => {
            refused(Some(e.envelope().status), e.into_response("req-fuzz").status());
        }
    }
    match lenient {
        Ok(_) => Verdict::Accepted,
        Err(e) => refused(Some(e.envelope().status), e.into_response("req-fuzz").status()),
    }
}

/// Contract 003: the PATCH body (`PatchBody`, `Change::validate`) and the
/// confirmation body (`ConfirmBody`, `confirmation_code`); accepted when
/// either accepts it, else the PATCH body's refusal.
pub fn update_current_account(data: &[u8]) -> Verdict {
    use shared::http::{MAX_BODY_BYTES, parse_json_object};
    use update_current_account::{
        change::{self, Change},
        error::ApiError,
        request::{ConfirmBody, PatchBody},
    };
    let body = body(data);
    let render = |e: ApiError, allow| refused(None, e.into_response("req-fuzz", allow).status());
    let confirm = parse_json_object::<ConfirmBody>(&body, MAX_BODY_BYTES)
        .map_err(ApiError::from)
        .and_then(change::confirmation_code)
        .map_err(|e| render(e, "POST"));
    let patch = parse_json_object::<PatchBody>(&body, MAX_BODY_BYTES)
        .map_err(ApiError::from)
        .and_then(Change::validate);
    match (patch, confirm) {
        (Ok(_), _) | (_, Ok(_)) => Verdict::Accepted,
        (Err(e), Err(_)) => render(e, "PATCH"),
    }
}

/// Contract 004: `WireBody::parse` and `Change::validate`.
pub fn update_account_v2(data: &[u8]) -> Verdict {
    use update_account_v2::{change::Change, request::WireBody};
    match WireBody::parse(&body(data)).and_then(Change::validate) {
        Ok(_) => Verdict::Accepted,
        Err(e) => refused(Some(e.envelope().status), e.into_response("req-fuzz").status()),
    }
}

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
