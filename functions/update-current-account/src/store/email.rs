//! Email changes in the store: the markers that keep addresses unique, the
//! pending change of an account that must confirm its new address, and the
//! plans that change an address.
//!
//! A PATCH with an email ([`plan_change`]), from the account as read:
//!
//! - the same address in any case: no marker, only the account update;
//! - an account without verification: the account takes the new address,
//!   claims its marker (`active`) and releases the old one, in one
//!   transaction (a claim that fails is 409 `email_exists`);
//! - an account whose policy requires verification keeps its address and
//!   gets a pending change: a fresh code (only its hash is kept on the
//!   account), the message for the mailer in the [`super::outbox`], and one more code
//!   counted in its [`super::budget`] (429 past it). The new address is not
//!   reserved: an address another account already holds is 409 at once and
//!   no code goes out, and [`super::confirm`] claims it when the code comes
//!   back. A pending change replaces an earlier one but keeps its count of
//!   tries, and the account's budget, whatever the address.
//!
//! A version or budget that moved is a fresh read and another plan (the
//! driver's).

use super::{
    MARKER_OWNER, account_key, attrs,
    budget::{Budget, MAX_TRIES_PER_CHANGE},
    email_key,
    outbox::{Message, outbox_key},
    text, versioned_update,
};
use crate::{
    change::{
        Change,
        code::{code_hash, new_code},
    },
    error::ApiError,
    request::AccountId,
};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    clock::Timestamp,
    store::{
        Cond, Item, PK, Table, Update,
        claims::Owner,
        write::{Plan, Transaction},
    },
    validate::EmailAddress,
};

/// How long a confirmation code is valid.
pub const CODE_TTL_SECONDS: i64 = 24 * 60 * 60;

/// Marker state of an address an account holds.
pub const ACTIVE: &str = "active";

/// Marker state earlier versions wrote for an address awaiting
/// confirmation. Such a marker reserves nothing: any account may take it.
pub const LEGACY_PENDING: &str = "pending";

/// Marker attribute holding its state.
const MARKER_STATE: &str = "state";

/// The account's pending-change attributes.
const PENDING_FIELDS: [&str; 4] = [
    attrs::PENDING_EMAIL,
    attrs::PENDING_CODE,
    attrs::PENDING_EXPIRES_AT,
    attrs::PENDING_ATTEMPTS,
];

/// The owner of an account's email markers. Its claims may also take a
/// [`LEGACY_PENDING`] marker of another account.
pub fn owner(id: &AccountId) -> Owner {
    Owner::new(MARKER_OWNER, AttributeValue::S(id.as_str().to_owned()))
        .taking_over(Cond::eq_str(MARKER_STATE, LEGACY_PENDING))
}

/// "Account `id` could claim this marker": it is absent, already the
/// account's, or a [`LEGACY_PENDING`] one.
fn claimable(id: &AccountId) -> Cond {
    Cond::not_exists(PK)
        .or(owner(id).owns())
        .or(Cond::eq_str(MARKER_STATE, LEGACY_PENDING))
}

/// The normalized form of a stored address (for its marker key).
pub fn normalized(address: &str) -> String {
    EmailAddress::parse(address)
        .map(|e| e.normalized().to_owned())
        .unwrap_or_else(|_| address.trim().to_lowercase())
}

/// The email change an account item awaits confirmation for: it exists
/// exactly when the item holds a code hash.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pending<'a> {
    /// The new address (always there in items this crate writes).
    pub email: Option<&'a str>,
    /// The stored hash of its code: which change this is.
    pub code_hash: &'a str,
    /// When its code expires.
    pub expires_at: Option<Timestamp>,
    /// Codes tried on it so far (0 when not recorded).
    pub attempts: i64,
}

impl<'a> Pending<'a> {
    /// The pending change of `item`, if any.
    pub fn of(item: &'a Item) -> Option<Self> {
        Some(Pending {
            email: text(item, attrs::PENDING_EMAIL),
            code_hash: text(item, attrs::PENDING_CODE)?,
            expires_at: text(item, attrs::PENDING_EXPIRES_AT).and_then(Timestamp::parse),
            attempts: item
                .get(attrs::PENDING_ATTEMPTS)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        })
    }

    /// True when it has an address and its code has not expired at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.email.is_some() && self.expires_at.is_some_and(|expires| expires > now)
    }
}

/// The plan of a PATCH that carries `email`, from the account `item` as
/// read (see the module docs). Refuses with 429 past the verification
/// budget. An account requiring verification that asks for an address
/// another account holds is refused by the transaction itself: it checks
/// (without claiming: a pending address reserves nothing) that the
/// address's marker is [`claimable`], so a taken address fails as a taken
/// claim, 409, with nothing written.
pub fn plan_change(
    table: &Table,
    id: &AccountId,
    change: &Change,
    email: &EmailAddress,
    item: &Item,
) -> Result<Plan, ApiError> {
    let now = Timestamp::now();
    let key = account_key(id);
    let mut update = versioned_update(Some(change), item, now);
    let current = text(item, attrs::EMAIL).map(normalized);
    let s = |t: &str| AttributeValue::S(t.to_owned());

    if current.as_deref() == Some(email.normalized()) {
        // The same address (perhaps in another case): no marker changes.
        update.set(&[attrs::EMAIL], s(email.as_str()));
        return Ok(update.into());
    }
    if text(item, attrs::EMAIL_VERIFICATION) != Some("required") {
        update.set(&[attrs::EMAIL], s(email.as_str()));
        let old = current.map(|c| email_key(&c));
        let mut transaction = Transaction::new(table, &key, update);
        transaction.move_claim(
            &owner(id),
            &email_key(email.normalized()),
            old.as_ref(),
            Item::from([(MARKER_STATE.to_owned(), s(ACTIVE))]),
        );
        return Ok(transaction.into());
    }

    let budget = Budget::of(item, now);
    budget.check_code()?;
    budget.count_code(&mut update);
    let code = new_code();
    let hash = code_hash(id, &code);
    let expires = now.plus_seconds(CODE_TTL_SECONDS);
    // A live earlier change passes on its count of tries (the version
    // condition covers a try racing this write); an exhausted one has been
    // refused its tries already and a new window pays for this code.
    let attempts = Pending::of(item)
        .filter(|p| p.is_live(now))
        .map(|p| p.attempts)
        .filter(|n| *n < MAX_TRIES_PER_CHANGE)
        .unwrap_or(0);
    update
        .set(&[attrs::PENDING_EMAIL], s(email.as_str()))
        .set(&[attrs::PENDING_CODE], s(&hash))
        .set(&[attrs::PENDING_EXPIRES_AT], s(&expires.to_string()))
        .set(
            &[attrs::PENDING_ATTEMPTS],
            AttributeValue::N(attempts.to_string()),
        );
    let mut transaction = Transaction::new(table, &key, update);
    // Only a check: the address is claimed when the change is confirmed.
    transaction.check_claim(&email_key(email.normalized()), claimable(id));
    let message = Message {
        account: id.as_str(),
        to: email.as_str(),
        code: &code,
        change: &hash,
        notify: text(item, attrs::EMAIL),
        created_at: now,
        expires_at: expires,
    };
    transaction.put(message.item(), None);
    Ok(transaction.into())
}

/// The plan that completes `pending` (a change of the account `item` as
/// read) with a right code: the try is counted in the account's window
/// (`budget`), the account takes the address (conditioned on its `version`
/// and on still having this change), the address's marker is claimed for
/// it (claim 0: `claim_update`), the outbox message is deleted and the old
/// address's marker released.
pub fn plan_completion(
    table: &Table,
    id: &AccountId,
    item: &Item,
    budget: &Budget,
    address: &str,
    code_hash: &str,
) -> Plan {
    let mut update = versioned_update(None, item, Timestamp::now());
    budget.count_try(&mut update);
    update.set(&[attrs::EMAIL], AttributeValue::S(address.to_owned()));
    for name in PENDING_FIELDS {
        update.remove(&[name]);
    }
    update.require(Cond::eq_str(attrs::PENDING_CODE, code_hash));
    let new = email_key(&normalized(address));
    let mut transaction = Transaction::new(table, &account_key(id), update);
    transaction
        .claim_with_update(&new, claim_update(id))
        .delete(&outbox_key(id), None);
    if let Some(old) = text(item, attrs::EMAIL).map(|old| email_key(&normalized(old)))
        && old != new
    {
        transaction.release(&owner(id), &old);
    }
    transaction.into()
}

/// The marker update that claims an address for account `id`: it becomes
/// the account's `active` marker if it is [`claimable`] (absent, already
/// the account's, or a legacy `pending` one). An UpdateItem rather than a
/// Put, so that the confirmation needs no `PutItem` permission; it creates
/// the marker when absent.
fn claim_update(id: &AccountId) -> Update {
    let mut claim = Update::new();
    claim
        .set(&[MARKER_OWNER], AttributeValue::S(id.as_str().to_owned()))
        .set(&[MARKER_STATE], AttributeValue::S(ACTIVE.to_owned()))
        .remove(&["expires_at"])
        .require(claimable(id));
    claim
}

/// The plan that drops the pending change whose code hash is `code_hash`
/// (expired, out of tries, or its address taken): its fields leave the
/// account and its outbox message is deleted, conditioned on the account
/// still having that change.
pub fn plan_drop(table: &Table, id: &AccountId, code_hash: &str) -> Plan {
    let mut clear = Update::new();
    for name in PENDING_FIELDS {
        clear.remove(&[name]);
    }
    clear
        .increment(attrs::VERSION, 1)
        .require(Cond::eq_str(attrs::PENDING_CODE, code_hash));
    let mut transaction = Transaction::new(table, &account_key(id), clear);
    transaction.delete(&outbox_key(id), None);
    transaction.into()
}
