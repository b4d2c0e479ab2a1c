//! Every event in `events/update-current-account/` and
//! `events/confirm-account-email/` runs through its handler against the demo
//! seed and answers with the status its file name promises.

use testkit::{TestDb, events, seed::SeedFile, workspace_root};
use update_current_account::{
    State, TABLE_LOGICAL_ID, handle, handle_confirm,
    seed::{SEED_SECTION, Seed},
};

async fn state() -> (TestDb, State) {
    let demo = SeedFile::load(&workspace_root().join("seed/demo.json")).unwrap();
    let seed: Seed = demo
        .section(SEED_SECTION)
        .unwrap()
        .expect("demo seed has this function's section");
    let db = TestDb::start().await;
    db.put(TABLE_LOGICAL_ID, seed.items().unwrap()).await;
    let state = State {
        table: db.table(TABLE_LOGICAL_ID),
    };
    (db, state)
}

#[tokio::test]
async fn shipped_events_give_their_documented_status() {
    for file in events::event_files("update-current-account") {
        let (_db, state) = state().await;
        let response = handle(&state, events::load_event(&file)).await;
        events::assert_documented_status(&file, &response);
    }
    for file in events::event_files("confirm-account-email") {
        let (_db, state) = state().await;
        let response = handle_confirm(&state, events::load_event(&file)).await;
        events::assert_documented_status(&file, &response);
    }
}
