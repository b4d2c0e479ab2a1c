//! The smoke test against the real handlers served over HTTP: it passes
//! on a fresh API and on one holding data, changes nothing, and fails when
//! a route does not let its credential through.

use super::{HARMLESS_STATUSES, PROBE_BODIES, check, credentials, probes};
use crate::credentials::store;
use crate::success_events::of_template;
use std::collections::HashMap;
use testkit::{TestDb, local_api::LocalApi, seed::SeedFile, workspace_root};

/// A v1 token of the demo seed, whose account exists.
const DEMO_V1_OWNER: &str = "demo-token-v1-owner";

#[test]
fn each_probe_is_its_route_s_success_event_with_its_api_s_credential() {
    let events = of_template(&workspace_root()).unwrap();
    let probes = probes().unwrap();
    assert_eq!(probes.len(), events.len());
    for (probe, event) in probes.iter().zip(&events) {
        assert_eq!(probe.route, event.route.key());
        let body = PROBE_BODIES
            .iter()
            .find(|(key, _)| *key == probe.route)
            .map_or(event.body.as_str(), |(_, body)| body);
        assert_eq!(
            (probe.method.as_str(), probe.path.as_str(), probe.body.as_str()),
            (event.route.method.as_str(), event.raw_path.as_str(), body)
        );
        // The function's credential is sent as the event sends it.
        let (header, prefix) = (&probe.credential.header, &probe.credential.prefix);
        assert!(
            event
                .header(header)
                .is_some_and(|v| v.starts_with(prefix.as_str())),
            "{}: {} sends {header}, which {} lacks",
            probe.route,
            probe.credential.package,
            event.file
        );
    }
    let api = |key: &str| probes.iter().find(|p| p.route == key).unwrap();
    assert_eq!(
        api("PATCH /clients/{accountId}").credential.package,
        "update-crm-account"
    );
    assert_eq!(
        api("POST /v1/account/email/confirm").credential.package,
        "update-current-account"
    );
    assert_eq!(api("POST /v1/account/email/confirm").harmless, [404, 412, 400]);
    assert_eq!(api("PATCH /v1/account").harmless, HARMLESS_STATUSES);
    assert_eq!(api("PATCH /accounts/{accountId}").harmless, HARMLESS_STATUSES);
    assert_eq!(
        api("PATCH /accounts/{accountId}").body,
        r#"{"title": "smoke test"}"#
    );
}

/// Every table of `db`, for "nothing changed" checks.
async fn snapshot(db: &TestDb) -> Vec<Vec<shared::store::Item>> {
    let mut tables = Vec::new();
    for table in catalog::tables() {
        tables.push(db.snapshot(table).await);
    }
    tables
}

/// The smoke test's outcomes on a database holding the demo data, with
/// the smoke credentials created in it, and `swap` applied to their
/// secrets; fails when the smoke test changed data.
async fn on_demo_data(swap: impl FnOnce(&mut HashMap<&'static str, String>)) -> Vec<super::Outcome> {
    let db = TestDb::start().await;
    let demo = SeedFile::demo(&workspace_root()).unwrap();
    for (table, items) in seeding::seed_items(&demo).unwrap() {
        db.put(table, items).await;
    }
    let mut secrets = HashMap::new();
    for credential in credentials().unwrap() {
        let table = db.table(credential.table).name().to_owned();
        let created = store::create(db.client(), &table, &credential).await.unwrap();
        secrets.insert(credential.package, created.secret);
    }
    swap(&mut secrets);
    let before = snapshot(&db).await;
    let api = LocalApi::start_template(crate::functions::handlers_on(|id| db.table(id)))
        .await
        .unwrap();
    let outcomes = check(&api.url(), |c| secrets.get(c.package).cloned())
        .await
        .unwrap();
    api.stop().await;
    assert!(outcomes.iter().all(|o| o.passed()), "{outcomes:#?}");
    assert_eq!(snapshot(&db).await, before, "the smoke test changed data");
    outcomes
}

/// The derived smoke credentials reach no data: every probe, the demo
/// accounts' included, is answered "no such account".
#[tokio::test]
async fn the_smoke_credentials_reach_no_data() {
    for outcome in on_demo_data(|_| ()).await {
        assert_eq!(outcome.harmless, Some(404), "{outcome}");
    }
}

/// With v1's real owner token (v1 acts on the token's own account, a real
/// one here) the smoke test still passes and changes nothing: the
/// precondition holds the real account.
#[tokio::test]
async fn the_smoke_test_passes_and_changes_nothing_even_on_real_accounts() {
    let outcomes = on_demo_data(|secrets| {
        secrets.insert("update-current-account", DEMO_V1_OWNER.to_owned());
    })
    .await;
    let v1 = outcomes.iter().find(|o| o.route == "PATCH /v1/account").unwrap();
    assert_eq!(v1.harmless, Some(412), "the precondition held the real account");
    for outcome in outcomes
        .iter()
        .filter(|o| !o.route.starts_with("PATCH /v1") && !o.route.starts_with("POST /v1"))
    {
        assert_eq!(outcome.harmless, Some(404), "{outcome}");
    }
}

#[tokio::test]
async fn the_smoke_test_fails_when_a_credential_is_refused_or_missing() {
    let db = TestDb::start().await;
    let api = LocalApi::start_template(crate::functions::handlers_on(|id| db.table(id)))
        .await
        .unwrap();
    let smoke = credentials().unwrap();
    let of = |package: &str| smoke.iter().find(|c| c.package == package).unwrap();
    let metadata = of("update-account-metadata");
    let metadata_table = db.table(metadata.table).name().to_owned();
    let metadata = store::create(db.client(), &metadata_table, metadata)
        .await
        .unwrap();
    let outcomes = check(&api.url(), |c| match c.package {
        "update-account-metadata" => Some(metadata.secret.clone()),
        "update-account-v2" => None,
        _ => Some("unknown-secret".to_owned()),
    })
    .await
    .unwrap();
    api.stop().await;
    let passed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.passed())
        .map(|o| o.route.as_str())
        .collect();
    assert_eq!(passed, ["PATCH /accounts/{accountId}/metadata"]);
    let v2 = outcomes
        .iter()
        .find(|o| o.route.starts_with("PATCH /v2"))
        .unwrap();
    assert!(v2.problems[0].contains("SMOKE_UPDATE_ACCOUNT_V2_SECRET"), "{v2}");
    assert_eq!(v2.refused, Some(401));
    let tenant = outcomes
        .iter()
        .find(|o| o.route.starts_with("PATCH /v0"))
        .unwrap();
    assert_eq!(tenant.harmless, Some(401));
}

#[test]
fn export_lines_become_variables() {
    let vars = super::local::exports(
        "export SMOKE_UPDATE_CURRENT_ACCOUNT_SECRET=ab12\n\nexport SMOKE_UPDATE_ACCOUNT_V2_SECRET=cd34\n",
    )
    .unwrap();
    assert_eq!(
        vars,
        [
            ("SMOKE_UPDATE_CURRENT_ACCOUNT_SECRET".into(), "ab12".into()),
            ("SMOKE_UPDATE_ACCOUNT_V2_SECRET".into(), "cd34".into())
        ]
    );
    assert!(super::local::exports("echo hi").is_err());
}
