//! Every event in `events/update-crm-account/` runs through the handler
//! against the demo seed and answers with the status its file name promises.

use testkit::{TestDb, events, seed::SeedFile, workspace_root};
use update_crm_account::{
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
    let files = events::event_files("update-crm-account");
    assert!(files.len() >= 6, "{files:?}");
    for file in files {
        let db = TestDb::start().await;
        let state = State {
            table: db.table(TABLE_LOGICAL_ID),
        };
        db.put(TABLE_LOGICAL_ID, seed.items_with(&state.table).await.unwrap())
            .await;
        let response = handle(&state, events::load_event(&file)).await;
        events::assert_documented_status(&file, &response);
        let body = events::body_json(&response);
        if response.status().is_success() {
            assert!(body["id"].is_i64(), "{body}");
        } else {
            assert!(
                body["error"].is_string() && body["requestId"].is_string(),
                "{body}"
            );
        }
    }
}
