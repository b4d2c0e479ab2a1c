//! The confirmation's writes: count the try, then complete the change, or
//! drop it. Each is one driver write ([`shared::store::write::write`]);
//! where the answer is an error *after* a committed write (a wrong code
//! whose try is counted, an expired change that is dropped, an address
//! taken meanwhile), the plan records what it decided and [`confirm`]
//! answers from that once the write has committed.
//!
//! 1. `count_try`: one conditional UpdateItem counts the try on the
//!    change (under [`MAX_TRIES_PER_CHANGE`]) and in the account's window
//!    (under [`crate::store::budget::MAX_TRIES_PER_WINDOW`]) before the
//!    code is compared, so parallel guesses cannot exceed either bound. A
//!    change that expired or used up its tries is dropped instead (400).
//! 2. The code is compared: a wrong one is 400, its try stays counted.
//! 3. `complete`: one TransactWriteItems (see
//!    [`email::plan_completion`]). When another account took the address
//!    meanwhile, the change is dropped (`drop_taken`) and the answer is
//!    409; when another request completed it meanwhile, 200; replaced or
//!    cancelled, 400.

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
pub async fn confirm(table: &Table, id: &AccountId, code: &str) -> Result<Item, ApiError> {
    let counted = count_try(table, id).await?;
    if code_hash(id, code) != counted.code_hash {
        return Err(invalid("code", "the code is not valid"));
    }
    complete(table, id, &counted).await
}

/// The change a counted try was for.
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

/// What the plan of [`count_try`] decided.
#[derive(Debug)]
enum Decision {
    Count(Counted),
    Drop { code_hash: String, why: Dropped },
}

/// Counts one try of the account's pending change, in one conditional
/// write that also bumps its `version`; or drops the change when it
/// expired or used up its tries (then 400). 400 when nothing is pending,
/// 429 past the window's tries, 404 when the account is gone.
async fn count_try(table: &Table, id: &AccountId) -> Result<Counted, ApiError> {
    let mut decided: Option<Decision> = None;
    write(table, &account_key(id), None, |item| -> Result<Plan, ApiError> {
        let item = item.ok_or(Common::NotFound)?;
        let pending = Pending::of(item);
        // A drop planned from an earlier read whose change is gone now:
        // someone else replaced or dropped it; nothing to write.
        if let Some(Decision::Drop { code_hash, why }) = &decided
            && pending.map(|p| p.code_hash) != Some(code_hash.as_str())
        {
            return Err(why.error());
        }
        let pending = pending.ok_or_else(|| invalid("code", "no email change is awaiting confirmation"))?;
        let now = Timestamp::now();
        let dropping = if !pending.is_live(now) {
            Some(Dropped::Expired)
        } else if pending.attempts >= MAX_TRIES_PER_CHANGE {
            Some(Dropped::Exhausted)
        } else {
            None
        };
        if let Some(why) = dropping {
            decided = Some(Decision::Drop {
                code_hash: pending.code_hash.to_owned(),
                why,
            });
            return Ok(email::plan_drop(table, id, pending.code_hash));
        }
        let budget = Budget::of(item, now);
        budget.check_try()?;
        let address = pending
            .email
            .ok_or_else(|| Common::Internal("pending change without an address".to_owned()))?;
        decided = Some(Decision::Count(Counted {
            code_hash: pending.code_hash.to_owned(),
            address: address.to_owned(),
        }));
        Ok(count_update(&budget, pending.code_hash).into())
    })
    .await?;
    match decided {
        Some(Decision::Count(counted)) => Ok(counted),
        Some(Decision::Drop { why, .. }) => Err(why.error()),
        None => Err(Common::Internal("a try was written without a decision".to_owned()).into()),
    }
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

/// Completes the change `counted` (its try counted): the account item
/// after; 409 when another account took the address meanwhile (the change
/// is then dropped); when another request completed or replaced the change
/// meanwhile, the account as it is for the completed address, else 400.
async fn complete(table: &Table, id: &AccountId, counted: &Counted) -> Result<Item, ApiError> {
    let mut completed: Option<Item> = None;
    let written = write(table, &account_key(id), None, |item| -> Result<Plan, ApiError> {
        let item = item.ok_or(Common::NotFound)?;
        if Pending::of(item).is_some_and(|p| p.code_hash == counted.code_hash) {
            return Ok(email::plan_completion(
                table,
                id,
                item,
                &counted.address,
                &counted.code_hash,
            ));
        }
        // The change is no longer pending: done by another request when
        // nothing is pending and the account holds its address.
        let done = Pending::of(item).is_none()
            && text(item, attrs::EMAIL).map(normalized) == Some(normalized(&counted.address));
        if done {
            completed = Some(item.clone());
        }
        Err(invalid(
            "code",
            "this email change was replaced or cancelled meanwhile; use the newest code",
        ))
    })
    .await;
    match written {
        Ok(after) => Ok(after),
        Err(Failure::Taken(_)) => Err(drop_taken(table, id, &counted.code_hash).await),
        Err(failure) => match completed {
            Some(item) => Ok(item),
            None => Err(failure.into()),
        },
    }
}

/// Drops the pending change whose code hash is `code_hash` after its
/// address was taken, and answers 409 `email_exists` (or the store's
/// error). When the account no longer has that change, someone else
/// already replaced or dropped it and nothing is written.
async fn drop_taken(table: &Table, id: &AccountId, code_hash: &str) -> ApiError {
    let dropped = write(table, &account_key(id), None, |item| -> Result<Plan, ApiError> {
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
