//! The real `update-tenant-account` binary, run by a local Lambda Runtime API over every
//! event in `events/update-tenant-account/` with logging at TRACE: each answers its
//! documented status, and no log line, the runtime's and the SDK's
//! included, holds a token, key, code, hash or email of the demo data or
//! the events (see `testkit::runtime_api`).

use testkit::{runtime_api, seed::SeedFile, workspace_root};
use update_tenant_account::{TABLE_LOGICAL_ID, seed::SEED_SECTION};

#[tokio::test]
async fn no_secret_is_logged_at_trace() {
    let demo = SeedFile::load(&workspace_root().join("seed/demo.json")).unwrap();
    let seed: update_tenant_account::seed::Seed = demo.section(SEED_SECTION).unwrap().unwrap();
    let bin = env!("CARGO_BIN_EXE_update-tenant-account").as_ref();
    runtime_api::check_demo_events_at_trace(
        bin,
        "update-tenant-account",
        SEED_SECTION,
        TABLE_LOGICAL_ID,
        &seed.items().unwrap(),
    )
    .await;
}
