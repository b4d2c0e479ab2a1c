//! Every event in `events/update-tenant-account/` runs through the handler
//! against the demo seed and answers with the status its file name promises.

use testkit::{TestDb, events, seed::SeedFile, workspace_root};
use update_tenant_account::{
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
    for file in events::event_files("update-tenant-account") {
        let db = TestDb::start().await;
        db.put(TABLE_LOGICAL_ID, seed.items().unwrap()).await;
        let state = State {
            table: db.table(TABLE_LOGICAL_ID),
            prospect_page_size: None,
        };
        let response = handle(&state, events::load_event(&file)).await;
        events::assert_documented_status(&file, &response);
        let body = events::body_json(&response);
        if response.status().is_success() {
            assert!(body["linkedProspects"].is_array(), "{body}");
        } else {
            assert!(
                body["code"].is_string() && body["requestId"].is_string(),
                "{body}"
            );
        }
    }
}
