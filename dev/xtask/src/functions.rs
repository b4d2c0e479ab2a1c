//! The functions of this workspace, as the dev tooling sees them: their
//! handlers (for the in-process local API) and the curl examples the run
//! command prints. (Their seed sections: the `seeding` crate.)

use aws_sdk_dynamodb::Client;
use shared::store::Table;
use testkit::local_api::{Handlers, handler};
use update_account_metadata as metadata;
use update_account_v2 as v2;
use update_crm_account as crm;
use update_current_account as current;
use update_tenant_account as tenant;

/// A curl example against the demo data.
pub struct Example {
    /// What it shows.
    pub what: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path (appended to the API's base URL).
    pub path: &'static str,
    /// Header lines.
    pub headers: &'static [&'static str],
    /// JSON body.
    pub body: &'static str,
}

/// Curl examples for every function, against `seed/demo.json`.
pub const EXAMPLES: &[Example] = &[
    Example {
        what: "update name, domain and metadata (204)",
        method: "PATCH",
        path: "/accounts/acct_abc123/metadata",
        headers: &[
            "Authorization: Bearer demo-token-sales",
            "Content-Type: application/json",
        ],
        body: r#"{"name": "Acme Corporation", "domain": "acme.com", "metadata": {"industry": "Technology", "employees": 2500, "tier": null}}"#,
    },
    Example {
        what: "account of another OU (404)",
        method: "PATCH",
        path: "/accounts/acct_support1/metadata",
        headers: &[
            "Authorization: Bearer demo-token-sales",
            "Content-Type: application/json",
        ],
        body: r#"{"name": "Not mine"}"#,
    },
    Example {
        what: "no token (401)",
        method: "PATCH",
        path: "/accounts/acct_abc123/metadata",
        headers: &["Content-Type: application/json"],
        body: r#"{"name": "Acme"}"#,
    },
    Example {
        what: "rename a tenant's account; the response lists its prospects (200)",
        method: "PATCH",
        path: "/v0/accounts/account_01jfrt4z00fay8vvr14d2pf2db",
        headers: &["x-api-key: demo-key-tenant-a", "Content-Type: application/json"],
        body: r#"{"name": "Acme Corporation"}"#,
    },
    Example {
        what: "an id that is not a TypeID (400)",
        method: "PATCH",
        path: "/v0/accounts/acct_123",
        headers: &["x-api-key: demo-key-tenant-a", "Content-Type: application/json"],
        body: r#"{"name": "Acme"}"#,
    },
    Example {
        what: "update CRM account fields, claim a new number, set custom fields (200)",
        method: "PATCH",
        path: "/accounts/1001?allow_new_options=true",
        headers: &["x-api-key: demo-key-crm-a", "Content-Type: application/json"],
        body: r#"{"title": "Acme Headquarters", "primaryPhone": "+1 217 555 0199", "number": 1500, "custom": {"region": "west", "services": ["plumbing"]}}"#,
    },
    Example {
        what: "a number another account has (409)",
        method: "PATCH",
        path: "/accounts/1001",
        headers: &["x-api-key: demo-key-crm-a", "Content-Type: application/json"],
        body: r#"{"number": 1300}"#,
    },
    Example {
        what: "the deprecated /clients alias (200, with Deprecation and Link headers)",
        method: "PATCH",
        path: "/clients/1002",
        headers: &["x-api-key: demo-key-crm-a", "Content-Type: application/json"],
        body: r#"{"isActive": false}"#,
    },
    Example {
        what: "update the token's own account (200)",
        method: "PATCH",
        path: "/v1/account",
        headers: &[
            "Authorization: Bearer demo-token-v1-owner",
            "Content-Type: application/json",
        ],
        body: r#"{"name": "Acme Corp.", "email": "new_email@example.com", "settings": {"currency": "EUR", "timezone": "Europe/Berlin", "language": "de"}}"#,
    },
    Example {
        what: "an email another account has (409)",
        method: "PATCH",
        path: "/v1/account",
        headers: &[
            "Authorization: Bearer demo-token-v1-owner",
            "Content-Type: application/json",
        ],
        body: r#"{"email": "TAKEN@example.com"}"#,
    },
    Example {
        what: "an account that verifies email changes: the new address is pending (200)",
        method: "PATCH",
        path: "/v1/account",
        headers: &[
            "Authorization: Bearer demo-token-v1-verified",
            "Content-Type: application/json",
        ],
        body: r#"{"email": "jo.new@example.org"}"#,
    },
    Example {
        what: "update settings (200)",
        method: "PATCH",
        path: "/v2/accounts/acc_1234567890",
        headers: &[
            "X-Auth-Token: demo-token-v2-admin",
            "Content-Type: application/json",
        ],
        body: r#"{"settings": {"timezone": "America/New_York", "enableRecording": true, "recordingRetention": 60}}"#,
    },
    Example {
        what: "address and contact, Bearer as in the contract's code examples (200)",
        method: "PATCH",
        path: "/v2/accounts/acc_1234567890",
        headers: &[
            "Authorization: Bearer demo-token-v2-manager",
            "Content-Type: application/json",
        ],
        body: r#"{"email": "neoadmin@acme.com", "phone": "+1-555-0200", "address": {"street": "456 Corporate Blvd", "city": "New York", "state": "NY", "postalCode": "10001", "country": "US"}}"#,
    },
    Example {
        what: "an invalid time zone (400, details name the field)",
        method: "PATCH",
        path: "/v2/accounts/acc_1234567890",
        headers: &[
            "X-Auth-Token: demo-token-v2-admin",
            "Content-Type: application/json",
        ],
        body: r#"{"settings": {"timezone": "Invalid/Timezone"}}"#,
    },
    Example {
        what: "a manager changing status (403)",
        method: "PATCH",
        path: "/v2/accounts/acc_1234567890",
        headers: &[
            "X-Auth-Token: demo-token-v2-manager",
            "Content-Type: application/json",
        ],
        body: r#"{"status": "suspended"}"#,
    },
];

/// A handler for every function, each with its table in the database
/// behind `client` (tables named by their logical ids, the local layout),
/// keyed by the binary name its routes give in `template.yaml`: what
/// [`testkit::local_api::LocalApi`] serves.
pub fn handlers(client: &Client) -> Handlers {
    let table = |name: &str| Table::new(client.clone(), name.to_owned());
    let mut handlers = Handlers::new();
    let metadata_state = metadata::State {
        table: table(metadata::TABLE_LOGICAL_ID),
    };
    handlers.insert(
        "update-account-metadata".to_owned(),
        handler(
            metadata_state,
            |s, req| async move { metadata::handle(&s, req).await },
        ),
    );
    let tenant_state = tenant::State {
        table: table(tenant::TABLE_LOGICAL_ID),
        prospect_page_size: None,
    };
    handlers.insert(
        "update-tenant-account".to_owned(),
        handler(
            tenant_state,
            |s, req| async move { tenant::handle(&s, req).await },
        ),
    );
    let crm_state = crm::State {
        table: table(crm::TABLE_LOGICAL_ID),
    };
    handlers.insert(
        "update-crm-account".to_owned(),
        handler(crm_state, |s, req| async move { crm::handle(&s, req).await }),
    );
    let current_state = || current::State {
        table: table(current::TABLE_LOGICAL_ID),
    };
    handlers.insert(
        "update-current-account".to_owned(),
        handler(
            current_state(),
            |s, req| async move { current::handle(&s, req).await },
        ),
    );
    handlers.insert(
        "confirm-account-email".to_owned(),
        handler(current_state(), |s, req| async move {
            current::handle_confirm(&s, req).await
        }),
    );
    let v2_state = v2::State {
        table: table(v2::TABLE_LOGICAL_ID),
    };
    handlers.insert(
        "update-account-v2".to_owned(),
        handler(v2_state, |s, req| async move { v2::handle(&s, req).await }),
    );
    handlers
}
