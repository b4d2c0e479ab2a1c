//! The functions of this workspace, as the dev tooling sees them: their
//! handlers (for the in-process local API, from `dev/endpoints`) and the
//! curl examples the run command prints. (Their seed sections: the
//! `seeding` crate; their names, binaries and fuzz targets: `dev/catalog`.)

use aws_sdk_dynamodb::Client;
use shared::store::Table;
use testkit::local_api::Handlers;

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

/// Curl examples for every function, against the demo seed.
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
        what: "an account that verifies email changes: the new address is pending (200); \
               the code arrives in .local/mail/ (a \"mail to\" line above shows it)",
        method: "PATCH",
        path: "/v1/account",
        headers: &[
            "Authorization: Bearer demo-token-v1-verified",
            "Content-Type: application/json",
        ],
        body: r#"{"email": "jo.new@example.org"}"#,
    },
    Example {
        what: "confirm it with the code from the \"mail to ... (code)\" line (200; a wrong code is 400)",
        method: "POST",
        path: "/v1/account/email/confirm",
        headers: &[
            "Authorization: Bearer demo-token-v1-verified",
            "Content-Type: application/json",
        ],
        body: r#"{"code": "CODE-FROM-THE-MAIL-LINE"}"#,
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

/// Every HTTP function's handler for the in-process local API, by binary
/// name, each with the state its `main` would build (its table on `client`).
pub fn handlers(client: &Client) -> Handlers {
    handlers_on(|logical_id| Table::new(client.clone(), logical_id.to_owned()))
}

/// [`handlers`], each function's table being `table(its logical id)` (a
/// test database names its tables with a prefix). The handlers are
/// `dev/endpoints`' registry.
pub fn handlers_on(table: impl Fn(&str) -> Table) -> Handlers {
    endpoints::endpoints()
        .map(|e| (e.binary.to_owned(), (e.handler)(table(e.table))))
        .collect()
}
