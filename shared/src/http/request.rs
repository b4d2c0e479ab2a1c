//! What handlers read off a request besides the body.

use lambda_http::{Request, RequestExt, request::RequestContext};

/// The id a client can quote to find this request in our logs: API Gateway's
/// request id when there is one (it is what API Gateway returns to the caller
/// in `apigw-requestid`), else the Lambda invocation id, else `"local"`.
pub fn request_id(req: &Request) -> String {
    if let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref()
        && let Some(id) = ctx.request_id.as_deref().filter(|id| !id.is_empty())
    {
        return id.to_owned();
    }
    req.lambda_context_ref()
        .map(|ctx| ctx.request_id.clone())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| "local".to_owned())
}

/// A path parameter, or `None` when it is missing or empty.
///
/// API Gateway fills path parameters from the route (`/accounts/{accountId}/...`);
/// `cargo lambda watch` does the same from the workspace router.
pub fn path_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .filter(|value| !value.is_empty())
}

/// A query-string parameter, or `None` when it is missing.
pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
}

/// A header as text, or `None` when it is missing or not visible ASCII.
pub fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}
