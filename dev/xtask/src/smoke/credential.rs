//! The smoke test's credential of each function with routes, derived from
//! what the function already has, so a new function needs nothing here:
//!
//! - its header and the value's prefix: how the success event of the
//!   function's first route ([`crate::success_events`]) sends its demo
//!   credential (`authorization: Bearer demo-token-v1-owner` gives
//!   `authorization` and `Bearer `);
//! - its principal: that demo credential's fields in the function's demo
//!   data (`functions/<package>/demo.json`), each id (a field named
//!   `*_id`) or list of ids (`*_ids`) replaced by [`SMOKE_SCOPE`] and its
//!   `role` kept: the demo credential reaches the write, so a principal
//!   with its role but no data's ids reaches it on nothing. The derivation
//!   fails closed: it refuses a credential with no id to move, a role the
//!   function does not declare as reaching its ids alone
//!   (`shared::seed::Section::ROLES_WITHIN_IDS`: an admin that may act on
//!   any account would reach data), any other field (it could widen the
//!   scope), and a header whose value is not the token alone or after a
//!   scheme and a space (`Bearer `);
//! - its item: the function's own seed format ([`credential_item`]).

use crate::credentials::item::{Credential, credential_item};
use crate::success_events::SuccessEvent;
use anyhow::{Context, bail};
use serde_json::{Map, Value};
use shared::{auth::SecretHash, store::Item};
use std::path::Path;
use testkit::seed::SeedFile;

/// The scope of the smoke test's credentials: an OU, tenant and account
/// id that no data belongs to, so what they can reach is empty.
pub const SMOKE_SCOPE: &str = "smoke-test";

/// The one field of a demo credential kept as it is, when its value is one
/// of the function's roles within ids: what the principal may do, not
/// which data it reaches.
const KEPT: &str = "role";

/// One function's smoke credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmokeCredential {
    /// The function's package.
    pub package: &'static str,
    /// The template logical id of its table.
    pub table: &'static str,
    /// The header it is sent in, as its success event writes it.
    pub header: String,
    /// What precedes the secret in the header's value (`Bearer `, or none).
    pub prefix: String,
    /// Its principal's fields, in [`SMOKE_SCOPE`].
    pub principal: Map<String, Value>,
}

impl SmokeCredential {
    /// The smoke credential of every function of the registry
    /// (`dev/endpoints`), in its order, from the success events `events`
    /// and the demo data of the workspace at `root`. An error names a
    /// function whose first route's success event sends no demo
    /// credential of its own, or one whose credential cannot be moved to
    /// no data (see the module docs).
    pub fn all(root: &Path, events: &[SuccessEvent]) -> anyhow::Result<Vec<SmokeCredential>> {
        let demo = SeedFile::demo(root).map_err(anyhow::Error::msg)?;
        endpoints::FUNCTIONS
            .iter()
            .map(|function| {
                let package = function.seed.name;
                let event = events
                    .iter()
                    .find(|e| function.endpoints.iter().any(|b| b.binary == e.route.function))
                    .with_context(|| format!("{package}: no route has a success event"))?;
                let listed = demo
                    .section_json(package)
                    .and_then(|section| section[function.seed.credentials].as_array())
                    .with_context(|| {
                        format!(
                            "functions/{package}/demo.json: no `{}` list",
                            function.seed.credentials
                        )
                    })?;
                of(
                    package,
                    function.seed.table,
                    function.seed.roles_within_ids,
                    event,
                    listed,
                )
            })
            .collect()
    }

    /// The environment variable holding its secret
    /// (`SMOKE_UPDATE_ACCOUNT_V2_SECRET`).
    pub fn secret_var(&self) -> String {
        format!(
            "SMOKE_{}_SECRET",
            self.package.replace('-', "_").to_ascii_uppercase()
        )
    }
}

impl Credential for SmokeCredential {
    fn item(&self, hash: &SecretHash) -> anyhow::Result<Item> {
        credential_item(self.package, &self.principal, hash)
    }
}

/// The smoke credential of `package` from its success event `event` and
/// its demo credentials `listed`; `roles` are those whose reach is the
/// credential's ids.
fn of(
    package: &'static str,
    table: &'static str,
    roles: &[&str],
    event: &SuccessEvent,
    listed: &[Value],
) -> anyhow::Result<SmokeCredential> {
    for (header, value) in &event.headers {
        for entry in listed {
            let Some(token) = entry["token"].as_str() else {
                continue;
            };
            let Some(prefix) = value.strip_suffix(token) else {
                continue;
            };
            let scheme = prefix.strip_suffix(' ');
            if !(prefix.is_empty()
                || scheme.is_some_and(|s| !s.is_empty() && !s.contains(char::is_whitespace)))
            {
                continue;
            }
            let mut principal = entry.as_object().cloned().unwrap_or_default();
            principal.remove("token");
            let mut moved = 0;
            for (field, value) in principal.iter_mut() {
                if field.ends_with("_id") && value.is_string() {
                    *value = Value::from(SMOKE_SCOPE);
                    moved += 1;
                } else if field.ends_with("_ids") && value.is_array() {
                    *value = Value::from(vec![SMOKE_SCOPE]);
                    moved += 1;
                } else if field == KEPT {
                    if !value.as_str().is_some_and(|role| roles.contains(&role)) {
                        bail!(
                            "functions/{package}/demo.json: the demo credential {header} sends has \
                             role {value}, which its Seed's Section::ROLES_WITHIN_IDS ({roles:?}) \
                             does not list: it may reach data beyond its ids, so the smoke \
                             credential cannot be scoped to no data"
                        );
                    }
                } else {
                    bail!(
                        "functions/{package}/demo.json: the demo credential {header} sends has \
                         `{field}`, neither an id (`*_id`, `*_ids`) nor `{KEPT}`: the smoke \
                         credential cannot be scoped to no data"
                    );
                }
            }
            if moved == 0 {
                bail!(
                    "functions/{package}/demo.json: the demo credential {header} sends has no id \
                     (`*_id`, `*_ids`) to move to {SMOKE_SCOPE:?}: the smoke credential cannot be \
                     scoped to no data"
                );
            }
            return Ok(SmokeCredential {
                package,
                table,
                header: header.clone(),
                prefix: prefix.to_owned(),
                principal,
            });
        }
    }
    bail!(
        "{}: sends none of the demo credentials of functions/{package}/demo.json (a `token` in clear)",
        event.file
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;
    use testkit::routes::Route;

    fn event(headers: &[(&str, &str)]) -> SuccessEvent {
        SuccessEvent {
            route: Route {
                method: "PATCH".into(),
                path: "/things/{id}".into(),
                function: "update-things".into(),
            },
            file: "events/update-things/200-a.json".into(),
            raw_path: "/things/1".into(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect::<BTreeMap<_, _>>(),
            path_parameters: BTreeMap::new(),
            body: "{}".into(),
        }
    }

    const ROLES: &[&str] = &["admin", "owner"];

    fn derive(headers: &[(&str, &str)], listed: &[Value]) -> anyhow::Result<SmokeCredential> {
        of("update-things", "ThingsTable", ROLES, &event(headers), listed)
    }

    fn refusal(headers: &[(&str, &str)], listed: &[Value]) -> String {
        derive(headers, listed).unwrap_err().to_string()
    }

    #[test]
    fn ids_move_to_the_smoke_scope_and_the_role_is_kept() {
        let listed = [json!({"token": "t-1", "org_id": "o", "thing_ids": ["a", "b"], "role": "admin"})];
        let smoke = derive(&[("authorization", "Bearer t-1")], &listed).unwrap();
        assert_eq!(
            (smoke.header.as_str(), smoke.prefix.as_str()),
            ("authorization", "Bearer ")
        );
        assert_eq!(
            Value::Object(smoke.principal),
            json!({"org_id": SMOKE_SCOPE, "thing_ids": [SMOKE_SCOPE], "role": "admin"})
        );
    }

    /// A field that is neither an id nor the role could reach data: no
    /// smoke credential is made of it.
    #[test]
    fn any_other_field_is_refused() {
        let listed = [json!({"token": "t-1", "tenant": "t1", "role": "admin"})];
        let refused = refusal(&[("x-key", "t-1")], &listed);
        assert!(refused.contains("`tenant`"), "{refused}");
    }

    /// A role the function does not declare as reaching its ids alone (an
    /// admin acting on any account) would reach data from no ids.
    #[test]
    fn a_role_that_may_reach_beyond_its_ids_is_refused() {
        let listed = [json!({"token": "t-1", "account_id": "a", "role": "superuser"})];
        let refused = refusal(&[("x-key", "t-1")], &listed);
        assert!(refused.contains("role \"superuser\""), "{refused}");
        let listed = [json!({"token": "t-1", "account_id": "a", "role": ["admin"]})];
        let refused = refusal(&[("x-key", "t-1")], &listed);
        assert!(refused.contains("ROLES_WITHIN_IDS"), "{refused}");
    }

    /// A credential with no id to move has a scope the smoke test cannot
    /// empty: only a role, or nothing.
    #[test]
    fn a_credential_with_no_id_is_refused() {
        for listed in [json!({"token": "t-1", "role": "owner"}), json!({"token": "t-1"})] {
            let refused = refusal(&[("x-key", "t-1")], &[listed]);
            assert!(refused.contains("has no id"), "{refused}");
        }
    }

    /// A header whose value merely ends with a token, or has blanks where a
    /// scheme would be, is not the credential.
    #[test]
    fn a_value_that_only_ends_with_the_token_is_not_the_credential() {
        let listed = [json!({"token": "t-1", "org_id": "o"})];
        for sent in [
            ("x-other", "not-t-1"),
            ("x-trace", "a b t-1"),
            ("x-key", " t-1"),
            ("x-key", "a  t-1"),
        ] {
            let refused = refusal(&[sent], &listed);
            assert!(refused.contains("sends none"), "{sent:?}: {refused}");
        }
        let smoke = derive(&[("x-other", "not-t-1"), ("x-key", "t-1")], &listed).unwrap();
        assert_eq!((smoke.header.as_str(), smoke.prefix.as_str()), ("x-key", ""));
    }
}
