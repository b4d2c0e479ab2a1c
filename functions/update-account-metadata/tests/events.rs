//! Every event in `events/update-account-metadata/` runs through the
//! handler against the demo seed, and answers with the status its file name
//! promises, so the events cannot rot.

use testkit::{events, seed::SeedFile, workspace_root};
use update_account_metadata::{
    Metadata,
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
    events::check_shipped::<Metadata, _, _>("update-account-metadata", 6, items, |file, response| {
        let body = events::body_json(response);
        if response.status().is_client_error() {
            assert_eq!(body["status"], response.status().as_u16(), "{}", file.display());
            assert_eq!(
                events::header(response, "content-type"),
                Some("application/problem+json")
            );
        } else {
            assert!(response.body().is_empty(), "{}", file.display());
        }
    })
    .await;
}
