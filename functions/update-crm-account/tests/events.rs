//! Every event in `events/update-crm-account/` runs through the handler
//! against the demo seed and answers with the status its file name promises.

use testkit::{events, seed::SeedFile, workspace_root};
use update_crm_account::{
    CrmAccount,
    seed::{SEED_SECTION, Seed},
};

#[tokio::test]
async fn shipped_events_give_their_documented_status() {
    let demo = SeedFile::load(&workspace_root().join("seed/demo.json")).unwrap();
    let seed: Seed = demo
        .section(SEED_SECTION)
        .unwrap()
        .expect("the demo seed's section");
    let seed = &seed;
    let items = |table| async move { seed.items_with(&table).await.unwrap() };
    events::check_shipped::<CrmAccount, _, _>("update-crm-account", 6, items, |_, response| {
        let body = events::body_json(response);
        if response.status().is_success() {
            assert!(body["id"].is_i64(), "{body}");
        } else {
            assert!(
                body["error"].is_string() && body["requestId"].is_string(),
                "{body}"
            );
        }
    })
    .await;
}
