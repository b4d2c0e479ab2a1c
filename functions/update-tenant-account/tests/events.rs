//! Every event in `events/update-tenant-account/` runs through the handler
//! against the demo seed and answers with the status its file name promises.

use testkit::{events, seed::SeedFile, workspace_root};
use update_tenant_account::{
    TenantAccount,
    seed::{SEED_SECTION, Seed},
};

#[tokio::test]
async fn shipped_events_give_their_documented_status() {
    let demo = SeedFile::load(&workspace_root().join("seed/demo.json")).unwrap();
    let seed: Seed = demo
        .section(SEED_SECTION)
        .unwrap()
        .expect("the demo seed's section");
    let items = |_| std::future::ready(seed.items().unwrap());
    events::check_shipped::<TenantAccount, _, _>("update-tenant-account", 1, items, |_, response| {
        let body = events::body_json(response);
        if response.status().is_success() {
            assert!(body["linkedProspects"].is_array(), "{body}");
        } else {
            assert!(
                body["code"].is_string() && body["requestId"].is_string(),
                "{body}"
            );
        }
    })
    .await;
}
