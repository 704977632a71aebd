//! Request guards: bearer-token authentication for the APIs, the CSRF
//! check for cookie-authenticated writes, and CORS for the OAuth endpoints.

use axum::Json;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jhe_core::caller::Caller;
use jhe_core::oauth::{self, BearerError};
use serde_json::json;

use super::AppState;
use super::client::Client;
use super::errors::{detail, message_of};

/// The caller behind a valid `Authorization: Bearer` token.
pub struct ApiCaller {
    pub caller: Caller,
    pub scope: String,
}

const NOT_AUTHENTICATED: &str = "Authentication credentials were not provided.";

/// The bearer token of a request, if it sent one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let fhir = parts.uri.path().to_ascii_lowercase().starts_with("/fhir/");
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(unauthenticated(fhir, None));
        };
        match oauth::authenticate_bearer(&state.db, token).await {
            Ok((caller, scope)) => Ok(ApiCaller { caller, scope }),
            Err(BearerError::Store(error)) => {
                let error = jhe_core::Error::Store(error);
                Err(detail(super::errors::status_of(&error), &message_of(&error)))
            }
            Err(refused) => Err(unauthenticated(fhir, Some(&refused.to_string()))),
        }
    }
}

/// 401 with `WWW-Authenticate: Bearer`, naming the token's fault when one was sent.
fn unauthenticated(fhir: bool, token_error: Option<&str>) -> Response {
    let challenge = match token_error {
        Some(description) => format!(r#"Bearer realm="api",error="invalid_token",error_description="{description}""#),
        None => r#"Bearer realm="api""#.to_owned(),
    };
    let mut response = if fhir {
        let outcome = json!({
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "login", "diagnostics": NOT_AUTHENTICATED}],
        });
        (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "application/fhir+json")], Json(outcome)).into_response()
    } else {
        detail(StatusCode::UNAUTHORIZED, NOT_AUTHENTICATED)
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Blocks cross-site writes that ride on the session cookie: a state-changing
/// request that carries a cookie must come from this site's own pages.
/// (Bearer-authenticated APIs take no cookies and are not affected.)
pub async fn csrf(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = request.uri().path();
    let cookie_routes = !(path.starts_with("/api/") || path.starts_with("/FHIR/") || path.starts_with("/fhir/")
        || (path.starts_with("/o/") && !path.starts_with("/o/authorize")));
    let has_cookie = request.headers().contains_key(header::COOKIE);
    let host = request.extensions().get::<Client>().and_then(|client| client.host.as_deref());
    if safe || !cookie_routes || !has_cookie || same_origin(request.headers(), host) {
        return next.run(request).await;
    }
    detail(StatusCode::FORBIDDEN, "Cross-site request refused (CSRF check): the Origin does not match this site.")
}

/// True when `Origin` (or, lacking it, `Referer`) names the host the client
/// sent the request to.
fn same_origin(headers: &HeaderMap, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source.and_then(|s| url::Url::parse(s).ok()) {
        Some(url) => {
            let authority = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_owned(),
            };
            authority.eq_ignore_ascii_case(host)
        }
        None => false,
    }
}

/// CORS for `/o/…` and FHIR discovery, as JHE sends it: any origin, no
/// credentials; preflights answer 204 before anything else runs.
pub async fn open_cors(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Authorization, Content-Type"));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    response
}
