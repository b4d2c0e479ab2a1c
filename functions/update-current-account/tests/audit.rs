//! Who changed what: the request line of an admin acting on another
//! account names the admin's own account, the account it changed and the
//! role that allowed it; an owner's names only its own account.

mod common;

use common::{ADMIN, Fixture, T1, ok};
use serde_json::Value;
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn an_admin_acting_on_another_account_is_on_the_request_line() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&lines);
    shared::metrics::set_sink(move |line| sink.lock().unwrap().push(line.to_owned()));
    let f = Fixture::new().await;

    ok(&f
        .patch_raw(
            Some(ADMIN),
            &[("x-account-id", "acct_1")],
            br#"{"name": "By admin"}"#,
        )
        .await);
    ok(&f.patch_raw(Some(T1), &[], br#"{"name": "By owner"}"#).await);

    let records: Vec<Value> = lines
        .lock()
        .unwrap()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{records:?}");
    let admin = &records[0];
    assert_eq!(admin["account_id"], "acct_admin", "{admin}");
    assert_eq!(admin["target_account_id"], "acct_1", "{admin}");
    assert_eq!(admin["role"], "admin", "{admin}");
    let owner = &records[1];
    assert_eq!(owner["account_id"], "acct_1", "{owner}");
    assert!(owner.get("target_account_id").is_none(), "{owner}");
}
