//! PATCH /accounts/{accountId}/metadata against a real local DynamoDB: every
//! status of the contract, with the body and what is stored.

mod common;

use common::{Fixture, OPS, SALES, assert_no_content, assert_problem};
use serde_json::{Map, Value, json};
use testkit::events;
use update_account_metadata::store::leads::leads_of_account;

/// Each behaviour both implementations of the contract support runs twice:
/// against this function in process (`rust`), and against its Python
/// Powertools peer under the real Python runtime client on the same table
/// (`python_peer`; `dev/peer-python`, BENCHMARKS.md).
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            use super::*;

            #[tokio::test]
            async fn rust() {
                super::$test(Fixture::new().await).await
            }

            #[tokio::test]
            async fn python_peer() {
                super::$test(Fixture::python_peer().await).await
            }
        }
    )*};
}

on_both!(
    update_returns_204_and_merges_everything_atomically,
    fields_not_sent_are_kept,
    metadata_null_removes_key_and_nested_objects_replace_whole,
    metadata_values_of_every_json_type_are_stored_as_given,
    map_keys_are_data_not_expression_syntax,
    leads_see_new_name_and_domain_immediately,
    missing_malformed_or_unknown_token_is_401_and_changes_nothing,
    account_of_another_ou_answers_exactly_like_a_missing_one,
    missing_or_invalid_account_id_is_400,
    bad_bodies_are_400_and_change_nothing,
    errors_name_the_offending_field,
    oversized_requests_are_413_and_change_nothing,
    key_limit_boundaries_are_exact,
    many_removals_in_one_request_work,
    accounts_without_a_metadata_map_are_updated,
    empty_metadata_object_is_a_valid_no_op_merge,
    idn_domains_are_stored_lowercase,
    other_methods_are_405,
    bodies_that_are_not_json_are_415_and_change_nothing,
);

async fn update_returns_204_and_merges_everything_atomically(f: Fixture) {
    let before = f.account("acct_1").await;
    let response = f
        .patch(
            "acct_1",
            json!({"name": "Acme Corporation", "domain": "Acme.COM",
                   "metadata": {"employees": 2500, "linkedin_url": "https://linkedin.com/company/acme", "tier": null}}),
        )
        .await;
    assert_no_content(&response);
    assert_eq!(f.text("acct_1", "name").await, "Acme Corporation");
    assert_eq!(f.text("acct_1", "domain").await, "acme.com");
    assert_eq!(
        Value::Object(f.metadata("acct_1").await),
        json!({"industry": "Technology", "employees": 2500, "linkedin_url": "https://linkedin.com/company/acme"})
    );
    let after = f.account("acct_1").await;
    assert_eq!(
        after["version"],
        aws_sdk_dynamodb::types::AttributeValue::N("1".into())
    );
    assert_ne!(after["updated_at"], before["updated_at"]);
    assert_eq!(after["created_at"], before["created_at"]);
    assert_eq!(after["ou_id"], before["ou_id"]);
}

async fn fields_not_sent_are_kept(f: Fixture) {
    assert_no_content(&f.patch("acct_1", json!({"metadata": {"new": true}})).await);
    assert_eq!(f.text("acct_1", "name").await, "Acme");
    assert_eq!(f.text("acct_1", "domain").await, "acme.com");
    assert_eq!(
        Value::Object(f.metadata("acct_1").await),
        json!({"industry": "Technology", "tier": 1, "new": true})
    );
    assert_no_content(&f.patch("acct_1", json!({"name": "Only Name"})).await);
    assert_eq!(f.text("acct_1", "name").await, "Only Name");
    assert_eq!(f.metadata("acct_1").await.len(), 3);
}

async fn metadata_null_removes_key_and_nested_objects_replace_whole(f: Fixture) {
    assert_no_content(
        &f.patch(
            "acct_1",
            json!({"metadata": {"address": {"city": "Berlin", "zip": "10115"}}}),
        )
        .await,
    );
    assert_no_content(
        &f.patch(
            "acct_1",
            json!({"metadata": {"address": {"city": "Paris"}, "industry": null, "absent": null}}),
        )
        .await,
    );
    assert_eq!(
        Value::Object(f.metadata("acct_1").await),
        json!({"tier": 1, "address": {"city": "Paris"}})
    );
}

async fn metadata_values_of_every_json_type_are_stored_as_given(f: Fixture) {
    let values = json!({"s": "text", "i": -42, "f": 3.25, "b": false, "l": [1, "two", null, {"x": []}],
                        "o": {"nested": {"deep": [true]}}, "empty_string": "", "empty_list": [], "empty_object": {}});
    assert_no_content(&f.patch("acct_1", json!({"metadata": values})).await);
    let stored = f.metadata("acct_1").await;
    for (k, v) in values.as_object().unwrap() {
        assert_eq!(&stored[k], v, "{k}");
    }
}

async fn map_keys_are_data_not_expression_syntax(f: Fixture) {
    let forty = "k".repeat(40);
    let hostile = [
        "a.b",
        "#x",
        ":v",
        "size",
        "REMOVE",
        "SET #a = :b",
        "with space",
        "🦀 crab",
        "attribute_exists(pk)",
        forty.as_str(),
    ];
    let body: Map<String, Value> = hostile
        .iter()
        .enumerate()
        .map(|(i, k)| ((*k).to_owned(), json!(i)))
        .collect();
    assert_no_content(&f.patch("acct_1", json!({"metadata": body})).await);
    let stored = f.metadata("acct_1").await;
    for (i, key) in hostile.iter().enumerate() {
        assert_eq!(stored[*key], json!(i), "{key}");
    }
    assert_eq!(stored.len(), hostile.len() + 2);
    // Nothing leaked into top-level attributes.
    let item = f.account("acct_1").await;
    assert!(!item.contains_key("a") && !item.contains_key("x") && !item.contains_key("size"));

    let removals: Map<String, Value> = hostile.iter().map(|k| ((*k).to_owned(), Value::Null)).collect();
    assert_no_content(&f.patch("acct_1", json!({"metadata": removals})).await);
    assert_eq!(
        Value::Object(f.metadata("acct_1").await),
        json!({"industry": "Technology", "tier": 1})
    );
}

async fn leads_see_new_name_and_domain_immediately(f: Fixture) {
    let leads = leads_of_account(&f.state.table, "ou_sales", "acct_1")
        .await
        .unwrap();
    assert_eq!(leads.len(), 2);
    assert!(
        leads
            .iter()
            .all(|l| l.company_name == "Acme" && l.company_domain == "acme.com")
    );

    assert_no_content(
        &f.patch("acct_1", json!({"name": "Acme Global", "domain": "acme.io"}))
            .await,
    );

    let leads = leads_of_account(&f.state.table, "ou_sales", "acct_1")
        .await
        .unwrap();
    assert_eq!(leads.len(), 2);
    for lead in &leads {
        assert_eq!(lead.company_name, "Acme Global", "{lead:?}");
        assert_eq!(lead.company_domain, "acme.io", "{lead:?}");
    }
    assert_eq!(
        leads_of_account(&f.state.table, "ou_ops", "acct_1")
            .await
            .unwrap(),
        vec![]
    );
}

async fn missing_malformed_or_unknown_token_is_401_and_changes_nothing(f: Fixture) {
    let before = f.snapshot().await;
    let body = json!({"name": "Hacked"}).to_string();
    let response = f.patch_raw("acct_1", None, body.as_bytes()).await;
    assert_problem(&response, 401, "unauthorized");
    assert_eq!(events::header(&response, "www-authenticate"), Some("Bearer"));

    for header in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer two parts",
        "tok-sales-0123456789",
    ] {
        let response = f
            .answer(
                "PATCH",
                "/accounts/acct_1/metadata",
                &[("accountId", "acct_1")],
                &[("authorization", header)],
                Some(body.as_bytes()),
            )
            .await;
        assert_problem(&response, 401, "unauthorized");
    }
    assert_problem(
        &f.patch_raw("acct_1", Some("not-a-known-token"), body.as_bytes())
            .await,
        401,
        "unauthorized",
    );
    assert_eq!(f.snapshot().await, before);
}

async fn account_of_another_ou_answers_exactly_like_a_missing_one(f: Fixture) {
    let before = f.snapshot().await;
    let body = json!({"name": "Hacked", "metadata": {"x": 1}}).to_string();
    let other_ou = assert_problem(
        &f.patch_raw("acct_2", Some(SALES), body.as_bytes()).await,
        404,
        "account_not_found",
    );
    let missing = assert_problem(
        &f.patch_raw("acct_nope", Some(SALES), body.as_bytes()).await,
        404,
        "account_not_found",
    );
    assert_eq!(other_ou["detail"], missing["detail"]);
    assert_eq!(other_ou["title"], missing["title"]);
    assert_eq!(f.snapshot().await, before);
    // The owner's token works.
    assert_no_content(&f.patch_raw("acct_2", Some(OPS), body.as_bytes()).await);
    assert_eq!(f.text("acct_2", "name").await, "Hacked");
}

async fn missing_or_invalid_account_id_is_400(f: Fixture) {
    let body = json!({"name": "X"}).to_string();
    let auth = format!("Bearer {SALES}");
    let no_id = f
        .answer(
            "PATCH",
            "/accounts//metadata",
            &[],
            &[("authorization", &auth)],
            Some(body.as_bytes()),
        )
        .await;
    assert_problem(&no_id, 400, "missing_account_id");
    let empty_id = f
        .answer(
            "PATCH",
            "/accounts//metadata",
            &[("accountId", "")],
            &[("authorization", &auth)],
            Some(body.as_bytes()),
        )
        .await;
    assert_problem(&empty_id, 400, "missing_account_id");
    for bad in ["acct#1", "a b", &"a".repeat(129), "ACCOUNT#acct_1"] {
        assert_problem(
            &f.patch_raw(bad, Some(SALES), body.as_bytes()).await,
            400,
            "invalid_account_id",
        );
    }
}

async fn bad_bodies_are_400_and_change_nothing(f: Fixture) {
    let before = f.snapshot().await;
    let deep = format!(
        "{{\"metadata\": {{\"a\": {}1{}}}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty body", b"".to_vec(), "invalid_body"),
        ("whitespace body", b"  \n".to_vec(), "invalid_body"),
        ("empty object", b"{}".to_vec(), "nothing_to_update"),
        ("array", b"[{\"name\": \"x\"}]".to_vec(), "invalid_body"),
        ("string", b"\"name\"".to_vec(), "invalid_body"),
        ("null", b"null".to_vec(), "invalid_body"),
        ("garbage", b"name=Acme".to_vec(), "invalid_body"),
        ("truncated", b"{\"name\": \"Ac".to_vec(), "invalid_body"),
        (
            "trailing data",
            b"{\"name\": \"Acme\"} x".to_vec(),
            "invalid_body",
        ),
        (
            "invalid utf-8",
            b"{\"name\": \"\xc3\x28\"}".to_vec(),
            "invalid_body",
        ),
        ("nesting bomb", deep.into_bytes(), "invalid_body"),
        (
            "unknown field",
            br#"{"name": "x", "owner": "me"}"#.to_vec(),
            "invalid_field",
        ),
        (
            "duplicate field",
            br#"{"name": "x", "name": "y"}"#.to_vec(),
            "invalid_field",
        ),
        ("name null", br#"{"name": null}"#.to_vec(), "invalid_field"),
        ("name number", br#"{"name": 5}"#.to_vec(), "invalid_field"),
        ("name empty", br#"{"name": ""}"#.to_vec(), "invalid_field"),
        ("name blank", br#"{"name": "   "}"#.to_vec(), "invalid_field"),
        (
            "name control",
            br#"{"name": "a\u0000b"}"#.to_vec(),
            "invalid_field",
        ),
        ("domain null", br#"{"domain": null}"#.to_vec(), "invalid_field"),
        (
            "domain url",
            br#"{"domain": "https://acme.com/"}"#.to_vec(),
            "invalid_field",
        ),
        (
            "domain single label",
            br#"{"domain": "localhost"}"#.to_vec(),
            "invalid_field",
        ),
        (
            "domain bad chars",
            br#"{"domain": "ac_me.com"}"#.to_vec(),
            "invalid_field",
        ),
        (
            "domain array",
            br#"{"domain": ["acme.com"]}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata null",
            br#"{"metadata": null}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata array",
            br#"{"metadata": [1]}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata string",
            br#"{"metadata": "x"}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata empty key",
            br#"{"metadata": {"": 1}}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata 41-char key",
            format!("{{\"metadata\": {{\"{}\": 1}}}}", "k".repeat(41)).into_bytes(),
            "invalid_field",
        ),
        (
            "metadata control key",
            br#"{"metadata": {"a\nb": 1}}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata nested empty key",
            br#"{"metadata": {"a": {"": 1}}}"#.to_vec(),
            "invalid_field",
        ),
        (
            "metadata too deep",
            format!(
                "{{\"metadata\": {{\"a\": {}1{}}}}}",
                "[".repeat(16),
                "]".repeat(16)
            )
            .into_bytes(),
            "invalid_field",
        ),
        (
            "metadata huge number",
            br#"{"metadata": {"n": 1e300}}"#.to_vec(),
            "invalid_field",
        ),
        (
            "number overflow",
            br#"{"metadata": {"n": 1e400}}"#.to_vec(),
            "invalid_body",
        ),
    ];
    for (what, body, code) in cases {
        let response = f.patch_raw("acct_1", Some(SALES), &body).await;
        assert_eq!(response.status(), 400, "{what}: {}", events::body_json(&response));
        assert_problem(&response, 400, code);
    }
    assert_eq!(f.snapshot().await, before, "a refused request changed the table");
}

async fn errors_name_the_offending_field(f: Fixture) {
    let body = assert_problem(
        &f.patch("acct_1", json!({"name": "x", "color": "red"})).await,
        400,
        "invalid_field",
    );
    assert!(body["detail"].as_str().unwrap().contains("color"), "{body}");
    let body = assert_problem(
        &f.patch("acct_1", json!({"metadata": {"ok": 1, "bad\u{7}": 2}}))
            .await,
        400,
        "invalid_field",
    );
    assert!(
        body["detail"].as_str().unwrap().starts_with("metadata.bad"),
        "{body}"
    );
}

async fn oversized_requests_are_413_and_change_nothing(f: Fixture) {
    f.account_with_keys("acct_full", 49).await;
    let before = f.snapshot().await;

    let huge = json!({"name": "x", "metadata": {"big": "x".repeat(70 * 1024)}}).to_string();
    assert_problem(
        &f.patch_raw("acct_1", Some(SALES), huge.as_bytes()).await,
        413,
        "body_too_large",
    );

    let value_501 = json!({"metadata": {"k": "x".repeat(499)}});
    assert_problem(
        &f.patch("acct_1", value_501).await,
        413,
        "metadata_value_too_large",
    );

    let fifty_one: Map<String, Value> = (0..51).map(|i| (format!("n{i}"), json!(i))).collect();
    assert_problem(
        &f.patch("acct_1", json!({"metadata": fifty_one})).await,
        413,
        "too_many_metadata_keys",
    );

    // 49 stored + 2 new = 51: refused whole, the name included.
    let body = assert_problem(
        &f.patch(
            "acct_full",
            json!({"name": "Renamed", "metadata": {"new1": 1, "new2": 2}}),
        )
        .await,
        413,
        "too_many_metadata_keys",
    );
    assert!(body["detail"].as_str().unwrap().contains("51"), "{body}");
    assert_eq!(f.snapshot().await, before);
}

async fn key_limit_boundaries_are_exact(f: Fixture) {
    f.account_with_keys("acct_full", 48).await;
    // 48 + 2 = 50: allowed.
    assert_no_content(
        &f.patch("acct_full", json!({"metadata": {"new1": 1, "new2": 2}}))
            .await,
    );
    assert_eq!(f.metadata("acct_full").await.len(), 50);
    // At 50: one more new key is refused...
    assert_problem(
        &f.patch("acct_full", json!({"metadata": {"new3": 3}})).await,
        413,
        "too_many_metadata_keys",
    );
    // ...but overwriting existing keys, and swapping one key for another, are not.
    assert_no_content(
        &f.patch("acct_full", json!({"metadata": {"k0": "changed", "k1": "too"}}))
            .await,
    );
    assert_no_content(
        &f.patch("acct_full", json!({"metadata": {"k2": null, "swapped": true}}))
            .await,
    );
    let stored = f.metadata("acct_full").await;
    assert_eq!(stored.len(), 50);
    assert_eq!(stored["k0"], "changed");
    assert_eq!(stored["swapped"], true);
    assert!(!stored.contains_key("k2"));
    // Removing frees room for exactly as many keys.
    assert_no_content(
        &f.patch("acct_full", json!({"metadata": {"k3": null, "k4": null}}))
            .await,
    );
    assert_no_content(&f.patch("acct_full", json!({"metadata": {"a": 1, "b": 2}})).await);
    assert_eq!(f.metadata("acct_full").await.len(), 50);
}

async fn many_removals_in_one_request_work(f: Fixture) {
    f.account_with_keys("acct_full", 50).await;
    // More keys than fit one expression: the exact path handles it.
    let mut body: Map<String, Value> = (0..3000).map(|i| (format!("gone{i}"), Value::Null)).collect();
    for i in 0..50 {
        body.insert(format!("k{i}"), Value::Null);
    }
    body.insert("kept".into(), json!("yes"));
    assert_no_content(&f.patch("acct_full", json!({"metadata": body})).await);
    assert_eq!(
        Value::Object(f.metadata("acct_full").await),
        json!({"kept": "yes"})
    );
}

async fn accounts_without_a_metadata_map_are_updated(f: Fixture) {
    // A legacy item with no metadata attribute at all.
    let mut item = f.account("acct_1").await;
    item.remove("metadata");
    item.remove("version");
    f.db.put(update_account_metadata::TABLE_LOGICAL_ID, vec![item])
        .await;
    assert_no_content(
        &f.patch("acct_1", json!({"metadata": {"first": 1}, "name": "Legacy"}))
            .await,
    );
    assert_eq!(Value::Object(f.metadata("acct_1").await), json!({"first": 1}));
    assert_eq!(f.text("acct_1", "name").await, "Legacy");
}

async fn empty_metadata_object_is_a_valid_no_op_merge(f: Fixture) {
    assert_no_content(&f.patch("acct_1", json!({"metadata": {}})).await);
    assert_eq!(f.metadata("acct_1").await.len(), 2);
}

async fn idn_domains_are_stored_lowercase(f: Fixture) {
    assert_no_content(&f.patch("acct_1", json!({"domain": "Bücher.DE"})).await);
    assert_eq!(f.text("acct_1", "domain").await, "bücher.de");
    assert_no_content(
        &f.patch("acct_1", json!({"domain": "XN--BCHER-KVA.example"}))
            .await,
    );
    assert_eq!(f.text("acct_1", "domain").await, "bücher.example");
}

async fn other_methods_are_405(f: Fixture) {
    let auth = format!("Bearer {SALES}");
    for method in ["GET", "POST", "PUT", "DELETE"] {
        let response = f
            .answer(
                method,
                "/accounts/acct_1/metadata",
                &[("accountId", "acct_1")],
                &[("authorization", &auth)],
                None,
            )
            .await;
        assert_problem(&response, 405, "method_not_allowed");
        assert_eq!(events::header(&response, "allow"), Some("PATCH"));
    }
}

async fn bodies_that_are_not_json_are_415_and_change_nothing(f: Fixture) {
    let before = f.snapshot().await;
    let auth = format!("Bearer {SALES}");
    let body = json!({"name": "Not JSON typed"}).to_string();
    let refused: [Option<&str>; 5] = [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=latin1"),
        Some("application/json-patch+json"),
        None,
    ];
    for content_type in refused {
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(t) = content_type {
            headers.push(("content-type", t));
        }
        let response = f
            .answer(
                "PATCH",
                "/accounts/acct_1/metadata",
                &[("accountId", "acct_1")],
                &headers,
                Some(body.as_bytes()),
            )
            .await;
        let problem = assert_problem(&response, 415, "unsupported_media_type");
        assert!(
            problem["detail"].as_str().unwrap().contains("application/json"),
            "{content_type:?}: {problem}"
        );
        assert_eq!(
            events::header(&response, "accept-patch"),
            Some("application/json, application/merge-patch+json")
        );
    }
    assert_eq!(f.snapshot().await, before);

    for (i, content_type) in ["application/merge-patch+json", "Application/JSON; charset=UTF-8"]
        .into_iter()
        .enumerate()
    {
        let name = format!("Typed {i}");
        let body = json!({ "name": name }).to_string();
        let response = f
            .answer(
                "PATCH",
                "/accounts/acct_1/metadata",
                &[("accountId", "acct_1")],
                &[("authorization", auth.as_str()), ("content-type", content_type)],
                Some(body.as_bytes()),
            )
            .await;
        assert_no_content(&response);
        assert_eq!(f.text("acct_1", "name").await, name);
    }
}

/// The peer's safe retries are Powertools' idempotency utility, on the same
/// table (BENCHMARKS.md says how they differ from this function's): a
/// retry with the same key gets the first answer without running again,
/// and the same key with another body is refused.
#[tokio::test]
async fn python_peer_answers_a_retried_idempotency_key_from_its_record() {
    let f = Fixture::python_peer().await;
    let auth = format!("Bearer {SALES}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", "rename-once"),
    ];
    let send = |body: &'static str| {
        f.answer(
            "PATCH",
            "/accounts/acct_1/metadata",
            &[("accountId", "acct_1")],
            &headers,
            Some(body.as_bytes()),
        )
    };
    assert_no_content(&send(r#"{"name": "Once"}"#).await);
    assert_eq!(f.text("acct_1", "name").await, "Once");
    // Another writer in between: a retry that ran again would undo it.
    assert_no_content(&f.patch("acct_1", json!({"name": "Other"})).await);
    assert_no_content(&send(r#"{"name": "Once"}"#).await);
    assert_eq!(f.text("acct_1", "name").await, "Other");
    assert_problem(&send(r#"{"name": "Twice"}"#).await, 422, "idempotency_key_reused");
    assert_eq!(f.text("acct_1", "name").await, "Other");
}
