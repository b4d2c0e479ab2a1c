//! Every event in `events/update-account-v2/` runs through the handler
//! against the demo seed and answers with the status its file name promises.

use testkit::{TestDb, events, seed::SeedFile, workspace_root};
use update_account_v2::{
    State, TABLE_LOGICAL_ID, handle,
    seed::{SEED_SECTION, Seed},
};

#[tokio::test]
async fn shipped_events_give_their_documented_status() {
    let demo = SeedFile::load(&workspace_root().join("seed/demo.json")).unwrap();
    let seed: Seed = demo
        .section(SEED_SECTION)
        .unwrap()
        .expect("demo seed has this function's section");
    let files = events::event_files("update-account-v2");
    assert!(files.len() >= 7, "{files:?}");
    for file in files {
        let db = TestDb::start().await;
        db.put(TABLE_LOGICAL_ID, seed.items().unwrap()).await;
        let state = State {
            table: db.table(TABLE_LOGICAL_ID),
        };
        let response = handle(&state, events::load_event(&file)).await;
        events::assert_documented_status(&file, &response);
        if !response.status().is_success() {
            assert!(events::body_json(&response)["error"]["code"].is_string());
        }
    }
}
