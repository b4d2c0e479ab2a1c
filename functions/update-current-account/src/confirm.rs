//! `POST /v1/account/email/confirm`: complete an email change that awaits
//! confirmation, with the code sent to the new address.
//!
//! Body `{"code": "123456"}`. Same auth as PATCH /v1/account (the token's
//! account, or `X-Account-Id` for an admin). 400 when no change is pending,
//! the code expired, or the code is wrong. Each try uses up one of
//! [`MAX_ATTEMPTS`] before the code is compared (atomically, so parallel
//! guesses cannot exceed it); an expired or exhausted change is cancelled
//! and its reservation released. 200 with the account otherwise. One TransactWriteItems: the account takes the
//! address (conditioned on its `version`), the reserved marker becomes
//! `active` (conditioned on being this account's), the old address's marker
//! is released and the outbox message deleted.

use crate::{
    State,
    account::{AccountView, account_key, attrs, email_key, outbox_key, text},
    error::{ApiError, invalid},
    principal::target_account,
    write::{after_update, code_hash, live_pending, normalized, owner, versioned_update},
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

/// Tries allowed per pending change (the right code included).
pub const MAX_ATTEMPTS: i64 = 5;

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
    let body: ConfirmBody = http::parse_json_object(req.body(), http::MAX_BODY_BYTES)?;
    let code = body.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "code",
            "must be the 6-digit code sent to the new address",
        ));
    }
    complete(&state.table, &id, code).await
}

async fn complete(table: &Table, id: &str, code: &str) -> Result<AccountView, ApiError> {
    let key = account_key(id);
    for _ in 0..optimistic::MAX_ATTEMPTS {
        let item = table.get(&key, true).await?.ok_or(ApiError::NotFound)?;
        let stored = text(&item, attrs::PENDING_CODE)
            .ok_or_else(|| invalid("code", "no email change is awaiting confirmation"))?
            .to_owned();
        let now = Timestamp::now();
        if live_pending(&item, now).is_none() {
            cancel(table, id, &item, now).await?;
            return Err(invalid(
                "code",
                "the code has expired; request the email change again",
            ));
        }
        // Every try uses up one attempt before the code is compared, so
        // parallel guesses cannot exceed the budget.
        let Some(item) = use_attempt(table, id, &stored).await? else {
            continue;
        };
        if code_hash(id, code) != stored {
            return Err(invalid("code", "the code is not valid"));
        }
        let pending = text(&item, attrs::PENDING_EMAIL).unwrap_or_default().to_owned();
        let mut update = versioned_update(None, &item, now);
        let mut after = after_update(None, &item, now);
        update.set(&[attrs::EMAIL], AttributeValue::S(pending.clone()));
        after.insert(attrs::EMAIL.to_owned(), AttributeValue::S(pending.clone()));
        for name in PENDING_FIELDS {
            update.remove(&[name]);
            after.remove(name);
        }
        let owner = owner(id, now);
        let mut activate = Update::new();
        activate
            .set(&["state"], AttributeValue::S("active".to_owned()))
            .remove(&["expires_at"])
            .require(owner.owns());
        let mut items = vec![
            transact::update(table.name(), &key, update),
            transact::update(table.name(), &email_key(&normalized(&pending)), activate),
            transact::delete(table.name(), &outbox_key(id), None),
        ];
        if let Some(old) = text(&item, attrs::EMAIL) {
            items.push(owner.release(table.name(), &email_key(&normalized(old))));
        }
        match claims::commit(table, items, &[1]).await? {
            Commit::Committed => return AccountView::from_item(&after),
            Commit::Taken(_) => return Err(ApiError::EmailExists),
            Commit::Missing => return Err(ApiError::NotFound),
            Commit::Changed => continue,
        }
    }
    Err(ApiError::Contention)
}

const PENDING_FIELDS: [&str; 4] = [
    attrs::PENDING_EMAIL,
    attrs::PENDING_CODE,
    attrs::PENDING_EXPIRES_AT,
    attrs::PENDING_ATTEMPTS,
];

/// Uses up one attempt of the pending change whose code hash is `stored`:
/// `Ok(Some(item after))`, `Ok(None)` when the pending change was replaced
/// meanwhile (retry), or 400 when the attempts are used up (the change is
/// then cancelled).
async fn use_attempt(table: &Table, id: &str, stored: &str) -> Result<Option<Item>, ApiError> {
    let mut consume = Update::new();
    consume
        .increment(attrs::PENDING_ATTEMPTS, 1)
        .require(Cond::eq_str(attrs::PENDING_CODE, stored).and(
            Cond::not_exists(attrs::PENDING_ATTEMPTS).or(Cond::Lt(
                vec![attrs::PENDING_ATTEMPTS.to_owned()],
                AttributeValue::N(MAX_ATTEMPTS.to_string()),
            )),
        ));
    match table.update(&account_key(id), consume, ReturnValue::AllNew).await {
        Ok(item) => Ok(item),
        Err(StoreError::ConditionFailed { item: Some(item) })
            if text(&item, attrs::PENDING_CODE) == Some(stored) =>
        {
            cancel(table, id, &item, Timestamp::now()).await?;
            Err(invalid(
                "code",
                "too many wrong codes; request the email change again",
            ))
        }
        Err(StoreError::ConditionFailed { item: Some(_) }) => Ok(None),
        Err(StoreError::ConditionFailed { item: None }) => Err(ApiError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// Cancels an expired or exhausted pending change: clears it from the
/// account and releases its reservation when it is still this account's.
/// Best effort: if the account changed meanwhile, the next request sees it.
async fn cancel(table: &Table, id: &str, item: &Item, now: Timestamp) -> Result<(), ApiError> {
    let Some(stored) = text(item, attrs::PENDING_CODE) else {
        return Ok(());
    };
    let mut clear = Update::new();
    for name in PENDING_FIELDS {
        clear.remove(&[name]);
    }
    clear.require(Cond::eq_str(attrs::PENDING_CODE, stored));
    let mut items = vec![transact::update(table.name(), &account_key(id), clear)];
    if let Some(pending) = text(item, attrs::PENDING_EMAIL) {
        let marker = email_key(&normalized(pending));
        items.push(transact::delete(
            table.name(),
            &marker,
            Some(owner(id, now).owns()),
        ));
    }
    if let Err(StoreError::TransactionCanceled { reasons }) = table.transact(items.clone()).await {
        // The reservation was taken over after it expired: clear the account only.
        if reasons.get(1).is_some_and(|r| r.condition_failed()) {
            let _ = table.transact(items.into_iter().take(1).collect()).await;
        }
    }
    Ok(())
}
