//! The seed section's rules: records that break them are refused with a
//! message naming the record and the field.

use serde_json::{Value, json};
use shared::seed::Section as _;
use update_tenant_account::seed::Seed;

const ACCOUNT: &str = "account_01jfrt4z00fay8vvr14d2pf2db";

fn items(section: Value) -> Result<usize, String> {
    let seed: Seed = serde_json::from_value(section).map_err(|e| e.to_string())?;
    seed.items().map(|i| i.len()).map_err(|e| e.to_string())
}

fn account(extra: Value) -> Value {
    let mut account = json!({"id": ACCOUNT, "tenant_id": "tenant_a", "domain": "acme.com"});
    account
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    account
}

fn with_prospect(extra: Value) -> Value {
    let mut prospect = json!({"account_id": ACCOUNT, "name": "Jane"});
    prospect
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"accounts": [account(json!({}))], "prospects": [prospect]})
}

fn refused(section: Value, needle: &str) {
    let error = items(section.clone()).expect_err(&format!("accepted {section}"));
    assert!(error.contains(needle), "{error:?} does not mention {needle:?}");
}

#[test]
fn every_response_field_can_be_seeded() {
    let section = json!({
        "accounts": [account(json!({"name": "Acme", "created_at": "2023-11-07T05:31:56Z",
            "updated_at": "2023-11-08T05:31:56Z", "latest_activity_at": null}))],
        "prospects": [{"prospect_id": "prospect_01jfrt4z00fay8vvrh4d2pf2db", "account_id": ACCOUNT,
            "tenant_id": "tenant_a", "name": "Jane", "email": "jane@acme.com", "domain": "acme.com",
            "slug": "jane", "phone_number": "+15550100", "linkedin_profile_url": "https://x.example/in/jane",
            "created_at": "2023-11-07T05:31:56Z", "updated_at": "2023-11-07T05:31:56Z"}]
    });
    assert_eq!(items(section), Ok(2));
}

#[test]
fn timestamps_must_be_rfc3339_of_at_most_millisecond_precision() {
    refused(
        json!({"accounts": [account(json!({"created_at": "yesterday"}))]}),
        "created_at",
    );
    refused(
        json!({"accounts": [account(json!({"updated_at": "2023-11-07 05:31:56"}))]}),
        "updated_at",
    );
    refused(
        json!({"accounts": [account(json!({"latest_activity_at": "2023-13-01T00:00:00Z"}))]}),
        "latest_activity_at",
    );
    refused(
        json!({"accounts": [account(json!({"created_at": "2023-11-07T05:31:56.0001Z"}))]}),
        "milliseconds",
    );
    refused(
        with_prospect(json!({"created_at": "2023-02-29T00:00:00Z"})),
        "created_at",
    );
    refused(with_prospect(json!({"updated_at": 12})), "invalid type");
}

#[test]
fn updated_at_may_not_precede_created_at() {
    refused(
        json!({"accounts": [account(json!({"created_at": "2024-01-02T00:00:00Z",
                                           "updated_at": "2024-01-01T00:00:00Z"}))]}),
        "before created_at",
    );
    refused(
        with_prospect(json!({"created_at": "2024-01-02T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"})),
        "before created_at",
    );
}

#[test]
fn prospects_keep_their_accounts_tenant_and_the_field_limits() {
    refused(with_prospect(json!({"tenant_id": "tenant_b"})), "tenant_id");
    refused(
        with_prospect(json!({"id": "prospect_123"})),
        "prospect_[a-z0-9]{26}",
    );
    refused(with_prospect(json!({"slug": "s".repeat(256)})), "slug");
    refused(with_prospect(json!({"name": "n".repeat(256)})), "name");
    refused(
        with_prospect(json!({"linkedin_profile_url": format!("https://x.example/{}", "u".repeat(1024))})),
        "linkedin_profile_url",
    );
    refused(with_prospect(json!({"domain": "not a domain"})), "domain");
    refused(
        json!({"accounts": [account(json!({"tenant_id": "t".repeat(129)}))]}),
        "tenant_id",
    );
    refused(
        json!({"accounts": [account(json!({})), account(json!({}))]}),
        "appears twice",
    );
}
