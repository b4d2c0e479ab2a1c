//! The confirmation's write: one driver write
//! ([`shared::store::write::write`]) per confirmation, planned from the
//! account as read, so the try is counted exactly once whatever is resent:
//!
//! - a right code: one TransactWriteItems counts the try in the account's
//!   window and completes the change (see [`email::plan_completion`]);
//!   when another account took the address meanwhile, the change is
//!   dropped (`drop_taken`) and the answer is 409;
//! - a wrong code: one UpdateItem counts the try on the change (under
//!   [`MAX_TRIES_PER_CHANGE`]) and in the window (under
//!   [`crate::store::budget::MAX_TRIES_PER_WINDOW`]), then 400;
//! - a change that expired or used up its tries is dropped instead (400).
//!
//! Every plan is conditioned on what it read, so parallel guesses cannot
//! exceed either bound. When another request completed the same change
//! meanwhile (two right codes at once), the account as it is answers 200
//! (with the ETag of that item); replaced or cancelled meanwhile, 400.

use super::{
    account_key,
    budget::{Budget, MAX_TRIES_PER_CHANGE},
    email::{self, Pending, normalized},
    text,
};
use crate::{
    change::code::code_hash,
    error::{ApiError, invalid},
    request::AccountId,
    store::attrs,
};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    Ctx,
    clock::Timestamp,
    error::Common,
    store::{
        Cond, Item, Table, Update,
        write::{Failure, Plan, write},
    },
};

/// Completes account `id`'s pending email change with `code` (already
/// [`crate::change::code::CODE_DIGITS`] digits); returns the account item
/// after (see the module docs for every outcome).
pub async fn confirm(ctx: &Ctx, table: &Table, id: &AccountId, code: &str) -> Result<Item, ApiError> {
    let mut decided: Option<Decision> = None;
    // The change a right code was planned to complete, kept across plans.
    let mut completing: Option<Counted> = None;
    // The account as completed by another request meanwhile.
    let mut done_by_other: Option<Item> = None;
    let key = account_key(id);
    let written = write(ctx, table, &key, None, |item| -> Result<Plan, ApiError> {
        decided = None;
        let item = item.ok_or(Common::NotFound)?;
        let Some(pending) = Pending::of(item) else {
            if let Some(counted) = &completing
                && text(item, attrs::EMAIL).map(normalized) == Some(normalized(&counted.address))
            {
                done_by_other = Some(item.clone());
            }
            return Err(match &completing {
                Some(_) => replaced(),
                None => invalid("code", "no email change is awaiting confirmation"),
            });
        };
        if completing
            .as_ref()
            .is_some_and(|c| c.code_hash != pending.code_hash)
        {
            return Err(replaced());
        }
        let now = Timestamp::now();
        let dropping = if !pending.is_live(now) {
            Some(Dropped::Expired)
        } else if pending.attempts >= MAX_TRIES_PER_CHANGE {
            Some(Dropped::Exhausted)
        } else {
            None
        };
        if let Some(why) = dropping {
            decided = Some(Decision::Drop(why));
            return Ok(email::plan_drop(table, id, pending.code_hash));
        }
        let budget = Budget::of(item, now);
        budget.check_try()?;
        if code_hash(id, code) != pending.code_hash {
            decided = Some(Decision::WrongCode);
            return Ok(count_update(&budget, pending.code_hash).into());
        }
        let address = pending
            .email
            .ok_or_else(|| Common::Internal("pending change without an address".to_owned()))?;
        completing = Some(Counted {
            code_hash: pending.code_hash.to_owned(),
            address: address.to_owned(),
        });
        decided = Some(Decision::Complete);
        Ok(email::plan_completion(
            table,
            id,
            item,
            &budget,
            address,
            pending.code_hash,
        ))
    })
    .await;
    match written {
        Ok(after) => match decided {
            Some(Decision::Complete) => Ok(after),
            Some(Decision::WrongCode) => Err(invalid("code", "the code is not valid")),
            Some(Decision::Drop(why)) => Err(why.error()),
            None => Err(Common::Internal("a confirmation was written without a decision".to_owned()).into()),
        },
        Err(Failure::Taken(_)) => {
            let code_hash = completing.map(|c| c.code_hash).unwrap_or_default();
            Err(drop_taken(ctx, table, id, &code_hash).await)
        }
        Err(failure) => match done_by_other {
            Some(item) => {
                ctx.answer_shows(&item);
                Ok(item)
            }
            None => Err(failure.into()),
        },
    }
}

/// The answer when the change a right code was for is no longer pending.
fn replaced() -> ApiError {
    invalid(
        "code",
        "this email change was replaced or cancelled meanwhile; use the newest code",
    )
}

/// The change a right code completes.
#[derive(Debug, Clone)]
struct Counted {
    /// Its code hash.
    code_hash: String,
    /// Its address.
    address: String,
}

/// Why a change was dropped instead of tried.
#[derive(Debug, Clone, Copy)]
enum Dropped {
    Expired,
    Exhausted,
}

impl Dropped {
    fn error(self) -> ApiError {
        match self {
            Dropped::Expired => invalid("code", "the code has expired; request the email change again"),
            Dropped::Exhausted => invalid("code", "too many wrong codes; request the email change again"),
        }
    }
}

/// What the plan decided, which decides the answer once it committed.
#[derive(Debug, Clone, Copy)]
enum Decision {
    /// The try is counted and the change completed (200).
    Complete,
    /// The try is counted (400).
    WrongCode,
    /// The change is dropped (400).
    Drop(Dropped),
}

/// The update that counts one try of the pending change whose code hash is
/// `code_hash`: on the change (under [`MAX_TRIES_PER_CHANGE`]) and in the
/// account's window (see [`Budget::count_try`]), bumping the `version`.
fn count_update(budget: &Budget, code_hash: &str) -> Update {
    let mut consume = Update::new();
    consume
        .increment(attrs::PENDING_ATTEMPTS, 1)
        .increment(attrs::VERSION, 1)
        .require(Cond::eq_str(attrs::PENDING_CODE, code_hash).and(
            Cond::not_exists(attrs::PENDING_ATTEMPTS).or(Cond::Lt(
                vec![attrs::PENDING_ATTEMPTS.to_owned()],
                AttributeValue::N(MAX_TRIES_PER_CHANGE.to_string()),
            )),
        ));
    budget.count_try(&mut consume);
    consume
}

/// Drops the pending change whose code hash is `code_hash` after its
/// address was taken, and answers 409 `email_exists` (or the store's
/// error). When the account no longer has that change, someone else
/// already replaced or dropped it and nothing is written.
async fn drop_taken(ctx: &Ctx, table: &Table, id: &AccountId, code_hash: &str) -> ApiError {
    let key = account_key(id);
    let dropped = write(ctx, table, &key, None, |item| -> Result<Plan, ApiError> {
        match item.and_then(Pending::of) {
            Some(pending) if pending.code_hash == code_hash => Ok(email::plan_drop(table, id, code_hash)),
            _ => Err(ApiError::EmailExists),
        }
    })
    .await;
    match dropped {
        Ok(_) => ApiError::EmailExists,
        Err(failure) => failure.into(),
    }
}
