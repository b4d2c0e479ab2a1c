//! Every event in `events/update-account-metadata/` runs through the
//! handler against the demo seed, and answers with the status its file name
//! promises, so the events cannot rot.

use testkit::{TestDb, events, seed::SeedFile, workspace_root};
use update_account_metadata::{
    State, TABLE_LOGICAL_ID, handle,
    seed::{SEED_SECTION, Seed},
};

#[tokio::test]
async fn shipped_events_give_their_documented_status() {
    let files = events::event_files("update-account-metadata");
    assert!(
        files.len() >= 6,
        "expected success and error events, found {files:?}"
    );
    let demo = SeedFile::load(&workspace_root().join("seed/demo.json")).unwrap();
    let seed: Seed = demo
        .section(SEED_SECTION)
        .unwrap()
        .expect("demo seed has this function's section");
    for file in files {
        let db = TestDb::start().await;
        db.put(TABLE_LOGICAL_ID, seed.items().unwrap()).await;
        let state = State {
            table: db.table(TABLE_LOGICAL_ID),
        };
        let response = handle(&state, events::load_event(&file)).await;
        let expected = events::expected_status(&file);
        let body = events::body_json(&response);
        assert_eq!(response.status(), expected, "{}: {body}", file.display());
        if expected >= 400 {
            assert_eq!(body["status"], expected, "{}", file.display());
            assert_eq!(
                events::header(&response, "content-type"),
                Some("application/problem+json")
            );
        } else {
            assert!(response.body().is_empty());
        }
    }
}
