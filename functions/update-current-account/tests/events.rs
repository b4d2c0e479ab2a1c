//! Every event in `events/update-current-account/` and
//! `events/confirm-account-email/` runs through its handler against the demo
//! seed and answers with the status its file name promises.

use testkit::{events, seed::SeedFile, workspace_root};
use update_current_account::{
    ConfirmEmail, CurrentAccount,
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
    let envelope = |_: &std::path::Path, response: &lambda_http::Response<lambda_http::Body>| {
        if !response.status().is_success() {
            assert!(events::body_json(response)["error"].is_string());
        }
    };
    events::check_shipped::<CurrentAccount, _, _>("update-current-account", 1, items, envelope).await;
    events::check_shipped::<ConfirmEmail, _, _>("confirm-account-email", 1, items, envelope).await;
}
