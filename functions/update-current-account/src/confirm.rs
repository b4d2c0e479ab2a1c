//! `POST /v1/account/email/confirm`: complete an email change that awaits
//! confirmation, with the code sent to the new address.
//!
//! Body `{"code": "123456"}`. Same auth as PATCH /v1/account (the token's
//! account, or `X-Account-Id` for an admin). 400 when no change is pending,
//! the code expired, the code is wrong (each wrong code is counted; after
//! [`MAX_ATTEMPTS`] the pending change must be requested again), 200 with
//! the account otherwise. One TransactWriteItems: the account takes the
//! address (conditioned on its `version`), the reserved marker becomes
//! `active` (conditioned on being this account's), the old address's marker
//! is released and the outbox message deleted.

use crate::{
    State,
    account::{AccountView, account_key, attrs, email_key, outbox_key, text},
    error::{ApiError, invalid},
    principal::target_account,
    write::{after_update, code_hash, normalized, owner, versioned_update},
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use serde::Deserialize;
use shared::{
    clock::Timestamp,
    http,
    store::{
        Cond, Item, Table, Update,
        claims::{self, Commit},
        optimistic, transact,
    },
};

/// Wrong codes allowed per pending change.
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
        let pending = text(&item, attrs::PENDING_EMAIL)
            .ok_or_else(|| invalid("code", "no email change is awaiting confirmation"))?
            .to_owned();
        check_code(table, id, code, &item).await?;

        let now = Timestamp::now();
        let mut update = versioned_update(None, &item, now);
        let mut after = after_update(None, &item, now);
        update.set(&[attrs::EMAIL], AttributeValue::S(pending.clone()));
        after.insert(attrs::EMAIL.to_owned(), AttributeValue::S(pending.clone()));
        for name in [
            attrs::PENDING_EMAIL,
            attrs::PENDING_CODE,
            attrs::PENDING_EXPIRES_AT,
            attrs::PENDING_ATTEMPTS,
        ] {
            update.remove(&[name]);
            after.remove(name);
        }
        let owner = owner(id);
        let mut activate = Update::new();
        activate
            .set(&["state"], AttributeValue::S("active".to_owned()))
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

/// 400 unless `code` is the pending change's code, unexpired, within the
/// attempt budget. A wrong code is counted (conditioned on the same pending
/// change, so a code cannot be guessed across more than 5 tries).
async fn check_code(table: &Table, id: &str, code: &str, item: &Item) -> Result<(), ApiError> {
    let expired = text(item, attrs::PENDING_EXPIRES_AT)
        .and_then(Timestamp::parse)
        .is_none_or(|expires| expires <= Timestamp::now());
    if expired {
        return Err(invalid(
            "code",
            "the code has expired; request the email change again",
        ));
    }
    let attempts = item
        .get(attrs::PENDING_ATTEMPTS)
        .and_then(|a| a.as_n().ok())
        .and_then(|a| a.parse::<i64>().ok())
        .unwrap_or(0);
    if attempts >= MAX_ATTEMPTS {
        return Err(invalid(
            "code",
            "too many wrong codes; request the email change again",
        ));
    }
    let stored = text(item, attrs::PENDING_CODE).unwrap_or_default();
    if stored == code_hash(id, code) {
        return Ok(());
    }
    let mut count = Update::new();
    count
        .increment(attrs::PENDING_ATTEMPTS, 1)
        .require(Cond::eq_str(attrs::PENDING_CODE, stored));
    match table.update(&account_key(id), count, ReturnValue::None).await {
        Ok(_) | Err(shared::store::StoreError::ConditionFailed { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Err(invalid("code", "the code is not valid"))
}
