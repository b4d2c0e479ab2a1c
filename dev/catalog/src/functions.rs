//! The list: every crate of `functions/`, in the order the tools show them
//! (the contracts' order, then the stream functions).

use crate::{Binary, Function, Trigger};

/// Every function crate of the workspace. `dev/testkit/tests/registered.rs`
/// holds it equal to `functions/` (packages and their binaries).
pub const FUNCTIONS: &[Function] = &[
    Function {
        package: "update-account-metadata",
        fuzz_target: "update_account_metadata",
        binaries: &[Binary {
            name: "update-account-metadata",
            trigger: Trigger::Http,
            table: "OrgAccountsTable",
            bench_event: "events/update-account-metadata/204-contract-example.json",
        }],
    },
    Function {
        package: "update-tenant-account",
        fuzz_target: "update_tenant_account",
        binaries: &[Binary {
            name: "update-tenant-account",
            trigger: Trigger::Http,
            table: "TenantAccountsTable",
            bench_event: "events/update-tenant-account/200-rename.json",
        }],
    },
    Function {
        package: "update-crm-account",
        fuzz_target: "update_crm_account",
        binaries: &[Binary {
            name: "update-crm-account",
            trigger: Trigger::Http,
            table: "CrmAccountsTable",
            bench_event: "events/update-crm-account/200-update-fields.json",
        }],
    },
    Function {
        package: "update-current-account",
        fuzz_target: "update_current_account",
        binaries: &[
            Binary {
                name: "update-current-account",
                trigger: Trigger::Http,
                table: "UserAccountsTable",
                bench_event: "events/update-current-account/200-contract-example.json",
            },
            Binary {
                name: "confirm-account-email",
                trigger: Trigger::Http,
                table: "UserAccountsTable",
                bench_event: "events/confirm-account-email/401-unknown-token.json",
            },
        ],
    },
    Function {
        package: "update-account-v2",
        fuzz_target: "update_account_v2",
        binaries: &[Binary {
            name: "update-account-v2",
            trigger: Trigger::Http,
            table: "AccountsV2Table",
            bench_event: "events/update-account-v2/200-update-account-name.json",
        }],
    },
    // The record names an outbox item the bench's table does not hold: its
    // first invocation reads it (one GetItem) and sends nothing.
    Function {
        package: "send-account-email",
        fuzz_target: "send_account_email",
        binaries: &[Binary {
            name: "send-account-email",
            trigger: Trigger::Stream,
            table: "UserAccountsTable",
            bench_event: "events/send-account-email/outbox-insert.json",
        }],
    },
];
