//! What the functions' sections of a seed file share: how credentials are
//! given, and how missing creation and update times are filled in.
//!
//! A section lists its credentials (`tokens`, `api_keys`) as objects that
//! hold the secret, or its hash ([`SeedSecret`]), beside the fields of the
//! principal the credential stands for, which each endpoint defines (an OU,
//! a tenant, a role on some accounts):
//!
//! ```json
//! "tokens": [{"token": "demo-token-sales", "ou_id": "ou_sales"}]
//! ```
//!
//! [`credential_items`] turns such a list into the credential items to put,
//! naming a refused credential by its place in the list (`tokens[0]`).
//!
//! Records may give their creation and last update times or leave them out;
//! [`defaulted_times`] fills in the ones left out.
//!
//! Each function's section is a type implementing [`Section`]: its name in a
//! seed file, its table, and the items it makes. The dev tooling seeds any
//! file through it, and a function's demo data (`functions/<package>/demo.json`)
//! is its section of the demo seed.

use crate::{
    auth::SeedSecret,
    store::{Item, Table},
};
use serde::{Deserialize, de::DeserializeOwned};
use std::future::Future;

/// A function's section of a seed file: the records it reads (`Self`, as
/// the section's JSON), the table they go to and the items they become,
/// every record checked against the function's rules first.
pub trait Section: DeserializeOwned + Send + Sync {
    /// Its name in a seed file: the function's package
    /// (`env!("CARGO_PKG_NAME")` in its crate, so a copied crate cannot keep
    /// another's).
    const NAME: &'static str;
    /// The logical id (in `template.yaml`) of the table its items go to.
    const TABLE: &'static str;
    /// Its list of credentials (`tokens`, `api_keys`): objects of the
    /// secret, or its hash, and the principal's fields ([`SeedToken`]), which
    /// [`Section::items`] turns into the credential items the function reads.
    const CREDENTIALS: &'static str;
    /// The roles (a credential's `role` field, as written in a seed file)
    /// whose reach is the data the credential's own ids name (its `*_id`
    /// and `*_ids` fields) and nothing more: a credential of such a role
    /// whose ids name no data reaches none. A role missing here may reach
    /// beyond its ids (an admin acting on another account); none by default.
    /// The smoke test makes its credential only of such a role.
    const ROLES_WITHIN_IDS: &'static [&'static str] = &[];
    /// What a record that breaks the function's rules is refused with.
    type Error: std::fmt::Display + Send;

    /// The items to put, every record checked against this section alone
    /// (as for an empty table).
    fn items(&self) -> Result<Vec<Item>, Self::Error>;

    /// The items to put into `table`, checked against what it already
    /// holds where a record depends on stored data; by default
    /// [`Section::items`].
    fn items_in(&self, table: &Table) -> impl Future<Output = Result<Vec<Item>, Self::Error>> + Send {
        let _ = table;
        std::future::ready(self.items())
    }
}

/// A credential of a seed file: the secret, or its hash, and the principal
/// it stands for (`P`, the endpoint's own fields, read from the same
/// object).
///
/// An object with a field that is neither the secret's nor one of `P`'s is
/// refused (as [`SeedSecret`] refuses it).
#[derive(Debug, Clone, Deserialize)]
pub struct SeedToken<P> {
    /// The principal. Read before the secret, which then sees only the
    /// fields `P` did not take.
    #[serde(flatten)]
    pub principal: P,
    /// The secret, or its hash.
    #[serde(flatten)]
    pub secret: SeedSecret,
}

/// The credential items of `tokens`, the section's list named `list`, in
/// its order: each holds what `stored` makes of its principal (the
/// attributes the endpoint reads back). An error names the credential by
/// its place (`{list}[{i}]: ...`): what `stored` refused, or a malformed
/// `token_sha256`; the first one ends the list.
pub fn credential_items<P>(
    list: &str,
    tokens: &[SeedToken<P>],
    stored: impl Fn(&P) -> Result<Item, String>,
) -> Result<Vec<Item>, String> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let what = format!("{list}[{i}]");
            let principal = stored(&token.principal).map_err(|e| format!("{what}: {e}"))?;
            token.secret.credential(&what, principal)
        })
        .collect()
}

/// A record's creation and last update times, either of which a seed file
/// may leave out: a missing one is the other, both missing are `now()`.
/// Whatever `T` holds (the text as given, its parsed instant) is kept as
/// is; whether the two are in order is the caller's rule.
pub fn defaulted_times<T: Clone>(created: Option<T>, updated: Option<T>, now: impl FnOnce() -> T) -> (T, T) {
    match (created, updated) {
        (Some(created), Some(updated)) => (created, updated),
        (Some(only), None) | (None, Some(only)) => (only.clone(), only),
        (None, None) => {
            let now = now();
            (now.clone(), now)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{SecretHash, credential_item};
    use aws_sdk_dynamodb::types::AttributeValue;
    use serde_json::{Value, json};

    /// SHA-256 of `abc`, hex.
    const HASH_OF_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    /// A test credential's principal.
    #[derive(Debug, Clone, Deserialize)]
    struct Ou {
        ou_id: String,
    }

    /// The principal's stored attributes; refuses an empty OU.
    fn ou_attributes(principal: &Ou) -> Result<Item, String> {
        if principal.ou_id.is_empty() {
            return Err("ou_id is empty".to_owned());
        }
        Ok(Item::from([(
            "ou".to_owned(),
            AttributeValue::S(principal.ou_id.clone()),
        )]))
    }

    fn parsed(tokens: Value) -> Result<Vec<SeedToken<Ou>>, serde_json::Error> {
        serde_json::from_value(tokens)
    }

    /// The items of the list `list` given as JSON.
    fn items_of(list: &str, tokens: Value) -> Result<Vec<Item>, String> {
        credential_items(list, &parsed(tokens).expect("a list of tokens"), ou_attributes)
    }

    #[test]
    fn each_credential_is_one_item_holding_its_principal() {
        let items = items_of(
            "tokens",
            json!([{"token": "a", "ou_id": "ou_a"}, {"token_sha256": HASH_OF_ABC, "ou_id": "ou_b"}]),
        )
        .unwrap();
        let stored = |ou_id: &str| {
            ou_attributes(&Ou {
                ou_id: ou_id.to_owned(),
            })
            .unwrap()
        };
        assert_eq!(
            items,
            [
                credential_item(&SecretHash::of("a"), stored("ou_a")),
                credential_item(&SecretHash::of("abc"), stored("ou_b")),
            ]
        );
    }

    #[test]
    fn a_refused_credential_is_named_by_its_place() {
        let malformed_hash =
            json!([{"token": "a", "ou_id": "ou_a"}, {"token_sha256": "XYZ", "ou_id": "ou_b"}]);
        assert_eq!(
            items_of("api_keys", malformed_hash).unwrap_err(),
            "api_keys[1]: token_sha256 must be 64 lowercase hex digits"
        );
        let refused_principal = json!([{"token": "a", "ou_id": ""}]);
        assert_eq!(
            items_of("tokens", refused_principal).unwrap_err(),
            "tokens[0]: ou_id is empty"
        );
    }

    #[test]
    fn a_missing_time_is_the_other_and_both_missing_are_now() {
        let now = || "now";
        assert_eq!(defaulted_times(Some("c"), Some("u"), now), ("c", "u"));
        assert_eq!(defaulted_times(Some("c"), None, now), ("c", "c"));
        assert_eq!(defaulted_times(None, Some("u"), now), ("u", "u"));
        assert_eq!(defaulted_times(None, None, now), ("now", "now"));
    }

    #[test]
    fn fields_neither_secret_nor_principal_are_refused() {
        assert!(parsed(json!([{"token": "a", "ou_id": "ou_a", "role": "admin"}])).is_err());
        assert!(parsed(json!([{"ou_id": "ou_a"}])).is_err());
        assert!(parsed(json!([{"token": "a"}])).is_err());
    }
}
