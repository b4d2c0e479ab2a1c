//! The target of a function with routes: its endpoints' `check_request`
//! (`shared::endpoint::Endpoint`, through the registry `dev/endpoints`).

use crate::{Verdict, refused};
use lambda_http::{Body, Request};
use std::path::Path;

/// Each HTTP endpoint of a function with the request its bodies are sent
/// in: its binary's bench event (`dev/catalog`), whose path, query and
/// headers are valid.
pub struct Requests(Vec<(&'static endpoints::Endpoint, Request)>);

impl Requests {
    /// The endpoints of `function`, from the registry.
    ///
    /// # Panics
    /// When the registry lacks one of its HTTP binaries, or a bench event
    /// is not an API Gateway event.
    pub fn of(function: &catalog::Function) -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        Requests(
            function
                .http_binaries()
                .map(|binary| {
                    let endpoint = endpoints::endpoint_of(binary.name)
                        .unwrap_or_else(|| panic!("dev/endpoints has no endpoint {}", binary.name));
                    let path = root.join(binary.bench_event);
                    let text =
                        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    let request = lambda_http::request::from_str(&text)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    (endpoint, request)
                })
                .collect(),
        )
    }

    /// The request of each endpoint: the function's HTTP binaries in the
    /// catalog's order.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        self.0.iter().map(|(_, request)| request)
    }

    /// The bytes as the body of each endpoint's request: accepted when one
    /// endpoint's `check_request` accepts them, else the first refusal;
    /// every refusal must be documented.
    pub fn verdict(&self, data: &[u8]) -> Verdict {
        let mut verdict = None;
        for (endpoint, template) in &self.0 {
            let mut request = clone(template);
            *request.body_mut() = Body::from(data.to_vec());
            let this = match (endpoint.refusal)(&request) {
                None => Verdict::Accepted,
                Some(status) => refused(status),
            };
            if verdict.is_none() || this == Verdict::Accepted {
                verdict = Some(this);
            }
        }
        verdict.expect("a function with routes has an endpoint")
    }
}

/// A copy of `request` (head and extensions: path parameters, query) with
/// an empty body.
fn clone(request: &Request) -> Request {
    let mut copy = Request::new(Body::Empty);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    copy
}
