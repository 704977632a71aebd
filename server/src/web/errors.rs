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
        Error::Store(StoreError::Unique(_)) => StatusCode::CONFLICT,
        Error::Store(StoreError::ForeignKey(_) | StoreError::Check(_)) => StatusCode::BAD_REQUEST,
        Error::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The message for a domain error; storage failures are logged, not shown.
pub fn message_of(error: &Error) -> String {
    match error {
        Error::Store(StoreError::Unique(_)) => "This record already exists.".into(),
        Error::Store(StoreError::ForeignKey(_)) => "A referenced record does not exist or is still in use.".into(),
        Error::Store(StoreError::Check(_)) => "A value is not allowed.".into(),
        Error::Store(store) => {
            tracing::error!(error = %store, "storage failure");
            "The database is unavailable; try again shortly.".into()
        }
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

/// A JSON body whose parse errors answer 400 `{"detail": ...}` (never text or HTML).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type: send the body as application/json.",
            )),
            // Left as is so the body-limit message names the limit.
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(rejection.into_response()),
            Err(rejection) => Err(detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {}", rejection.body_text()))),
        }
    }
}

/// `Cache-Control: no-store` for anything carrying credentials.
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
