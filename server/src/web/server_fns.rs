//! The console's server functions, `/console/api/<name>`: a call whose
//! arguments cannot be decoded (missing, malformed, of the wrong type, or
//! not in the function's encoding) answers 400 with a message naming the
//! function and the argument, never the framework's 500.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How the framework labels a failure to decode a call's arguments (see
/// `ServerFnErrorEncoding`): `Args|…`, `Deserialization|…`, `MissingArg|…`.
const ARGUMENT_FAULTS: [&str; 3] = ["Args", "Deserialization", "MissingArg"];

/// The longest framework error body read back; longer ones are passed on as they are.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Rewrites the framework's decoding failures on `/console/api/`, for every
/// server function at once.
pub async fn decoding_faults(request: Request, next: Next) -> Response {
    let Some(name) = request.uri().path().strip_prefix("/console/api/").map(str::to_owned) else {
        return next.run(request).await;
    };
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    match text.split_once('|') {
        Some((fault, message)) if ARGUMENT_FAULTS.contains(&fault) => {
            refused(StatusCode::BAD_REQUEST, &format!("Bad arguments to {name}: {message}"))
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// A refusal in the encoding the console's client reads (`ServerError|…`),
/// so it shows the message as it shows the functions' own refusals.
pub fn refused(status: StatusCode, message: &str) -> Response {
    let mut response = (status, format!("ServerError|{message}")).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}
