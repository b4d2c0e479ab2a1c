//! Reading a secret from a request header.

use lambda_http::Request;

/// The longest secret we accept; anything longer is malformed, not looked up.
const MAX_SECRET_LEN: usize = 512;

/// Why a request carries no usable credential. Both are a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The header is not there.
    #[error("missing credentials")]
    Missing,
    /// The header is there but not in the expected form.
    #[error("malformed credentials")]
    Malformed,
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750: the
/// scheme is case-insensitive; the token is visible ASCII without spaces).
pub fn bearer_token(req: &Request) -> Result<&str, CredentialError> {
    let value = raw(req, "authorization")?;
    let (scheme, token) = value.split_once(' ').ok_or(CredentialError::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(CredentialError::Malformed);
    }
    checked(token.trim_matches(' '))
}

/// A secret sent whole in a header of its own (`x-api-key`, `X-Auth-Token`).
pub fn header_token<'a>(req: &'a Request, name: &str) -> Result<&'a str, CredentialError> {
    checked(raw(req, name)?.trim_matches(' '))
}

fn raw<'a>(req: &'a Request, name: &str) -> Result<&'a str, CredentialError> {
    let value = req.headers().get(name).ok_or(CredentialError::Missing)?;
    value.to_str().map_err(|_| CredentialError::Malformed)
}

fn checked(secret: &str) -> Result<&str, CredentialError> {
    let well_formed =
        !secret.is_empty() && secret.len() <= MAX_SECRET_LEN && secret.bytes().all(|b| b.is_ascii_graphic());
    if well_formed {
        Ok(secret)
    } else {
        Err(CredentialError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, value: &str) -> Request {
        lambda_http::http::Request::builder()
            .header(name, value)
            .body(lambda_http::Body::Empty)
            .unwrap()
    }

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer_token(&req("Authorization", "Bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(&req("authorization", "bearer  abc ")), Ok("abc"));
    }

    #[test]
    fn refuses_malformed_bearer_tokens() {
        let empty = lambda_http::http::Request::builder()
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(bearer_token(&empty), Err(CredentialError::Missing));
        for bad in ["Basic abc", "Bearer", "Bearer ", "Bearer a b", "abc", "Bearer é"] {
            assert_eq!(
                bearer_token(&req("Authorization", bad)),
                Err(CredentialError::Malformed),
                "{bad}"
            );
        }
        let long = format!("Bearer {}", "a".repeat(MAX_SECRET_LEN + 1));
        assert_eq!(
            bearer_token(&req("Authorization", &long)),
            Err(CredentialError::Malformed)
        );
    }

    #[test]
    fn reads_header_tokens() {
        assert_eq!(header_token(&req("x-api-key", "k1"), "x-api-key"), Ok("k1"));
        assert_eq!(
            header_token(&req("x-api-key", ""), "x-api-key"),
            Err(CredentialError::Malformed)
        );
    }

    #[test]
    fn generated_secrets_are_read_from_every_header() {
        let secret = crate::auth::generate_secret();
        assert_eq!(
            header_token(&req("x-api-key", &secret), "x-api-key"),
            Ok(secret.as_str())
        );
        let bearer = format!("Bearer {secret}");
        assert_eq!(bearer_token(&req("Authorization", &bearer)), Ok(secret.as_str()));
    }
}
