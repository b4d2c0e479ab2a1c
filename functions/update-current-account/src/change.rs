//! The rules of both routes' bodies: a PATCH body becomes a [`Change`], a
//! confirmation body a code ([`code`]). Every limit is a named constant
//! beside the rule that uses it (the verification budget's are in
//! [`crate::store::budget`], where the write enforces them).

pub mod code;

use crate::{
    error::{ApiError, invalid},
    request::{ConfirmBody, PatchBody},
};
use serde_json::Value;
use shared::{
    patch::MapMerge,
    validate::{BoundedText, EmailAddress, is_currency, is_iana_timezone, is_language_tag},
};

/// Fewest characters in an account name.
pub const MIN_NAME_CHARS: usize = 1;

/// Most characters in an account name.
pub const MAX_NAME_CHARS: usize = 255;

/// An account name: [`MIN_NAME_CHARS`]-[`MAX_NAME_CHARS`] characters, not blank.
pub type AccountName = BoundedText<MIN_NAME_CHARS, MAX_NAME_CHARS>;

/// A validated change: at least one field, each valid.
#[derive(Debug)]
pub struct Change {
    /// New name.
    pub name: Option<AccountName>,
    /// New email (valid, at most 254 characters: [`EmailAddress`]).
    pub email: Option<EmailAddress>,
    /// Settings to set and remove.
    pub settings: MapMerge<String>,
}

impl Change {
    /// Validates a PATCH body: at least one of `name`, `email`,
    /// `settings`; none of them `null`; `settings` keys only `currency`
    /// (ISO 4217, e.g. `EUR`), `timezone` (IANA, e.g. `Europe/Berlin`) and
    /// `language` (ISO 639-1 or BCP 47, e.g. `de`, `pt-BR`), each a string or
    /// `null` to remove it.
    pub fn validate(wire: PatchBody) -> Result<Self, ApiError> {
        if wire.name.is_absent() && wire.email.is_absent() && wire.settings.is_absent() {
            return Err(invalid("body", "include at least one of name, email or settings"));
        }
        let name = wire
            .name
            .non_null()
            .map_err(|e| invalid("name", e))?
            .map(|n| AccountName::parse(n).map_err(|e| invalid("name", e)))
            .transpose()?;
        let email = wire
            .email
            .non_null()
            .map_err(|e| invalid("email", e))?
            .map(|e| EmailAddress::parse(&e).map_err(|err| invalid("email", err)))
            .transpose()?;
        let settings = wire
            .settings
            .non_null()
            .map_err(|e| invalid("settings", e))?
            .unwrap_or_default();
        let settings = MapMerge::from_object(settings).try_map_values(setting)?;
        for key in &settings.remove {
            setting_rule(key)?;
        }
        Ok(Change {
            name,
            email,
            settings,
        })
    }
}

/// The code of a confirmation body, without the spaces and hyphens people
/// type: 400 unless it is [`code::CODE_DIGITS`] digits.
pub fn confirmation_code(wire: ConfirmBody) -> Result<String, ApiError> {
    code::parse_code(&wire.code).ok_or_else(|| {
        invalid(
            "code",
            format!(
                "must be the {}-digit code sent to the new address",
                code::CODE_DIGITS
            ),
        )
    })
}

/// How a setting's value is checked, and what to tell a client that fails it.
type SettingRule = (fn(&str) -> bool, &'static str);

/// The rule for a settings key; 400 for any other key.
fn setting_rule(key: &str) -> Result<SettingRule, ApiError> {
    Ok(match key {
        "currency" => (is_currency, "must be an ISO 4217 currency code such as EUR"),
        "timezone" => (
            is_iana_timezone,
            "must be an IANA time zone such as Europe/Berlin",
        ),
        "language" => (
            is_language_tag,
            "must be an ISO 639-1 code or BCP 47 tag such as de or pt-BR",
        ),
        _ => {
            return Err(invalid(
                format!("settings.{key}"),
                "is not a setting; use currency, timezone or language",
            ));
        }
    })
}

/// Checks one setting's value.
fn setting(key: &str, value: Value) -> Result<String, ApiError> {
    let (check, hint) = setting_rule(key)?;
    match value {
        Value::String(text) if check(&text) => Ok(text),
        _ => Err(invalid(format!("settings.{key}"), hint)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Change, ApiError> {
        let wire: PatchBody = shared::http::parse_json_object(
            &lambda_http::Body::from(v.to_string()),
            shared::http::MAX_BODY_BYTES,
        )?;
        Change::validate(wire)
    }

    fn field(e: ApiError) -> String {
        match e {
            ApiError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn accepts_the_contract_example() {
        let c = parse(json!({"name": "Acme Corp.", "email": "new_email@example.com",
                             "settings": {"currency": "EUR", "timezone": "Europe/Berlin", "language": "de"}}))
        .unwrap();
        assert_eq!(c.settings.set.len(), 3);
        assert_eq!(c.email.unwrap().as_str(), "new_email@example.com");
    }

    #[test]
    fn refuses_bad_settings_and_nulls() {
        assert_eq!(
            field(parse(json!({"settings": {"timezone": "Invalid/Timezone"}})).unwrap_err()),
            "settings.timezone"
        );
        assert_eq!(
            field(parse(json!({"settings": {"currency": "eur"}})).unwrap_err()),
            "settings.currency"
        );
        assert_eq!(
            field(parse(json!({"settings": {"language": "xx"}})).unwrap_err()),
            "settings.language"
        );
        assert_eq!(
            field(parse(json!({"settings": {"theme": "dark"}})).unwrap_err()),
            "settings.theme"
        );
        assert_eq!(
            field(parse(json!({"settings": {"theme": null}})).unwrap_err()),
            "settings.theme"
        );
        assert_eq!(
            field(parse(json!({"settings": {"currency": 5}})).unwrap_err()),
            "settings.currency"
        );
        assert_eq!(field(parse(json!({"name": null})).unwrap_err()), "name");
        assert_eq!(field(parse(json!({"email": null})).unwrap_err()), "email");
        assert_eq!(field(parse(json!({"settings": null})).unwrap_err()), "settings");
        assert_eq!(field(parse(json!({})).unwrap_err()), "body");
        assert!(parse(json!({"settings": {"currency": null}})).is_ok());
        assert!(parse(json!({"settings": {"timezone": "Etc/GMT+5", "language": "pt-BR"}})).is_ok());
    }
}
