//! The NUL rule ([`jhe_core::input`]) at the edge: a path, query parameter,
//! form field, or JSON field of a console call holding U+0000 is refused
//! with a 400 naming it, before any handler runs. REST bodies are checked as
//! they are parsed ([`ApiJson`](super::errors::ApiJson)), after the caller's
//! credentials, and FHIR resources by the domain, so that a batch Bundle
//! refuses only the entry at fault.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jhe_core::fhir::FhirError;
use jhe_core::input::{nul_message, nul_pair, nul_path};

use super::{Limits, errors, fhir, is_api_path, is_fhir_path};

enum BodyKind {
    Form,
    Json,
}

fn body_kind(headers: &HeaderMap) -> Option<BodyKind> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = content_type.split(';').next()?.trim().to_ascii_lowercase();
    if media == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else if media == "application/json" || media.ends_with("+json") {
        Some(BodyKind::Json)
    } else {
        None
    }
}

pub async fn refuse_nul(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.contains("%00") {
        return refused(&path, "path");
    }
    if let Some(name) = request.uri().query().and_then(|query| nul_pair(query.as_bytes())) {
        return refused(&path, &name);
    }
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let kind = match body_kind(request.headers()) {
        Some(BodyKind::Json) if !path.starts_with("/console/api/") => return next.run(request).await,
        Some(kind) => kind,
        None => return next.run(request).await,
    };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limits.request).await {
        Ok(bytes) => bytes,
        // Too large (413, named by `json_errors`) or cut off: the handler
        // would have refused it the same way.
        Err(error) => {
            let too_large = std::error::Error::source(&error).is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
            let status = if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST };
            return (status, "The request body could not be read.").into_response();
        }
    };
    let fault = match kind {
        BodyKind::Form => nul_pair(&bytes),
        BodyKind::Json => json_nul(&bytes),
    };
    match fault {
        Some(name) => refused(&path, &name),
        None => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
}

/// The path of a NUL in a JSON body. Cheap when there is none: only bodies
/// that spell `\u0000` (or hold a raw NUL, which JSON forbids anyway) are parsed.
fn json_nul(bytes: &Bytes) -> Option<String> {
    let suspicious = bytes.contains(&0) || bytes.windows(6).any(|w| w == b"\\u0000");
    if !suspicious {
        return None;
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => nul_path(&value, ""),
        // Not JSON: the handler names the parse error.
        Err(_) => None,
    }
}

/// The 400 in the form the route answers in: an OperationOutcome on FHIR
/// routes, an OAuth error under `/o/`, `{"detail"}` on the other APIs, a
/// server-function error for the console's calls, plain text for pages.
fn refused(path: &str, name: &str) -> Response {
    let message = nul_message(name);
    if is_fhir_path(path) {
        fhir::refused(&FhirError::invalid(&message, name))
    } else if path.starts_with("/o/") {
        let body = serde_json::json!({"error": "invalid_request", "error_description": message});
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    } else if is_api_path(path) {
        errors::detail(StatusCode::BAD_REQUEST, &message)
    } else if path.starts_with("/console/api/") {
        super::server_fns::refused(StatusCode::BAD_REQUEST, &message)
    } else {
        (StatusCode::BAD_REQUEST, message).into_response()
    }
}
