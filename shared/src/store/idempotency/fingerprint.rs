//! What makes two requests with one key "the same request": every input
//! that can change what the request does.

use lambda_http::{Request, RequestExt};
use sha2::{Digest, Sha256};

/// The headers that select a request's effect beside its method, path,
/// query and body: the media type, the target account an admin names
/// (contract 003's `X-Account-Id`), and the preconditions. Their values are
/// taken as sent, so a header spelled differently is another request.
const SELECTING_HEADERS: [&str; 4] = ["content-type", "x-account-id", "if-match", "if-none-match"];

/// The request's fingerprint: SHA-256 (hex) of its method, path, query
/// parameters (every name and value, by name), body bytes and
/// the selecting headers (`Content-Type`, `X-Account-Id`, `If-Match`,
/// `If-None-Match`, as sent), each part length-prefixed so
/// that no two different requests share an encoding. Two requests with one
/// key and different fingerprints: the second is refused (422).
pub fn fingerprint(req: &Request) -> String {
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    part(req.method().as_str().as_bytes());
    part(req.uri().path().as_bytes());
    // Every (name, value) pair, by name; a name's values keep their order.
    let mut query: Vec<(&str, &str)> = req
        .query_string_parameters_ref()
        .map(|params| params.iter().collect())
        .unwrap_or_default();
    query.sort_by_key(|(name, _)| *name);
    part(&(query.len() as u64).to_be_bytes());
    for (name, value) in query {
        part(name.as_bytes());
        part(value.as_bytes());
    }
    part(req.body().as_ref());
    for name in SELECTING_HEADERS {
        let values: Vec<_> = req.headers().get_all(name).iter().collect();
        part(&(values.len() as u64).to_be_bytes());
        for value in values {
            part(value.as_bytes());
        }
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;
    use lambda_http::aws_lambda_events::query_map::QueryMap;
    use std::collections::HashMap;

    fn req(headers: &[(&str, &str)], query: &[(&str, &str)], body: &str) -> Request {
        let mut builder = lambda_http::http::Request::builder()
            .method("PATCH")
            .uri("/v1/account");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let query: HashMap<String, String> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        builder
            .body(Body::Text(body.to_owned()))
            .unwrap()
            .with_query_string_parameters(QueryMap::from(query))
    }

    #[test]
    fn every_input_that_selects_the_effect_changes_the_fingerprint() {
        let base = fingerprint(&req(&[("content-type", "application/json")], &[], "{}"));
        assert_eq!(
            base,
            fingerprint(&req(&[("content-type", "application/json")], &[], "{}"))
        );
        let others = [
            req(&[("content-type", "application/json")], &[], "{\"a\":1}"),
            req(&[("content-type", "application/merge-patch+json")], &[], "{}"),
            req(
                &[("content-type", "application/json"), ("x-account-id", "acct_b")],
                &[],
                "{}",
            ),
            req(
                &[("content-type", "application/json"), ("if-match", "\"v1\"")],
                &[],
                "{}",
            ),
            req(
                &[("content-type", "application/json"), ("if-none-match", "*")],
                &[],
                "{}",
            ),
            req(
                &[("content-type", "application/json")],
                &[("allow_new_options", "true")],
                "{}",
            ),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(base, fingerprint(other), "case {i}");
        }
        // The credential is not part of it (the record key is).
        assert_eq!(
            base,
            fingerprint(&req(
                &[
                    ("content-type", "application/json"),
                    ("authorization", "Bearer x")
                ],
                &[],
                "{}"
            ))
        );
    }
}
