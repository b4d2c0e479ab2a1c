//! [`Harness`]: what every endpoint crate's test fixture is built on, a
//! fresh database and the endpoint's state on it, with the reads, writes
//! and requests its tests share.

use crate::{TestDb, events};
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use shared::auth::{SecretHash, credential_item, credential_key};
use shared::endpoint::Endpoint;
use shared::store::{Item, Key};

/// A fresh [`TestDb`] (every table of `template.yaml` created, nothing
/// seeded) and the state of endpoint `E` on its table. An endpoint crate's
/// fixture holds one and dereferences to it, adding its own seed data and
/// helpers.
pub struct Harness<E: Endpoint> {
    /// The test's database.
    pub db: TestDb,
    /// The handler's state, on `E`'s table in [`Harness::db`].
    pub state: E::State,
    /// The items a section of `E`'s seed format makes for an empty table.
    seed_items: fn(Value) -> Vec<Item>,
}

impl<E: Endpoint> Harness<E> {
    /// Starts a fresh database and builds `E`'s state on its table, the
    /// way the function's `main` does on the deployed one; `seed_items`
    /// makes the items of a section of `E`'s seed format for an empty
    /// table ([`Harness::seed`]).
    pub async fn start(seed_items: fn(Value) -> Vec<Item>) -> Self {
        let db = TestDb::start().await;
        let table = db.table(E::TABLE);
        Harness {
            db,
            state: E::State::from(shared::endpoint::State { table }),
            seed_items,
        }
    }

    /// Loads a section of `E`'s seed format into its table.
    pub async fn seed(&self, section: Value) {
        self.put((self.seed_items)(section)).await;
    }

    /// Puts `items` into `E`'s table as they are (idempotent).
    pub async fn put(&self, items: Vec<Item>) {
        self.db.put(E::TABLE, items).await;
    }

    /// The item stored under `key` in `E`'s table (a consistent read).
    pub async fn get(&self, key: &Key) -> Option<Item> {
        self.db.get(E::TABLE, key).await
    }

    /// Every item of `E`'s table in key order, for "nothing changed" checks.
    pub async fn snapshot(&self) -> Vec<Item> {
        self.db.snapshot(E::TABLE).await
    }

    /// Stores `secret` as a second credential of the principal whose
    /// credential `of` is: a copy of `of`'s credential item under
    /// `secret`'s hash. Panics when `of` is not stored.
    pub async fn share_credential(&self, of: &str, secret: &str) {
        let key = credential_key(&SecretHash::of(of));
        let mut principal = self.get(&key).await.expect("the credential to share is stored");
        for name in key.to_item().keys() {
            principal.remove(name);
        }
        self.put(vec![credential_item(&SecretHash::of(secret), principal)])
            .await;
    }

    /// Answers `request` with `E`'s handler on [`Harness::state`]; the
    /// handler's future is on the heap (it is large in debug builds).
    pub async fn send(&self, request: Request) -> Response<Body> {
        Box::pin(shared::endpoint::handle::<E>(&self.state, request)).await
    }

    /// Sends a request as API Gateway delivers it ([`events::api_request`]).
    pub async fn request(
        &self,
        method: &str,
        raw_path: &str,
        path_params: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response<Body> {
        self.send(events::api_request(
            method,
            raw_path,
            path_params,
            headers,
            Some(body),
        ))
        .await
    }
}

/// An endpoint crate's seed format, as its test fixture knows it: its
/// seed section ([`shared::seed::Section`]).
pub trait SeedFormat {
    /// The crate's seed section.
    type Seed: shared::seed::Section;

    /// The items a section of the format makes for an empty table; panics
    /// on a section the format refuses.
    fn seed_items(section: Value) -> Vec<Item> {
        crate::suite::parse_seed(section, <Self::Seed as shared::seed::Section>::items)
    }
}

/// Declares an endpoint crate's test fixture, a newtype of the endpoint's
/// [`Harness`] that the crate adds its own helpers to: the struct, made
/// from a harness (`From`) and dereferencing to it, mutably too, so that
/// a test reads `f.db`, `f.state` and the harness's helpers on the fixture;
/// its [`SeedFormat`], the crate's seed section (`Seed`); and its `new`, a fresh
/// fixture ([`Tested::start`](crate::suite::Tested::start), a default
/// method: the crate implements `Tested` with its facts, such as its seed
/// data).
///
/// ```ignore
/// testkit::harness_fixture! {
///     /// The fixture of this endpoint's tests.
///     pub struct Fixture(Harness<my_endpoint::MyEndpoint>);
///     seed: my_endpoint::seed::Seed;
/// }
/// ```
#[macro_export]
macro_rules! harness_fixture {
    (
        $(#[$attr:meta])* $vis:vis struct $name:ident(Harness<$api:ty>);
        seed: $seed:ty;
    ) => {
        $(#[$attr])*
        $vis struct $name($crate::Harness<$api>);

        impl ::std::convert::From<$crate::Harness<$api>> for $name {
            fn from(harness: $crate::Harness<$api>) -> Self {
                $name(harness)
            }
        }

        impl ::std::ops::Deref for $name {
            type Target = $crate::Harness<$api>;

            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl ::std::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.0
            }
        }

        impl $crate::SeedFormat for $name {
            type Seed = $seed;
        }

        impl $name {
            /// A fresh fixture, seeded with its data.
            pub async fn new() -> Self {
                <Self as $crate::suite::Tested>::start().await
            }
        }
    };
}
