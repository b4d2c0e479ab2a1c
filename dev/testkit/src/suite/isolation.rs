//! The isolation matrix: the same valid write sent as every kind of
//! principal (no credential, malformed, unknown, revoked, another tenant's
//! or account's, an insufficient role where the contract has roles, the
//! right one), one row each. Every row checks the status, the envelope's
//! code, that nothing of the other tenant's data leaks into the body or
//! any header, and that the table is unchanged except for the right
//! principal's item.

use super::Tested;
use crate::isolation::{assert_no_leak, changed_keys, key_of, revoke, split};
use lambda_http::{Body, Response};
use shared::store::Item;
use std::future::Future;

/// One principal of the matrix and what it must get.
pub struct Row<P> {
    /// The case, named in every failure.
    pub name: &'static str,
    /// How the row presents itself (credential headers, target account,
    /// body), in the endpoint's terms ([`Isolated::send_as`]).
    pub principal: P,
    /// A secret that works once for this row, then is revoked (its
    /// credential item deleted) before the row's request.
    pub revoke: Option<&'static str>,
    /// The status the row gets.
    pub status: u16,
    /// The envelope's error code; `None` for the right principal's row.
    pub code: Option<&'static str>,
}

impl<P> Row<P> {
    /// A row of `principal` that gets `status` and, unless it is the right
    /// principal's, the error `code`.
    pub fn new(name: &'static str, principal: P, status: u16, code: Option<&'static str>) -> Self {
        Row {
            name,
            principal,
            revoke: None,
            status,
            code,
        }
    }

    /// The row, its `secret` revoked after one request that worked.
    pub fn revoked(self, secret: &'static str) -> Self {
        Row {
            revoke: Some(secret),
            ..self
        }
    }
}

/// What the matrix needs beside [`Tested`]: the rows, the other tenant's
/// data, and what a success must have written.
pub trait Isolated: Tested {
    /// How a row presents itself.
    type Principal: Send + Sync;

    /// The rows, the right principal's last.
    fn rows() -> Vec<Row<Self::Principal>>;

    /// Seeds the data no row but its owner may see (another tenant's or
    /// account's items and credentials, the credential a row revokes).
    fn seed_foreign(&self) -> impl Future<Output = ()> + Send;

    /// Every string that would identify the foreign data (compared
    /// ignoring case); the first one is stored in the foreign items.
    fn foreign_needles() -> Vec<String>;

    /// Sends the one write as `principal`.
    fn send_as(&self, principal: &Self::Principal) -> impl Future<Output = Response<Body>> + Send;

    /// Asserts the right principal's answer and its item
    /// ([`Tested::subject`]) before and after: the change the body
    /// promises, the rest of the item kept.
    fn assert_success(
        &self,
        response: &Response<Body>,
        old: Item,
        new: Item,
    ) -> impl Future<Output = ()> + Send;

    /// Asserts a refused row's answer: [`Tested::assert_error`] by
    /// default; an endpoint adds what its refusals also carry.
    fn assert_refused(response: &Response<Body>, status: u16, code: &str) {
        Self::assert_error(response, status, code);
    }
}

/// Runs every row of `T`'s matrix, each on a fresh fixture with the
/// foreign data seeded.
pub async fn isolation_matrix<T: Isolated>() {
    let table = <T::Api as shared::endpoint::Endpoint>::TABLE;
    let needles = T::foreign_needles();
    for row in T::rows() {
        let name = row.name;
        let t = T::start().await;
        t.seed_foreign().await;
        if let Some(secret) = row.revoke {
            let worked = t.send_as(&row.principal).await;
            assert!(
                worked.status().is_success(),
                "{name}: works before it is revoked: {}",
                worked.status()
            );
            revoke(&t.db, table, secret).await;
        }
        let before = t.snapshot().await;
        let marker = needles[0].to_lowercase();
        assert!(
            before
                .iter()
                .any(|i| format!("{i:?}").to_lowercase().contains(&marker)),
            "{name}: the foreign data is not seeded"
        );
        let response = t.send_as(&row.principal).await;
        let after = t.snapshot().await;
        assert_eq!(
            response.status(),
            row.status,
            "{name}: {}",
            String::from_utf8_lossy(response.body().as_ref())
        );
        assert_no_leak(name, &response, &needles);
        let changed = changed_keys(&before, &after);
        match row.code {
            Some(code) => {
                T::assert_refused(&response, row.status, code);
                assert!(
                    changed.is_empty(),
                    "{name}: a refused request changed {changed:?}"
                );
            }
            None => {
                let key = T::subject();
                assert_eq!(changed, [key_of(&key.to_item())], "{name}: another item changed");
                let (_, old) = split(&before, &key);
                let (_, new) = split(&after, &key);
                let (old, new) = (old.expect("the item before"), new.expect("the item after"));
                t.assert_success(&response, old, new).await;
            }
        }
    }
}

/// The needles of [`Isolated::foreign_needles`]: `strings` and the foreign
/// `credentials`, each with its stored hash, lowercase.
pub fn needles(strings: &[&str], credentials: &[&str]) -> Vec<String> {
    let hashes = credentials.iter().flat_map(|c| {
        [
            (*c).to_owned(),
            shared::auth::SecretHash::of(c).as_hex().to_owned(),
        ]
    });
    strings
        .iter()
        .map(|s| (*s).to_owned())
        .chain(hashes)
        .map(|s| s.to_lowercase())
        .collect()
}
