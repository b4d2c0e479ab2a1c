//! CRM accounts in DynamoDB: keys, attribute names, and the one write.
//!
//! Items (tenant first in every key, so another tenant's records cannot be
//! addressed at all):
//!
//! - account: `pk = TENANT#<t>#ACCOUNT#<id>`, `sk = ACCOUNT`, attributes
//!   named as in the contract (`title`, `primaryEmail`, ...) plus `version`;
//! - number claim: `pk = TENANT#<t>#NUMBER#<n>`, `sk = NUMBER`, holding the
//!   `accountId` that owns number `n` (uniqueness within the tenant);
//! - custom field definition: `pk = TENANT#<t>#FIELDS`, `sk = FIELD#<key>`
//!   (see [`definition`]).
//!
//! The write ([`write()`]) is planned here and committed, classified and
//! retried by the shared driver ([`shared::store::write`]); either every
//! part is written or none is:
//!
//! - plain (no number, no new option): a speculative UpdateItem that `SET`s
//!   the fields, merges `custom` key by key and `ADD`s `version 1` under
//!   `attribute_exists(pk)` (and `attribute_exists(custom)` when merging);
//!   when it fails, the plan is an exact write of the merged `custom` map
//!   conditioned on the `version` read;
//! - transactional (a number, or a new option): from the account as read,
//!   one transaction: the account update conditioned on its `version`; the
//!   claim on the new number (`attribute_not_exists(pk) OR accountId = :me`)
//!   and the release of the old one; each new option appended to its
//!   definition, conditioned on the definition's `version` (at most
//!   [`MAX_FIELDS_WITH_NEW_OPTIONS`](crate::change::custom::MAX_FIELDS_WITH_NEW_OPTIONS) of them, checked by
//!   [`custom::plan`] before anything is
//!   written). The claim failing is 409; the account gone is 404; anything
//!   else changed meanwhile: the definitions are read again, the values
//!   re-checked, and the write planned again.
//!
//! The definitions a request is checked against may come from this
//! container's recent copy ([`definitions_cache`]: a plain update with
//! `custom` is then one call); a refusal and every re-plan use a fresh read.
//!
//! The response is the item the driver returns: `ALL_NEW`, or the account
//! update applied to the item read ([`shared::store::Update::apply_to`]),
//! read into the contract's view by [`view`]. Custom values become
//! attributes in [`custom_value`]; the seed's items are built by [`seeded`].

pub mod custom_value;
pub mod definition;
pub mod definitions_cache;
pub mod seeded;
pub mod view;

use crate::{
    change::{Change, Contact, custom},
    error::ApiError,
    request::AccountId,
};
use aws_sdk_dynamodb::types::AttributeValue;
use definition::FieldDef;
use shared::{
    Ctx,
    clock::Timestamp,
    error::{Common, from_write_failure},
    patch::Patch,
    store::{
        Cond, Item, Key, PK, Table, Update,
        claims::Owner,
        merge,
        write::{self, Plan, Transaction},
    },
};
use std::collections::HashMap;

/// Custom values checked against the stored definitions, which the new
/// options are appended to.
type CustomPlan = custom::CustomPlan<FieldDef>;

/// Attribute names of an account item (the contract's field names).
pub mod attrs {
    /// Account id (number).
    pub const ID: &str = "id";
    /// Creation time.
    pub const CREATED_AT: &str = "createdAt";
    /// Last update time.
    pub const UPDATED_AT: &str = "updatedAt";
    /// Title.
    pub const TITLE: &str = "title";
    /// Description (string or NULL).
    pub const DESCRIPTION: &str = "description";
    /// Address lines.
    pub const ADDRESS: &str = "address";
    /// Active flag.
    pub const IS_ACTIVE: &str = "isActive";
    /// Primary email (string or NULL).
    pub const PRIMARY_EMAIL: &str = "primaryEmail";
    /// Primary phone, E.164 (string or NULL).
    pub const PRIMARY_PHONE: &str = "primaryPhone";
    /// Number, unique within the tenant.
    pub const NUMBER: &str = "number";
    /// Custom fields map.
    pub const CUSTOM: &str = "custom";
    /// Account type (string or NULL).
    pub const ACCOUNT_TYPE: &str = "accountType";
    /// Contacts list: a map per contact, with the attributes of [`contact`].
    pub const CONTACTS: &str = "contacts";
    /// Write counter.
    pub const VERSION: &str = "version";

    /// The attributes of one contact's map in [`CONTACTS`].
    pub mod contact {
        /// Name (a string, always present).
        pub const NAME: &str = "name";
        /// Email (a string, absent when none).
        pub const EMAIL: &str = "email";
        /// Phone, E.164 (a string, absent when none).
        pub const PHONE: &str = "phone";
        /// Role (a string, absent when none).
        pub const ROLE: &str = "role";
    }
}

/// Attribute of a number claim naming the account that owns the number.
pub const CLAIM_OWNER: &str = "accountId";

/// The key of an account item.
pub fn account_key(tenant: &str, id: i64) -> Key {
    Key::new(format!("TENANT#{tenant}#ACCOUNT#{id}"), "ACCOUNT")
}

/// The key of the claim on number `n` within a tenant.
pub fn number_key(tenant: &str, number: i64) -> Key {
    Key::new(format!("TENANT#{tenant}#NUMBER#{number}"), "NUMBER")
}

/// The owner of account `id`'s number claim.
pub fn claim_owner(id: AccountId) -> Owner {
    Owner::new(CLAIM_OWNER, AttributeValue::N(id.to_string()))
}

/// Applies `change` to account `id` of `tenant` (see the module docs);
/// returns the account item after the write. 404 when the account does not
/// exist, 409 when its new number is another account's, 400 when a custom
/// value does not fit the definitions as read, 503 after losing every race.
pub async fn write(
    ctx: &Ctx,
    table: &Table,
    tenant: &str,
    id: AccountId,
    change: &Change,
    allow_new_options: bool,
) -> Result<Item, ApiError> {
    let key = account_key(tenant, id.get());
    // The custom values checked against the tenant's definitions as read;
    // read again after a cancelled transaction, which an option appended
    // meanwhile (a definition's version moved) may have cancelled.
    let check = || async {
        if change.custom.is_empty() {
            return Ok(CustomPlan::default());
        }
        let definitions = definitions_cache::read(table, tenant).await?;
        custom::plan(&definitions, &change.custom, allow_new_options)
    };
    // The first check may use this container's recent copy
    // (`definitions_cache`); a refusal is only ever made from a fresh read.
    let from_cache = (!change.custom.is_empty())
        .then(|| definitions_cache::cached(table, tenant))
        .flatten()
        .and_then(|definitions| custom::plan(&definitions, &change.custom, allow_new_options).ok());
    let custom = match from_cache {
        Some(plan) => plan,
        None => check().await?,
    };
    let now = Timestamp::now();
    let transactional = |custom: &CustomPlan| change.number.is_some() || !custom.new_options.is_empty();
    let first = (!transactional(&custom)).then(|| speculative(change, &custom, now));
    let may_add_options = allow_new_options && !change.custom.is_empty();
    let written = write::write_with(ctx, table, &key, custom, first, check, |item, custom| {
        let item = item.ok_or(Common::NotFound)?;
        Ok(if transactional(custom) {
            Plan::Transaction(account_transaction(table, tenant, id, change, custom, now, item))
        } else {
            Plan::Item(exact(change, custom, now, item))
        })
    })
    .await
    // The number claim is the only claim: taken means that number.
    .map_err(|failure| {
        from_write_failure(failure, |_claim| {
            ApiError::NumberTaken(change.number.unwrap_or_default())
        })
    });
    if may_add_options && written.is_ok() {
        // This container's copy may lack the options just appended.
        definitions_cache::forget(table, tenant);
    }
    written
}

/// The top-level fields `change` sets, as stored: each attribute named as in
/// the contract ([`attrs`]), in a fixed order (title, description, address,
/// isActive, primaryEmail, primaryPhone, accountType, contacts); a cleared
/// field is stored as `NULL`. `number` and `custom` are not among them.
pub fn assignments(change: &Change) -> Vec<(&'static str, AttributeValue)> {
    let mut set = Vec::new();
    if let Some(title) = &change.title {
        set.push((attrs::TITLE, s(title.as_str())));
    }
    nullable(&mut set, attrs::DESCRIPTION, &change.description, |d| {
        s(d.as_str())
    });
    if let Some(lines) = &change.address {
        set.push((
            attrs::ADDRESS,
            AttributeValue::L(lines.iter().map(|l| s(l.as_str())).collect()),
        ));
    }
    if let Some(active) = change.is_active {
        set.push((attrs::IS_ACTIVE, AttributeValue::Bool(active)));
    }
    nullable(&mut set, attrs::PRIMARY_EMAIL, &change.primary_email, |e| {
        s(e.as_str())
    });
    nullable(&mut set, attrs::PRIMARY_PHONE, &change.primary_phone, |p| {
        s(p.as_str())
    });
    nullable(&mut set, attrs::ACCOUNT_TYPE, &change.account_type, |t| {
        s(t.as_str())
    });
    if let Some(contacts) = &change.contacts {
        set.push((
            attrs::CONTACTS,
            AttributeValue::L(contacts.iter().map(contact).collect()),
        ));
    }
    set
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// A field that `null` clears: stored as `NULL`.
fn nullable<T>(
    set: &mut Vec<(&'static str, AttributeValue)>,
    name: &'static str,
    patch: &Patch<T>,
    stored: impl FnOnce(&T) -> AttributeValue,
) {
    match patch {
        Patch::Absent => {}
        Patch::Null => set.push((name, AttributeValue::Null(true))),
        Patch::Value(v) => set.push((name, stored(v))),
    }
}

/// A contact as stored: a map of the fields it has.
fn contact(contact: &Contact) -> AttributeValue {
    use attrs::contact::{EMAIL, NAME, PHONE, ROLE};
    let mut map = HashMap::from([(NAME.to_owned(), s(contact.name.as_str()))]);
    if let Some(email) = &contact.email {
        map.insert(EMAIL.to_owned(), s(email.as_str()));
    }
    if let Some(phone) = &contact.phone {
        map.insert(PHONE.to_owned(), s(phone.as_str()));
    }
    if let Some(role) = &contact.role {
        map.insert(ROLE.to_owned(), s(role.as_str()));
    }
    AttributeValue::M(map)
}

/// SET of every plain field, `updatedAt`, and the version bump, under
/// "the account exists".
fn fields_update(change: &Change, now: Timestamp) -> Update {
    let mut update = Update::new();
    for (name, value) in assignments(change) {
        update.set(&[name], value);
    }
    update
        .set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK));
    update
}

/// The plain path's first try: no read, `custom` merged key by key.
fn speculative(change: &Change, custom: &CustomPlan, now: Timestamp) -> Update {
    let mut first = fields_update(change, now);
    if !custom.merge.is_empty() {
        merge::merge_keys(&mut first, attrs::CUSTOM, &custom.merge, None);
    }
    first
}

/// The plain path's exact write from `item`: conditioned on its `version`,
/// with the whole merged `custom` map.
fn exact(change: &Change, custom: &CustomPlan, now: Timestamp, item: &Item) -> Update {
    let mut update = fields_update(change, now);
    update.require(Cond::unchanged(item, attrs::VERSION));
    merge::set_merged(
        &mut update,
        attrs::CUSTOM,
        merge::merged(item, attrs::CUSTOM, &custom.merge),
    );
    update
}

/// The transactional path from `item`: the account update conditioned on
/// its `version`, the number's claim moved, the new options appended.
fn account_transaction(
    table: &Table,
    tenant: &str,
    id: AccountId,
    change: &Change,
    custom: &CustomPlan,
    now: Timestamp,
    item: &Item,
) -> Transaction {
    let mut update = fields_update(change, now);
    update.require(Cond::unchanged(item, attrs::VERSION));
    if !custom.merge.is_empty() {
        merge::set_merged(
            &mut update,
            attrs::CUSTOM,
            merge::merged(item, attrs::CUSTOM, &custom.merge),
        );
    }
    let old_number = item
        .get(attrs::NUMBER)
        .and_then(|n| n.as_n().ok())
        .and_then(|n| n.parse::<i64>().ok());
    let new_number = change.number.filter(|n| Some(*n) != old_number);
    if let Some(number) = new_number {
        update.set(&[attrs::NUMBER], AttributeValue::N(number.to_string()));
    }
    let mut transaction = Transaction::new(table, &account_key(tenant, id.get()), update);
    if let Some(number) = new_number {
        transaction.move_claim(
            &claim_owner(id),
            &number_key(tenant, number),
            old_number.map(|old| number_key(tenant, old)).as_ref(),
            Item::new(),
        );
    }
    for (def, new) in &custom.new_options {
        transaction.update(&def.item_key(tenant), def.append_options(new));
    }
    transaction
}
