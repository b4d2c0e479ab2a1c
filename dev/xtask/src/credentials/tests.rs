//! The credential command's library against a test database and the real
//! handlers: a created credential gets through each function's auth, list
//! shows no secret, a revoked credential is refused on the next request.

use super::{Api, Principal, item::Credential, store};
use crate::smoke::{Probe, UNMATCHABLE_IF_MATCH, credential::SMOKE_SCOPE, credentials, probes};
use bytes::Bytes;
use shared::auth::SecretHash;
use testkit::{
    TestDb,
    local_api::{Handlers, Router},
};

/// The real handlers of every function, on `db`'s tables.
fn handlers(db: &TestDb) -> Handlers {
    crate::functions::handlers_on(|logical_id| db.table(logical_id))
}

/// The table name of `api` in `db`.
fn table(db: &TestDb, api: Api) -> String {
    db.table(api.table_logical_id()).name().to_owned()
}

/// The status of `probe` sent with `secret` through the routes of the template.
async fn status(router: &Router, probe: &Probe, secret: &str) -> u16 {
    let (name, prefix) = (&probe.credential.header, &probe.credential.prefix);
    let request = hyper::Request::builder()
        .method(probe.method.as_str())
        .uri(probe.path.as_str())
        .header("content-type", "application/json")
        .header("if-match", UNMATCHABLE_IF_MATCH)
        .header(name.as_str(), format!("{prefix}{secret}"))
        .body(Bytes::from(probe.body.clone()))
        .unwrap();
    router.call(request).await.status().as_u16()
}

#[tokio::test]
async fn a_created_credential_opens_its_route_and_revoking_it_closes_it() {
    let db = TestDb::start().await;
    let router = Router::from_template(&handlers(&db)).unwrap();
    for probe in probes().unwrap() {
        let table = db.table(probe.credential.table).name().to_owned();
        let created = store::create(db.client(), &table, &probe.credential)
            .await
            .unwrap();
        // Through auth: the account does not exist (or, see EXTRA_HARMLESS,
        // there is nothing to confirm).
        let opened = status(&router, &probe, &created.secret).await;
        assert!(probe.harmless.contains(&opened), "{opened} {probe:?}");
        let revoked = store::revoke(db.client(), &table, &created.id).await.unwrap();
        assert_eq!(revoked, created.id);
        assert_eq!(status(&router, &probe, &created.secret).await, 401, "{probe:?}");
    }
}

#[tokio::test]
async fn every_kind_of_principal_is_read_by_its_function() {
    let db = TestDb::start().await;
    let router = Router::from_template(&handlers(&db)).unwrap();
    let principals = [
        Principal::Metadata {
            ou_id: "ou_ops".into(),
        },
        Principal::Tenant {
            tenant_id: "tenant_ops".into(),
        },
        Principal::Crm {
            tenant_id: "tenant_ops".into(),
        },
        Principal::V1 {
            account_id: "acct_ops".into(),
            role: "owner".into(),
        },
        Principal::V1 {
            account_id: "acct_ops".into(),
            role: "admin".into(),
        },
        Principal::V2 {
            account_ids: vec!["smoke-test".into()],
            role: "admin".into(),
        },
        Principal::V2 {
            account_ids: vec!["smoke-test".into()],
            role: "manager".into(),
        },
    ];
    for principal in principals {
        let api = principal.api();
        let created = store::create(db.client(), &table(&db, api), &principal)
            .await
            .unwrap();
        let package = api.package();
        for probe in probes()
            .unwrap()
            .iter()
            .filter(|p| p.credential.package == package)
        {
            let read = status(&router, probe, &created.secret).await;
            assert!(probe.harmless.contains(&read), "{read} {principal:?} {probe:?}");
        }
    }
    // A readonly v2 token on the probe's account gets through auth and is
    // refused by its role.
    let probe = probes()
        .unwrap()
        .into_iter()
        .find(|p| p.credential.package == Api::of("v2").package())
        .unwrap();
    let account = probe.path.rsplit('/').next().unwrap();
    let readonly = Principal::V2 {
        account_ids: vec![account.into()],
        role: "readonly".into(),
    };
    let created = store::create(db.client(), &table(&db, Api::of("v2")), &readonly)
        .await
        .unwrap();
    assert_eq!(status(&router, &probe, &created.secret).await, 403);
}

/// A principal given as its function's seed fields opens the function's
/// routes as the typed kinds do; fields its seed format refuses are
/// refused; an API is named by its package or its short name.
#[tokio::test]
async fn a_principal_given_as_seed_fields_is_read_by_its_function() {
    let db = TestDb::start().await;
    let router = Router::from_template(&handlers(&db)).unwrap();
    let api = Api::parse("update-account-v2").unwrap();
    assert_eq!(api, Api::parse("v2").unwrap());
    assert_eq!(api.name(), "v2");
    let fields = |json: &str| match serde_json::from_str(json).unwrap() {
        serde_json::Value::Object(fields) => fields,
        _ => unreachable!(),
    };
    let principal = Principal::Fields {
        api,
        principal: fields(r#"{"role": "admin", "account_ids": ["smoke-test"]}"#),
    };
    let created = store::create(db.client(), &table(&db, api), &principal)
        .await
        .unwrap();
    let probe = probes()
        .unwrap()
        .into_iter()
        .find(|p| p.credential.package == api.package())
        .unwrap();
    let read = status(&router, &probe, &created.secret).await;
    assert!(probe.harmless.contains(&read), "{read} {probe:?}");
    let refused = Principal::Fields {
        api,
        principal: fields(r#"{"role": "root", "account_ids": ["a"]}"#),
    };
    assert!(refused.item(&SecretHash::of("x")).is_err());
    let unknown = Api::parse("update-nothing").unwrap_err();
    assert!(
        unknown.contains("update-account-v2") && unknown.contains("metadata"),
        "{unknown}"
    );
}

#[test]
fn roles_and_ids_the_functions_would_refuse_are_refused() {
    let hash = SecretHash::of("x");
    let refused = [
        Principal::V1 {
            account_id: "a".into(),
            role: "root".into(),
        },
        Principal::V2 {
            account_ids: vec!["a".into()],
            role: "owner".into(),
        },
        Principal::Tenant {
            tenant_id: String::new(),
        },
    ];
    for principal in refused {
        assert!(principal.item(&hash).is_err(), "{principal:?}");
    }
}

#[tokio::test]
async fn list_shows_ids_and_principals_never_secrets_or_hashes() {
    let db = TestDb::start().await;
    let table = table(&db, Api::of("v2"));
    let principal = Principal::V2 {
        account_ids: vec!["a1".into(), "a2".into()],
        role: "manager".into(),
    };
    let created = store::create(db.client(), &table, &principal).await.unwrap();
    let listed = store::list(db.client(), &table).await.unwrap();
    assert_eq!(listed.len(), 1);
    let shown = listed[0].to_string();
    assert_eq!(shown, format!("{}  account_ids=a1,a2  role=manager", created.id));
    let hash = SecretHash::of(&created.secret);
    assert!(!shown.contains(&created.secret));
    // Of the hash, only the id: the prefix the functions' logs print.
    assert_eq!(created.id, store::id_of(&hash));
    assert!(
        hash.as_hex().starts_with(&created.id) && created.id.len() < 10,
        "{shown}"
    );
    assert!(!format!("{created:?}").contains(&created.secret));
}

#[tokio::test]
async fn revoke_refuses_an_unknown_short_or_ambiguous_id() {
    let db = TestDb::start().await;
    let api = Api::of("metadata");
    let table = table(&db, api);
    // Two credentials whose ids are the same: only a longer prefix tells them apart.
    let hashes =
        ["0", "1"].map(|last| SecretHash::from_hex(&format!("abcdef01{}{last}", "0".repeat(55))).unwrap());
    let principal = Principal::Metadata { ou_id: "ou".into() };
    let items = hashes.iter().map(|h| principal.item(h).unwrap()).collect();
    db.put(api.table_logical_id(), items).await;
    for refused in ["00000000", "abcd", "not-hex!", "abcdef01"] {
        assert!(
            store::revoke(db.client(), &table, refused).await.is_err(),
            "{refused}"
        );
    }
    assert_eq!(
        store::list(db.client(), &table).await.unwrap().len(),
        2,
        "nothing revoked"
    );
    let second = hashes[1].as_hex();
    assert_eq!(
        store::revoke(db.client(), &table, second).await.unwrap(),
        "abcdef01"
    );
    let left = store::list(db.client(), &table).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(
        db.get(api.table_logical_id(), &shared::auth::credential_key(&hashes[0]))
            .await
            .is_some()
    );
}

/// Each function's smoke credential is its demo credential's, with the
/// ids in the smoke scope and the role kept, sent as its events send it:
/// one per function with routes, the contracts' as below.
#[test]
fn the_smoke_credentials_are_the_demo_ones_in_the_smoke_scope() {
    let credentials = credentials().unwrap();
    let packages: Vec<&str> = credentials.iter().map(|c| c.package).collect();
    let registry: Vec<&str> = endpoints::FUNCTIONS.iter().map(|f| f.seed.name).collect();
    assert_eq!(packages, registry);
    let expected = [
        (
            "update-account-metadata",
            "authorization",
            "Bearer ",
            r#"{"ou_id":"smoke-test"}"#,
        ),
        (
            "update-tenant-account",
            "x-api-key",
            "",
            r#"{"tenant_id":"smoke-test"}"#,
        ),
        (
            "update-crm-account",
            "x-api-key",
            "",
            r#"{"tenant_id":"smoke-test"}"#,
        ),
        (
            "update-current-account",
            "authorization",
            "Bearer ",
            r#"{"account_id":"smoke-test","role":"owner"}"#,
        ),
        (
            "update-account-v2",
            "x-auth-token",
            "",
            r#"{"account_ids":["smoke-test"],"role":"admin"}"#,
        ),
    ];
    for (package, header, prefix, principal) in expected {
        let c = credentials.iter().find(|c| c.package == package).unwrap();
        let shown = serde_json::Value::Object(c.principal.clone()).to_string();
        assert_eq!(
            (c.header.as_str(), c.prefix.as_str(), shown.as_str()),
            (header, prefix, principal),
            "{package}"
        );
    }
}

#[tokio::test]
async fn a_new_smoke_set_revokes_the_smoke_credentials_before_it_and_nothing_else() {
    let db = TestDb::start().await;
    let api = Api::of("v2");
    let table = table(&db, api);
    let smoke = credentials()
        .unwrap()
        .into_iter()
        .find(|c| c.package == api.package())
        .unwrap();
    let mut earlier = Vec::new();
    for _ in 0..2 {
        earlier.push(store::create(db.client(), &table, &smoke).await.unwrap().id);
    }
    // The same scope with another role is not a smoke credential.
    let other = Principal::V2 {
        account_ids: vec![SMOKE_SCOPE.into()],
        role: "readonly".into(),
    };
    let kept = store::create(db.client(), &table, &other).await.unwrap().id;
    let mut revoked = store::revoke_all_of(db.client(), &table, &smoke).await.unwrap();
    revoked.sort();
    earlier.sort();
    assert_eq!(revoked, earlier);
    let left: Vec<String> = store::list(db.client(), &table)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(left, [kept]);
}
