//! Seeded accounts take every field the contract's response shows, and
//! keep their timestamps as given.

mod common;

use common::{Fixture, assert_error, ok};
use serde_json::json;
use shared::seed::Section as _;
use update_current_account::seed::Seed;

const TOKEN: &str = "v1-token-seeded-0123456789";

#[tokio::test]
async fn seeded_contract_fields_and_timestamps_are_kept_as_given() {
    let f = Fixture::new().await;
    f.seed(json!({
        "tokens": [{"token": TOKEN, "account_id": "acct_001", "role": "owner"}],
        "accounts": [{
            "id": "acct_001", "email": "new_email@example.com", "name": "Acme Corp.",
            "type": "business", "status": "active",
            "created_at": "2025-01-12T09:30:00Z", "updated_at": "2025-09-18T20:12:00+02:00",
            "settings": {"currency": "EUR", "timezone": "Europe/Berlin", "language": "de"}
        }]
    }))
    .await;
    let stored = f.account("acct_001").await;
    assert_eq!(stored["created_at"].as_s().unwrap(), "2025-01-12T09:30:00Z");
    assert_eq!(stored["updated_at"].as_s().unwrap(), "2025-09-18T20:12:00+02:00");
    let body = ok(&f.patch(TOKEN, json!({"settings": {"language": "en"}})).await);
    assert_eq!(body["created_at"], "2025-01-12T09:30:00Z");
    assert_ne!(body["updated_at"], "2025-09-18T20:12:00+02:00");
    assert_eq!(body["status"], "active");
    assert_eq!(body["email"], "new_email@example.com");
}

#[tokio::test]
async fn a_seeded_pending_change_reserves_nothing_and_confirms_with_its_code() {
    let f = Fixture::new().await;
    f.seed(json!({
        "tokens": [{"token": TOKEN, "account_id": "acct_p", "role": "owner"}],
        "accounts": [{
            "id": "acct_p", "email": "p@example.com", "name": "P", "type": "individual",
            "email_verification": "required",
            "pending_email_change": {"email": "one@example.com", "code": "4242424242"}
        }]
    }))
    .await;
    f.assert_email_markers_consistent().await;
    assert_error(&f.confirm(TOKEN, "4242424242").await, 409, "email_exists");
}

#[test]
fn bad_seed_timestamps_and_codes_are_refused() {
    let account = |extra: serde_json::Value| {
        let mut a = json!({"id": "acct_x", "email": "x@example.com", "name": "X", "type": "individual"});
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value::<Seed>(json!({ "accounts": [a] })).unwrap()
    };
    for extra in [
        json!({"created_at": "yesterday"}),
        json!({"created_at": "2025-13-01T00:00:00Z"}),
        json!({"updated_at": "2025-01-12"}),
        json!({"created_at": "2025-01-12T09:30:00Z", "updated_at": "2025-01-12T09:29:59Z"}),
        json!({"status": ""}),
        json!({"status": "on hold"}),
        json!({"pending_email_change": {"email": "y@example.com", "code": "424242"}}),
        json!({"pending_email_change": {"email": "X@example.com", "code": "4242424242"}}),
    ] {
        assert!(account(extra.clone()).items().is_err(), "{extra}");
    }
    assert!(
        account(json!({"created_at": "2025-01-12T09:30:00Z"}))
            .items()
            .is_ok()
    );
    assert!(
        account(json!({"updated_at": "2025-01-12T09:30:00Z"}))
            .items()
            .is_ok()
    );
}

/// A token's `account_id` is checked as an account id when the file is
/// read: a token that could never name its account is refused, not stored.
#[test]
fn a_token_for_an_impossible_account_id_is_refused() {
    let seed = |account_id: &str| {
        serde_json::from_value::<Seed>(json!({
            "tokens": [{"token": TOKEN, "account_id": account_id, "role": "owner"}]
        }))
    };
    assert!(seed("acct_001").is_ok());
    let refused = seed("acct 001").unwrap_err().to_string();
    assert!(refused.contains("\"acct 001\" is not an account id"), "{refused}");
}
