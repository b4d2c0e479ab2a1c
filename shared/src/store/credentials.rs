//! The credentials of a function's role, from the environment Lambda sets
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
//!
//! The one credentials source a Lambda function needs, written here rather
//! than taken from `aws-config`: its environment provider is all we used
//! of it, and the crate links the whole default chain's clients (STS, SSO,
//! SSO OIDC) into the build (BENCHMARKS.md has what leaving it gained).
//! Running a function binary by hand against AWS with a named profile
//! means exporting its credentials first
//! (`eval "$(aws configure export-credentials --format env)"`).

use aws_credential_types::{
    Credentials,
    provider::{self, ProvideCredentials, error::CredentialsError, future},
};

/// Reads the credentials from the environment at each call (the SDK caches
/// what it gets). Missing or blank key variables are "not loaded".
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvCredentials;

/// The provider name the SDK reports for these credentials.
const PROVIDER_NAME: &str = "EnvironmentVariable";

impl EnvCredentials {
    fn credentials(lookup: impl Fn(&str) -> Option<String>) -> provider::Result {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let access_key = var("AWS_ACCESS_KEY_ID")
            .ok_or_else(|| CredentialsError::not_loaded("AWS_ACCESS_KEY_ID is not set"))?;
        let secret_key = var("AWS_SECRET_ACCESS_KEY")
            .ok_or_else(|| CredentialsError::not_loaded("AWS_SECRET_ACCESS_KEY is not set"))?;
        let token = var("AWS_SESSION_TOKEN").map(|t| t.trim().to_owned());
        Ok(Credentials::new(
            access_key,
            secret_key,
            token,
            None,
            PROVIDER_NAME,
        ))
    }
}

impl ProvideCredentials for EnvCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Self::credentials(|name| std::env::var(name).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> provider::Result {
        EnvCredentials::credentials(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn reads_the_roles_variables() {
        let creds = from(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
        ])
        .unwrap();
        assert_eq!(creds.access_key_id(), "AKID");
        assert_eq!(creds.secret_access_key(), "secret");
        assert_eq!(creds.session_token(), Some("token"));
        let without_token =
            from(&[("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret")]).unwrap();
        assert_eq!(without_token.session_token(), None);
    }

    #[test]
    fn missing_or_blank_keys_are_not_loaded() {
        for vars in [
            &[("AWS_SECRET_ACCESS_KEY", "secret")][..],
            &[("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", " ")][..],
        ] {
            assert!(matches!(
                from(vars),
                Err(CredentialsError::CredentialsNotLoaded(_))
            ));
        }
    }
}
