//! Every event in `events/update-account-v2/` runs through the handler
//! against the demo seed and answers with the status its file name promises.

use testkit::{events, seed::SeedFile, workspace_root};
use update_account_v2::{
    AccountV2,
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
    events::check_shipped::<AccountV2, _, _>("update-account-v2", 7, items, |_, response| {
        if !response.status().is_success() {
            assert!(events::body_json(response)["error"]["code"].is_string());
        }
    })
    .await;
}
