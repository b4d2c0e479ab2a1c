//! A linked prospect, as the contract shows it.

use serde::{Deserialize, Serialize};

/// A prospect as the contract shows it, and as its item stores it (the
/// attributes carry the contract's names). Contact fields a prospect lacks
/// are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prospect {
    /// Prospect id.
    pub prospect_id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Email domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// URL slug.
    #[serde(default)]
    pub slug: Option<String>,
    /// Phone number (E.164).
    #[serde(default)]
    pub phone_number: Option<String>,
    /// LinkedIn profile URL.
    #[serde(default)]
    pub linkedin_profile_url: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}
