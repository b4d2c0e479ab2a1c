//! Contract 002's extra check: what `check_request` cannot decide without
//! the tenant's table, the custom fields' values against their definitions.

use crate::{Verdict, refused};
use lambda_http::Body;
use shared::http::JsonObjectBody;
use std::collections::HashMap;
use update_crm_account::{
    change::{Change, custom},
    request::{AccountId, WireBody},
    store::definition::{FieldDef, FieldType},
};

/// The account of the request `check_request` ran on.
///
/// # Panics
/// When its path names no valid account (the bench event's does).
pub fn account_of(request: &lambda_http::Request) -> AccountId {
    AccountId::from_path(request).expect("the bench event's path names an account")
}

/// The custom field plan of a body `check_request` accepted for
/// `account`, against definitions of every type, with and without
/// `allow_new_options`: the lenient plan accepts at least what the strict
/// one accepts, and each refusal is documented. The verdict is the
/// lenient plan's (events use both).
pub fn custom_fields(data: &[u8], account: AccountId) -> Verdict {
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
    let change = WireBody::parse(&Body::from(data.to_vec()))
        .and_then(|wire| Change::validate(wire, account))
        .expect("check_request accepted it for this account");
    let strict = custom::plan(&defs, &change.custom, false);
    let lenient = custom::plan(&defs, &change.custom, true);
    match strict {
        Ok(_) => assert!(
            lenient.is_ok(),
            "allowing new options refused what the strict plan accepts"
        ),
        Err(e) => {
            refused(e.into_response("req-fuzz").status());
        }
    }
    match lenient {
        Ok(_) => Verdict::Accepted,
        Err(e) => refused(e.into_response("req-fuzz").status()),
    }
}
