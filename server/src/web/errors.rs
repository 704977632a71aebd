//! Every error an HTTP route can answer, mapped to a response in one place.
//! Nothing here renders HTML: API routes always answer JSON.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jhe_core::Error;
use jhe_core::store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A REST (`/api/v1`) error: `{"detail": "..."}` with the matching status.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError(error)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError(Error::Store(error))
    }
}

/// The status for a domain error.
pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::Invalid(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Gone(_) => StatusCode::GONE,
        Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        Error::Store(store) => StatusCode::from_u16(store.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
    }
}

/// The message for a domain error; storage failures are logged, not shown.
pub fn message_of(error: &Error) -> String {
    match error {
        Error::Store(store) => store.public_message().into(),
        other => other.to_string(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = detail(status_of(&self.0), &message_of(&self.0));
        if let Error::Throttled(throttled) = &self.0 {
            retry_after(&mut response, throttled);
        }
        response
    }
}

/// `Retry-After` on a 429, in seconds.
pub fn retry_after(response: &mut Response, throttled: &jhe_core::throttle::Throttled) {
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(throttled.retry_after));
}

/// The body of every REST error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// What is wrong, naming the field or parameter at fault.
    pub detail: &'a str,
}

/// `{"detail": message}` with a status.
pub fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(ErrorDetail { detail: message })).into_response()
}

/// A JSON object body read into `T`. Every fault answers 400 `{"detail"}`
/// naming the field (never text or HTML): malformed JSON, a body that is not
/// an object, a NUL character in any string, a missing field, a value of
/// the wrong type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonObject(value) = JsonObject::from_request(request, state).await?;
        if let Some(path) = jhe_core::input::nul_path(&value, "") {
            return Err(detail(StatusCode::BAD_REQUEST, &jhe_core::input::nul_message(&path)));
        }
        serde_path_to_error::deserialize(value).map(ApiJson).map_err(|error| {
            detail(StatusCode::BAD_REQUEST, &jhe_core::input::field_fault(&error.path().to_string(), &error.inner().to_string()))
        })
    }
}

/// A JSON object body kept as sent: an OMH data point to try, whose strings
/// are data (an escaped NUL included, as an upload stores it).
pub struct JsonObject(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match Json::<Value>::from_request(request, state).await {
            Ok(Json(value)) => value,
            Err(JsonRejection::MissingJsonContentType(_)) => {
                return Err(detail(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type: send the body as application/json."));
            }
            // Left as is so the body-limit message names the limit.
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(rejection.into_response()),
            Err(rejection) => return Err(detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {}", rejection.body_text()))),
        };
        let kind = match &value {
            Value::Object(_) => return Ok(JsonObject(value)),
            Value::Null => "null",
            Value::Array(_) => "a list",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
        };
        Err(detail(StatusCode::BAD_REQUEST, &format!("The body must be a JSON object, not {kind}.")))
    }
}

/// `Cache-Control: no-store` for anything carrying credentials.
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
