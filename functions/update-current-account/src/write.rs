//! Applying a change to an account, with email uniqueness.
//!
//! Without an email, one UpdateItem (settings merged key by key; `ALL_NEW`
//! gives the response). With one, the account is read (for its `version`,
//! current address and verification budget) and one TransactWriteItems does
//! the rest through [`shared::store::claims`]:
//!
//! - the same address in any case: no marker, only the account update;
//! - an account without verification: the account takes the new address,
//!   claims its marker (`active`) and releases the old one;
//! - an account whose policy requires verification keeps its address and
//!   gets a pending change: a fresh code (only its hash is kept on the
//!   account), the message for the mailer in the outbox, and one more code
//!   counted in its [`crate::budget`] (429 past it). The new address is not
//!   reserved: the transaction only checks that no other account holds it
//!   (a `ConditionCheck` on its marker, so an address already in use is 409
//!   at once and no code goes out), and [`crate::confirm`] claims it when
//!   the code comes back. A pending change replaces an earlier one but keeps
//!   its count of tries, and the account's budget, whatever the address.
//!
//! A claim or check that fails is 409 `email_exists`; a version or budget
//! that moved is a fresh read and another try.

use crate::{
    account::{AccountView, MARKER_OWNER, account_key, attrs, email_key, outbox_key, text},
    budget::{Budget, MAX_TRIES_PER_CHANGE},
    change::Change,
    code::new_code,
    error::ApiError,
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use shared::{
    clock::Timestamp,
    store::{
        Cond, Item, PK, Table, Update,
        claims::{self, Commit, Owner},
        merge, optimistic, transact,
    },
    validate::EmailAddress,
};

pub use crate::code::code_hash;

/// How long a confirmation code is valid.
pub const CODE_TTL_SECONDS: i64 = 24 * 60 * 60;

/// Marker state of an address an account holds.
pub const ACTIVE: &str = "active";

/// Marker state earlier versions wrote for an address awaiting
/// confirmation. Such a marker reserves nothing: any account may take it.
pub const LEGACY_PENDING: &str = "pending";

/// The owner of an account's email markers. Its claims may also take a
/// [`LEGACY_PENDING`] marker of another account.
pub fn owner(account_id: &str) -> Owner {
    Owner::new(MARKER_OWNER, AttributeValue::S(account_id.to_owned()))
        .taking_over(Cond::eq_str("state", LEGACY_PENDING))
}

/// "Account `account_id` could claim this marker": it is absent, already
/// the account's, or a [`LEGACY_PENDING`] one.
pub fn claimable(account_id: &str) -> Cond {
    let owner = owner(account_id);
    Cond::not_exists(PK)
        .or(owner.owns())
        .or(Cond::eq_str("state", LEGACY_PENDING))
}

/// The unexpired pending address of an account item, if any.
pub fn live_pending(item: &Item, now: Timestamp) -> Option<&str> {
    let expires = text(item, attrs::PENDING_EXPIRES_AT).and_then(Timestamp::parse)?;
    (expires > now)
        .then(|| text(item, attrs::PENDING_EMAIL))
        .flatten()
}

/// Tries used on the pending change of an account item (0 when none).
pub fn pending_attempts(item: &Item) -> i64 {
    item.get(attrs::PENDING_ATTEMPTS)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The normalized form of a stored address (for its marker key).
pub fn normalized(address: &str) -> String {
    EmailAddress::parse(address)
        .map(|e| e.normalized().to_owned())
        .unwrap_or_else(|_| address.trim().to_lowercase())
}

/// Applies `change` to account `id`; returns the account after.
pub async fn apply(table: &Table, id: &str, change: &Change) -> Result<AccountView, ApiError> {
    let Some(email) = &change.email else {
        return plain(table, id, change).await;
    };
    let key = account_key(id);
    for _ in 0..optimistic::MAX_ATTEMPTS {
        let item = table.get(&key, true).await?.ok_or(ApiError::NotFound)?;
        let plan = plan_email_change(table.name(), id, change, email, &item)?;
        match claims::commit(table, plan.items, &plan.claim_slots).await? {
            Commit::Committed => return AccountView::from_item(&plan.after),
            Commit::Taken(_) => return Err(ApiError::EmailExists),
            Commit::Missing => return Err(ApiError::NotFound),
            Commit::Changed => continue,
        }
    }
    Err(ApiError::Contention)
}

/// Name, settings (whole, merged from `item`), `updated_at`, version bump,
/// conditioned on the version of `item`.
pub fn versioned_update(change: Option<&Change>, item: &Item, now: Timestamp) -> Update {
    let mut update = Update::new();
    if let Some(change) = change {
        if let Some(name) = &change.name {
            update.set(&[attrs::NAME], AttributeValue::S(name.as_str().to_owned()));
        }
        if !change.settings.is_empty() {
            merge::set_merged(
                &mut update,
                attrs::SETTINGS,
                merge::merged(item, attrs::SETTINGS, &change.settings),
            );
        }
    }
    update
        .set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::unchanged(item, attrs::VERSION));
    update
}

/// What `versioned_update` stores, applied to a copy of `item`.
pub fn after_update(change: Option<&Change>, item: &Item, now: Timestamp) -> Item {
    let mut after = item.clone();
    if let Some(change) = change {
        if let Some(name) = &change.name {
            after.insert(
                attrs::NAME.to_owned(),
                AttributeValue::S(name.as_str().to_owned()),
            );
        }
        if !change.settings.is_empty() {
            after.insert(
                attrs::SETTINGS.to_owned(),
                AttributeValue::M(merge::merged(item, attrs::SETTINGS, &change.settings)),
            );
        }
    }
    after.insert(attrs::UPDATED_AT.to_owned(), AttributeValue::S(now.to_string()));
    after
}

/// A planned transaction: its entries, which are claims, and the account after.
pub struct Plan {
    /// Entries, the account update first.
    pub items: Vec<TransactWriteItem>,
    /// Indexes of claim entries.
    pub claim_slots: Vec<usize>,
    /// The account item as the transaction leaves it.
    pub after: Item,
}

fn plan_email_change(
    table: &str,
    id: &str,
    change: &Change,
    email: &EmailAddress,
    item: &Item,
) -> Result<Plan, ApiError> {
    let now = Timestamp::now();
    let mut update = versioned_update(Some(change), item, now);
    let mut after = after_update(Some(change), item, now);
    let current = text(item, attrs::EMAIL).map(normalized);
    let mut extra = Vec::new();
    let mut claims = Vec::new();
    let s = |t: &str| AttributeValue::S(t.to_owned());

    if current.as_deref() == Some(email.normalized()) {
        // The same address (perhaps in another case): no marker changes.
        update.set(&[attrs::EMAIL], s(email.as_str()));
        after.insert(attrs::EMAIL.to_owned(), s(email.as_str()));
    } else if text(item, attrs::EMAIL_VERIFICATION) == Some("required") {
        let budget = Budget::of(item, now);
        budget.check_code()?;
        budget.count_code(&mut update);
        let code = new_code();
        let expires = now.plus_seconds(CODE_TTL_SECONDS);
        // Only a check: the address is claimed when the change is confirmed.
        claims.push(transact::check(
            table,
            &email_key(email.normalized()),
            claimable(id),
        ));
        for (name, value) in [
            (attrs::PENDING_EMAIL, s(email.as_str())),
            (attrs::PENDING_CODE, s(&code_hash(id, &code))),
            (attrs::PENDING_EXPIRES_AT, s(&expires.to_string())),
        ] {
            update.set(&[name], value.clone());
            after.insert(name.to_owned(), value);
        }
        // A live earlier change passes on its count of tries (the version
        // condition covers a try racing this write); an exhausted one has
        // been refused its tries already and a new window pays for this code.
        let attempts = live_pending(item, now)
            .map(|_| pending_attempts(item))
            .filter(|n| *n < MAX_TRIES_PER_CHANGE)
            .unwrap_or(0);
        let attempts = AttributeValue::N(attempts.to_string());
        update.set(&[attrs::PENDING_ATTEMPTS], attempts.clone());
        after.insert(attrs::PENDING_ATTEMPTS.to_owned(), attempts);
        extra.push(transact::put(
            table,
            outbox_key(id).into_item_with(Item::from([
                ("to".to_owned(), s(email.as_str())),
                ("code".to_owned(), s(&code)),
                ("created_at".to_owned(), s(&now.to_string())),
                ("expires_at".to_owned(), s(&expires.to_string())),
                (
                    "ttl".to_owned(),
                    AttributeValue::N(expires.unix_seconds().to_string()),
                ),
            ])),
            None,
        ));
    } else {
        let old = current.map(|c| email_key(&c));
        claims = owner(id).move_claim(
            table,
            &email_key(email.normalized()),
            old.as_ref(),
            Item::from([("state".to_owned(), s(ACTIVE))]),
        );
        update.set(&[attrs::EMAIL], s(email.as_str()));
        after.insert(attrs::EMAIL.to_owned(), s(email.as_str()));
    }

    let claim_slots = if claims.is_empty() { vec![] } else { vec![1] };
    let mut items = vec![transact::update(table, &account_key(id), update)];
    items.extend(claims);
    items.extend(extra);
    Ok(Plan {
        items,
        claim_slots,
        after,
    })
}

async fn plain(table: &Table, id: &str, change: &Change) -> Result<AccountView, ApiError> {
    let now = Timestamp::now();
    let mut first = Update::new();
    if let Some(name) = &change.name {
        first.set(&[attrs::NAME], AttributeValue::S(name.as_str().to_owned()));
    }
    first
        .set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK));
    if !change.settings.is_empty() {
        merge::merge_keys(&mut first, attrs::SETTINGS, &change.settings, None);
    }
    let item = optimistic::update(
        table,
        &account_key(id),
        ReturnValue::AllNew,
        Some(first),
        |item| {
            let item = item.ok_or(ApiError::NotFound)?;
            Ok(versioned_update(Some(change), item, now))
        },
    )
    .await?
    .ok_or_else(|| ApiError::Internal("UpdateItem returned no attributes".to_owned()))?;
    AccountView::from_item(&item)
}
