//! What the suites' requests are made of and what they answer: the
//! [`Route`] they go to, the [`Credential`] they carry, and the [`Codes`]
//! of the endpoint's refusals.

/// Where a request of the endpoint's method goes: the path, and the path
/// parameters API Gateway would pass.
pub struct Route {
    /// The raw path, ids filled in.
    pub path: &'static str,
    /// The path parameters API Gateway extracts from `path`.
    pub params: &'static [(&'static str, &'static str)],
}

/// How a caller presents its secret.
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(&'static str),
    /// The secret as the whole value of a header of its own: the header's
    /// name, then the secret (`x-api-key`).
    Header(&'static str, &'static str),
}

impl Credential {
    /// The secret it presents.
    pub fn secret(&self) -> &'static str {
        match self {
            Credential::Bearer(secret) | Credential::Header(_, secret) => secret,
        }
    }

    /// The same kind of credential, presenting `secret`.
    pub fn with_secret(&self, secret: &'static str) -> Credential {
        match self {
            Credential::Bearer(_) => Credential::Bearer(secret),
            Credential::Header(name, _) => Credential::Header(name, secret),
        }
    }

    /// The header that carries the credential: its name and value.
    pub fn header(&self) -> (&'static str, String) {
        match self {
            Credential::Bearer(token) => ("authorization", format!("Bearer {token}")),
            Credential::Header(name, secret) => (name, (*secret).to_owned()),
        }
    }
}

/// The error codes of the endpoint's refusals by the frame every endpoint
/// shares (`shared::endpoint::respond`).
pub struct Codes {
    /// A failed precondition (412).
    pub precondition: &'static str,
    /// A malformed `If-Match`, `If-None-Match` or `Idempotency-Key` (400).
    pub header: &'static str,
    /// An `Idempotency-Key` reused with another request (422).
    pub reused: &'static str,
}

impl Codes {
    /// The codes of the envelopes that name each of these refusals in
    /// snake case after what failed: `precondition_failed`,
    /// `invalid_header`, and `idempotency_key_reused`
    /// (`shared::error::Refusal::code`).
    pub const SNAKE_CASE: Codes = Codes {
        precondition: "precondition_failed",
        header: "invalid_header",
        reused: "idempotency_key_reused",
    };
}
