//! CORS as the HTTP API applies it: the template's `CorsConfiguration`
//! (read from `template.yaml`), and API Gateway's answers to a preflight
//! and to a cross-origin request, for the in-process local API.
//!
//! API Gateway answers a preflight itself (the function never sees it):
//! `OPTIONS` with `Origin` and `Access-Control-Request-Method` is 204 with
//! `Access-Control-Allow-Origin` (the origin), `-Allow-Methods`,
//! `-Allow-Headers` and `-Max-Age` when the origin, the method and every
//! requested header are allowed, and 204 without them otherwise. Every
//! other answer to an allowed origin carries `Access-Control-Allow-Origin`
//! and `Access-Control-Expose-Headers`.

use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};

/// The HTTP API's CORS configuration (origins aside: the template takes
/// them as a parameter; the local API allows every origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Methods a cross-origin request may use.
    pub allow_methods: Vec<String>,
    /// Request headers a cross-origin request may send (lower case).
    pub allow_headers: Vec<String>,
    /// Response headers a page may read (lower case).
    pub expose_headers: Vec<String>,
    /// How long a browser may keep a preflight's answer, in seconds.
    pub max_age: u64,
}

/// The `CorsConfiguration` of the template's `AWS::Serverless::HttpApi`
/// (the true branch of its `!If`, when it is conditional).
pub fn template_cors_from_str(text: &str) -> Result<Cors, String> {
    let template: serde_norway::Value = serde_norway::from_str(text).map_err(|e| format!("template: {e}"))?;
    let api = template
        .get("Resources")
        .and_then(|r| r.as_mapping())
        .into_iter()
        .flatten()
        .map(|(_, resource)| resource)
        .find(|r| r.get("Type").and_then(|t| t.as_str()) == Some("AWS::Serverless::HttpApi"))
        .ok_or("template: no AWS::Serverless::HttpApi")?;
    let mut config = api
        .get("Properties")
        .and_then(|p| p.get("CorsConfiguration"))
        .ok_or("template: the HttpApi has no CorsConfiguration")?;
    if let serde_norway::Value::Tagged(tagged) = config {
        config = tagged
            .value
            .as_sequence()
            .and_then(|branches| branches.get(1))
            .ok_or("template: CorsConfiguration's !If has no true branch")?;
    }
    let list = |key: &str| -> Result<Vec<String>, String> {
        config
            .get(key)
            .and_then(|v| v.as_sequence())
            .ok_or_else(|| format!("template: CorsConfiguration has no {key} list"))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_ascii_lowercase)
                    .ok_or(format!("{key}: not a string"))
            })
            .collect()
    };
    Ok(Cors {
        allow_methods: list("AllowMethods")?
            .into_iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
        allow_headers: list("AllowHeaders")?,
        expose_headers: list("ExposeHeaders")?,
        max_age: config
            .get("MaxAge")
            .and_then(|v| v.as_u64())
            .ok_or("template: CorsConfiguration has no MaxAge")?,
    })
}

/// The workspace template's CORS configuration.
pub fn template_cors() -> Result<Cors, String> {
    let path = crate::workspace_root().join("template.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    template_cors_from_str(&text)
}

impl Cors {
    /// API Gateway's answer to a request with these headers when it is a
    /// preflight (`OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`), else `None`.
    pub fn preflight(&self, method: &str, headers: &lambda_http::http::HeaderMap) -> Option<Response<Body>> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let origin = text("origin")?;
        let requested = text("access-control-request-method")?;
        if method != "OPTIONS" {
            return None;
        }
        let mut response = Response::new(Body::Empty);
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers_allowed = text("access-control-request-headers")
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .all(|h| self.allow_headers.contains(&h));
        let method_allowed = self.allow_methods.iter().any(|m| m == requested);
        if method_allowed && headers_allowed {
            let set = |response: &mut Response<Body>, name: &'static str, value: String| {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(name, value);
                }
            };
            set(&mut response, "access-control-allow-origin", origin.to_owned());
            set(
                &mut response,
                "access-control-allow-methods",
                self.allow_methods.join(","),
            );
            set(
                &mut response,
                "access-control-allow-headers",
                self.allow_headers.join(","),
            );
            set(&mut response, "access-control-max-age", self.max_age.to_string());
        }
        Some(response)
    }

    /// Adds what API Gateway adds to the answer of a request from `origin`.
    pub fn decorate(&self, origin: Option<&HeaderValue>, response: &mut Response<Body>) {
        let Some(origin) = origin else { return };
        response
            .headers_mut()
            .insert("access-control-allow-origin", origin.clone());
        if let Ok(exposed) = HeaderValue::from_str(&self.expose_headers.join(",")) {
            response
                .headers_mut()
                .insert("access-control-expose-headers", exposed);
        }
    }
}
