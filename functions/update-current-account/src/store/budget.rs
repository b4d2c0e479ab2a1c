//! An account's email-verification budget: how many codes it may be sent
//! and how many it may try, per window of [`WINDOW_SECONDS`].
//!
//! The window is fixed and starts with the first code sent or tried after
//! the previous window ended; it is kept on the account item
//! (`verify_window_started_at`, `verify_codes_sent`, `verify_tries`). Within
//! one window an account gets at most [`MAX_CODES_PER_WINDOW`] codes and at
//! most [`MAX_TRIES_PER_WINDOW`] tries in total, however they are spread
//! over pending changes: requesting a new code (for the same address or
//! another) starts a new pending change but not a new budget. Past either
//! bound the answer is 429 with `Retry-After`, the seconds until the window
//! ends. A request for a code is also refused once the tries are used up (a
//! code that cannot be tried is not worth a mail).
//!
//! The counters are part of the conditional write that sends the code or
//! uses the try: [`Budget::count_code`] and [`Budget::count_try`] add both
//! the counter update and the condition that the window is the one that was
//! read and still under its bound, so concurrent requests cannot exceed the
//! bounds; a failed condition is a re-read.

use super::{attrs, text};
use crate::error::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    clock::Timestamp,
    store::{Cond, Item, Update},
};

/// Length of a verification window.
pub const WINDOW_SECONDS: i64 = 24 * 60 * 60;

/// Tries per pending change (the right code included). A pending change
/// that replaces a live one keeps its count; at this bound the change is
/// cancelled (400) and a new one must be requested, within the budget.
pub const MAX_TRIES_PER_CHANGE: i64 = 5;

/// Codes an account may be sent per window.
pub const MAX_CODES_PER_WINDOW: i64 = 3;

/// Codes an account may try per window, wrong or right.
///
/// Every try is counted before its code is compared (that is what keeps
/// parallel guesses inside the bound), so the right code uses one too.
pub const MAX_TRIES_PER_WINDOW: i64 = 5;

/// The budget of an account item at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// The start of the window in progress, if one is.
    window: Option<Timestamp>,
    /// The stored start, as stored (for the condition on it).
    stored_start: Option<AttributeValue>,
    codes: i64,
    tries: i64,
    now: Timestamp,
}

fn count(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

impl Budget {
    /// The budget `item` records, as of `now`: a window that has ended
    /// counts as none.
    pub fn of(item: &Item, now: Timestamp) -> Self {
        let window = text(item, attrs::VERIFY_WINDOW_STARTED_AT)
            .and_then(Timestamp::parse)
            .filter(|start| start.plus_seconds(WINDOW_SECONDS) > now);
        let (codes, tries) = match window {
            Some(_) => (
                count(item, attrs::VERIFY_CODES_SENT),
                count(item, attrs::VERIFY_TRIES),
            ),
            None => (0, 0),
        };
        Budget {
            window,
            stored_start: item.get(attrs::VERIFY_WINDOW_STARTED_AT).cloned(),
            codes,
            tries,
            now,
        }
    }

    /// Whole seconds until the window ends (at least 1).
    pub fn retry_after(&self) -> u64 {
        let Some(start) = self.window else {
            return 1;
        };
        let end = start.plus_seconds(WINDOW_SECONDS);
        let mut seconds = (end.unix_seconds() - self.now.unix_seconds()).max(1);
        if self.now.plus_seconds(seconds) < end {
            seconds += 1;
        }
        u64::try_from(seconds).unwrap_or(1)
    }

    fn limited(&self, message: &'static str) -> ApiError {
        ApiError::RateLimited {
            message,
            retry_after: self.retry_after(),
        }
    }

    /// Ok when another code may be sent; else 429.
    pub fn check_code(&self) -> Result<(), ApiError> {
        if self.codes >= MAX_CODES_PER_WINDOW {
            return Err(self.limited("too many confirmation codes requested for this account; retry later"));
        }
        self.check_try()
    }

    /// Ok when another code may be tried; else 429.
    pub fn check_try(&self) -> Result<(), ApiError> {
        if self.tries >= MAX_TRIES_PER_WINDOW {
            return Err(self.limited("too many confirmation codes tried for this account; retry later"));
        }
        Ok(())
    }

    /// Adds "one more code sent" to `update`, conditioned on the window
    /// being the one read and both counters being under their bounds.
    pub fn count_code(&self, update: &mut Update) {
        match self.window {
            Some(_) => {
                update.increment(attrs::VERIFY_CODES_SENT, 1).require(
                    self.same_window()
                        .and(under(attrs::VERIFY_CODES_SENT, MAX_CODES_PER_WINDOW))
                        .and(under(attrs::VERIFY_TRIES, MAX_TRIES_PER_WINDOW)),
                );
            }
            None => self.start_window(update, 1, 0),
        }
    }

    /// Adds "one more code tried" to `update`, conditioned on the window
    /// being the one read and the tries being under their bound.
    pub fn count_try(&self, update: &mut Update) {
        match self.window {
            Some(_) => {
                update.increment(attrs::VERIFY_TRIES, 1).require(
                    self.same_window()
                        .and(under(attrs::VERIFY_TRIES, MAX_TRIES_PER_WINDOW)),
                );
            }
            None => self.start_window(update, 0, 1),
        }
    }

    /// A new window from now with the given counts, conditioned on the
    /// stored start being the one read (so two requests cannot both start one).
    fn start_window(&self, update: &mut Update, codes: i64, tries: i64) {
        let n = |v: i64| AttributeValue::N(v.to_string());
        update
            .set(
                &[attrs::VERIFY_WINDOW_STARTED_AT],
                AttributeValue::S(self.now.to_string()),
            )
            .set(&[attrs::VERIFY_CODES_SENT], n(codes))
            .set(&[attrs::VERIFY_TRIES], n(tries))
            .require(self.same_window());
    }

    fn same_window(&self) -> Cond {
        match &self.stored_start {
            Some(start) => Cond::eq(attrs::VERIFY_WINDOW_STARTED_AT, start.clone()),
            None => Cond::not_exists(attrs::VERIFY_WINDOW_STARTED_AT),
        }
    }
}

/// `name < max` (a missing counter is zero).
fn under(name: &str, max: i64) -> Cond {
    Cond::not_exists(name).or(Cond::Lt(
        vec![name.to_owned()],
        AttributeValue::N(max.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(start: &str, codes: i64, tries: i64) -> Item {
        Item::from([
            (
                attrs::VERIFY_WINDOW_STARTED_AT.to_owned(),
                AttributeValue::S(start.to_owned()),
            ),
            (
                attrs::VERIFY_CODES_SENT.to_owned(),
                AttributeValue::N(codes.to_string()),
            ),
            (
                attrs::VERIFY_TRIES.to_owned(),
                AttributeValue::N(tries.to_string()),
            ),
        ])
    }

    #[test]
    fn a_live_window_counts_and_limits() {
        let start = Timestamp::parse("2025-01-01T00:00:00.500Z").unwrap();
        let now = start.plus_seconds(3600);
        let b = Budget::of(&item(&start.to_string(), 3, 0), now);
        let Err(ApiError::RateLimited { retry_after, .. }) = b.check_code() else {
            panic!("expected 429");
        };
        assert_eq!(retry_after, (WINDOW_SECONDS - 3600) as u64);
        assert!(b.check_try().is_ok());
        let b = Budget::of(&item(&start.to_string(), 1, 5), now);
        assert!(b.check_try().is_err() && b.check_code().is_err());
        assert!(
            Budget::of(&item(&start.to_string(), 2, 4), now)
                .check_code()
                .is_ok()
        );
    }

    #[test]
    fn an_ended_window_is_a_fresh_budget() {
        let start = Timestamp::parse("2025-01-01T00:00:00.000Z").unwrap();
        let b = Budget::of(
            &item(&start.to_string(), 3, 5),
            start.plus_seconds(WINDOW_SECONDS),
        );
        assert!(b.check_code().is_ok() && b.check_try().is_ok());
        assert!(Budget::of(&Item::new(), start).check_code().is_ok());
    }

    #[test]
    fn retry_after_rounds_up_to_the_end_of_the_window() {
        let start = Timestamp::parse("2025-01-01T00:00:00.900Z").unwrap();
        let now = Timestamp::parse("2025-01-01T00:00:10.100Z").unwrap();
        let b = Budget::of(&item(&start.to_string(), 3, 0), now);
        // The window ends 86,390.8 s after `now`.
        assert_eq!(b.retry_after(), (WINDOW_SECONDS - 9) as u64);
    }
}
