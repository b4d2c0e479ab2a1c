//! `POST /v1/account/email/confirm`: complete an email change that awaits
//! confirmation, with the code sent to the new address.
//!
//! Body `{"code": "0123456789"}`: the [`CODE_DIGITS`]-digit code (spaces
//! and hyphens are ignored). Same auth as PATCH /v1/account (the token's
//! account, or `X-Account-Id` for an admin). Outcomes:
//!
//! - 400 `invalid_request` when no change is pending, the code is not
//!   [`CODE_DIGITS`] digits, or it is wrong; also when the change expired or
//!   used up its [`MAX_TRIES_PER_CHANGE`] tries, and then the change is
//!   cancelled (pending fields and outbox message removed);
//! - 429 `too_many_requests` with `Retry-After` when the account has tried
//!   [`crate::budget::MAX_TRIES_PER_WINDOW`] codes in the current window (the change stays
//!   pending; see [`crate::budget`]);
//! - 409 `email_exists` when another account took the address after the
//!   change was requested (a pending address reserves nothing): the pending
//!   change is dropped (pending fields and outbox message removed in one
//!   transaction, conditioned on it still being that change), nothing else
//!   changes;
//! - 200 with the account otherwise; a repeated confirmation of a change
//!   that just completed answers 200 too.
//!
//! Every try is counted, on the change and in the account's window, by one
//! conditional UpdateItem before the code is compared, so parallel guesses
//! cannot exceed either bound. The right code then commits one
//! TransactWriteItems: the account takes the address (conditioned on its
//! `version`), the address's marker is claimed for it (`attribute_not_exists`
//! or already the account's; a conditional UpdateItem), the old address's
//! marker is released and the outbox message deleted.

use crate::{
    State,
    account::{AccountView, MARKER_OWNER, account_key, attrs, email_key, outbox_key, text},
    budget::{Budget, MAX_TRIES_PER_CHANGE},
    code::{CODE_DIGITS, code_hash, parse_code},
    error::{ApiError, invalid},
    principal::target_account,
    write::{
        ACTIVE, after_update, claimable, live_pending, normalized, owner, pending_attempts, versioned_update,
    },
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use serde::Deserialize;
use shared::{
    clock::Timestamp,
    http,
    store::{
        Cond, Item, StoreError, Table, Update,
        claims::{self, Commit},
        optimistic, transact,
    },
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    code: String,
}

/// Handles one confirmation request.
pub async fn handle_confirm(state: &State, req: Request) -> Response<Body> {
    let request_id = http::request_id(&req);
    match confirm(state, &req).await {
        Ok(account) => http::success(StatusCode::OK, &account, &request_id),
        Err(e) => e.into_response(&request_id, "POST"),
    }
}

async fn confirm(state: &State, req: &Request) -> Result<AccountView, ApiError> {
    if req.method() != Method::POST {
        return Err(ApiError::MethodNotAllowed);
    }
    let id = target_account(state, req).await?;
    let body: ConfirmBody = http::parse_json_object(http::json_body(req)?, http::MAX_BODY_BYTES)?;
    let code = parse_code(&body.code).ok_or_else(|| {
        invalid(
            "code",
            format!("must be the {CODE_DIGITS}-digit code sent to the new address"),
        )
    })?;
    complete(&state.table, &id, &code).await
}

async fn complete(table: &Table, id: &str, code: &str) -> Result<AccountView, ApiError> {
    let key = account_key(id);
    for _ in 0..optimistic::MAX_ATTEMPTS {
        let item = table.get(&key, true).await?.ok_or(ApiError::NotFound)?;
        let now = Timestamp::now();
        let stored = text(&item, attrs::PENDING_CODE)
            .ok_or_else(|| invalid("code", "no email change is awaiting confirmation"))?
            .to_owned();
        if live_pending(&item, now).is_none() {
            drop_pending(table, id, &stored).await?;
            return Err(invalid(
                "code",
                "the code has expired; request the email change again",
            ));
        }
        if pending_attempts(&item) >= MAX_TRIES_PER_CHANGE {
            drop_pending(table, id, &stored).await?;
            return Err(invalid(
                "code",
                "too many wrong codes; request the email change again",
            ));
        }
        let budget = Budget::of(&item, now);
        budget.check_try()?;
        let Some(item) = use_try(table, id, &stored, &budget).await? else {
            continue;
        };
        if code_hash(id, code) != stored {
            return Err(invalid("code", "the code is not valid"));
        }
        return finish(table, id, item, &stored).await;
    }
    Err(ApiError::Contention)
}

/// The account's pending-change attributes.
const PENDING_FIELDS: [&str; 4] = [
    attrs::PENDING_EMAIL,
    attrs::PENDING_CODE,
    attrs::PENDING_EXPIRES_AT,
    attrs::PENDING_ATTEMPTS,
];

/// Counts one try of the pending change whose code hash is `stored`, on
/// the change (under [`MAX_TRIES_PER_CHANGE`]) and in the account's window
/// (under [`crate::budget::MAX_TRIES_PER_WINDOW`]), in one conditional write that also
/// bumps the account's `version`: `Ok(Some(item after))`, or `Ok(None)`
/// when the account changed since `budget` was read (read again).
async fn use_try(table: &Table, id: &str, stored: &str, budget: &Budget) -> Result<Option<Item>, ApiError> {
    let mut consume = Update::new();
    consume
        .increment(attrs::PENDING_ATTEMPTS, 1)
        .increment(attrs::VERSION, 1)
        .require(Cond::eq_str(attrs::PENDING_CODE, stored).and(
            Cond::not_exists(attrs::PENDING_ATTEMPTS).or(Cond::Lt(
                vec![attrs::PENDING_ATTEMPTS.to_owned()],
                AttributeValue::N(MAX_TRIES_PER_CHANGE.to_string()),
            )),
        ));
    budget.count_try(&mut consume);
    match table.update(&account_key(id), consume, ReturnValue::AllNew).await {
        Ok(item) => Ok(item),
        Err(StoreError::ConditionFailed { item: Some(_) }) => Ok(None),
        Err(StoreError::ConditionFailed { item: None }) => Err(ApiError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Completes the change of `item` (read after its try was counted) whose
/// code hash is `stored`: 200, 409 (the change is then dropped), or, when
/// another request completed or replaced the change meanwhile, 200 for the
/// completed address or 400.
async fn finish(table: &Table, id: &str, mut item: Item, stored: &str) -> Result<AccountView, ApiError> {
    let key = account_key(id);
    let pending = text(&item, attrs::PENDING_EMAIL)
        .ok_or_else(|| ApiError::Internal("pending change without an address".to_owned()))?
        .to_owned();
    let new = email_key(&normalized(&pending));
    let owner = owner(id);
    for _ in 0..optimistic::MAX_ATTEMPTS {
        let now = Timestamp::now();
        let mut update = versioned_update(None, &item, now);
        let mut after = after_update(None, &item, now);
        update.set(&[attrs::EMAIL], AttributeValue::S(pending.clone()));
        after.insert(attrs::EMAIL.to_owned(), AttributeValue::S(pending.clone()));
        for name in PENDING_FIELDS {
            update.remove(&[name]);
            after.remove(name);
        }
        update.require(Cond::eq_str(attrs::PENDING_CODE, stored));
        let mut items = vec![
            transact::update(table.name(), &key, update),
            transact::update(table.name(), &new, claim_update(id)),
            transact::delete(table.name(), &outbox_key(id), None),
        ];
        if let Some(old) = text(&item, attrs::EMAIL).map(|old| email_key(&normalized(old)))
            && old != new
        {
            items.push(owner.release(table.name(), &old));
        }
        match claims::commit(table, items, &[1]).await? {
            Commit::Committed => return AccountView::from_item(&after),
            Commit::Taken(_) => {
                drop_pending(table, id, stored).await?;
                return Err(ApiError::EmailExists);
            }
            Commit::Missing => return Err(ApiError::NotFound),
            Commit::Changed => {
                item = table.get(&key, true).await?.ok_or(ApiError::NotFound)?;
                if text(&item, attrs::PENDING_CODE) == Some(stored) {
                    continue;
                }
                let done = text(&item, attrs::PENDING_CODE).is_none()
                    && text(&item, attrs::EMAIL).map(normalized) == Some(normalized(&pending));
                if done {
                    return AccountView::from_item(&item);
                }
                return Err(invalid(
                    "code",
                    "this email change was replaced or cancelled meanwhile; use the newest code",
                ));
            }
        }
    }
    Err(ApiError::Contention)
}

/// The marker update that claims an address for account `id`: it becomes
/// the account's `active` marker if it is [`claimable`] (absent, already
/// the account's, or a legacy `pending` one). An UpdateItem rather than a
/// Put, so that this function needs no `PutItem` permission; it creates the
/// marker when absent.
fn claim_update(id: &str) -> Update {
    let mut claim = Update::new();
    claim
        .set(&[MARKER_OWNER], AttributeValue::S(id.to_owned()))
        .set(&["state"], AttributeValue::S(ACTIVE.to_owned()))
        .remove(&["expires_at"])
        .require(claimable(id));
    claim
}

/// Drops the pending change whose code hash is `stored` (expired, out of
/// tries, or its address taken): removes its fields from the account and
/// its outbox message, in one transaction conditioned on the account still
/// having that change; if it has not, someone else already replaced or
/// dropped it and nothing is written.
async fn drop_pending(table: &Table, id: &str, stored: &str) -> Result<(), ApiError> {
    let mut clear = Update::new();
    for name in PENDING_FIELDS {
        clear.remove(&[name]);
    }
    clear
        .increment(attrs::VERSION, 1)
        .require(Cond::eq_str(attrs::PENDING_CODE, stored));
    let items = vec![
        transact::update(table.name(), &account_key(id), clear),
        transact::delete(table.name(), &outbox_key(id), None),
    ];
    for _ in 0..optimistic::MAX_ATTEMPTS {
        match table.transact(items.clone()).await {
            Ok(()) => return Ok(()),
            // The account no longer has this change: nothing to drop.
            Err(StoreError::TransactionCanceled { reasons })
                if reasons.first().is_some_and(|r| r.condition_failed()) =>
            {
                return Ok(());
            }
            // A transaction conflict: try again.
            Err(StoreError::TransactionCanceled { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Contention)
}
