//! The 200 view of what a write left.

use super::Written;
use crate::response::AccountResponse;

impl AccountResponse {
    /// The view of what the write left: the account after the rename and
    /// the prospects listed, truncated as the query found them.
    pub fn new(written: Written) -> Self {
        AccountResponse {
            account: written.account,
            linked_prospects: written.prospects.prospects,
            linked_prospects_truncated: written.prospects.truncated,
        }
    }
}
