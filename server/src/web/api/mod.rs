//! The admin REST API, `/api/v1`: JHE's paths and JSON shapes (camelCase,
//! the `{count,next,previous,results}` envelope, `{"detail": ...}` errors).

pub mod admin;
pub mod audit;
mod bodies;
pub mod data_sources;
pub mod data_types;
pub mod identity;
pub mod observations;
pub mod organizations;
pub mod patients;
pub mod studies;

use std::collections::BTreeMap;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

use axum::Json;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use jhe_core::paging::{Page, PageRequest};
use serde::Serialize;

use super::AppState;
use super::errors::{ApiError, ErrorDetail};

/// The OpenAPI 3 document of `/api/v1`, served at `/api/v1/openapi.json`;
/// its paths come from the handlers' own annotations as they are routed.
#[derive(OpenApi)]
#[openapi(
    info(title = "jhe admin API", description = "JupyterHealth Exchange-compatible REST API: camelCase JSON, `{count,next,previous,results}` lists, `{\"detail\"}` errors."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(ErrorDetail))
)]
pub struct ApiDoc;

/// A `{"detail"}` error response.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorDetail"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

const READ_ERRORS: [(&str, &str); 5] = [
    ("400", "Bad request: the detail names the parameter at fault"),
    ("401", "No valid bearer token"),
    ("403", "Not allowed"),
    ("404", "Not found, or no such page"),
    ("503", "The database is unavailable"),
];

const WRITE_ERRORS: [(&str, &str); 3] = [
    ("409", "Conflicts with a stored record"),
    ("413", "The request body is larger than this server accepts"),
    ("415", "The body is not sent as application/json"),
];

/// The errors of an operation that reads.
pub struct ReadErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        READ_ERRORS.iter().map(|(status, description)| ((*status).to_owned(), error_response(description))).collect()
    }
}

/// The errors of an operation that writes: those of a read, and conflicts
/// and refused bodies.
pub struct WriteErrors;

impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        READ_ERRORS
            .iter()
            .chain(&WRITE_ERRORS)
            .map(|(status, description)| ((*status).to_owned(), error_response(description)))
            .collect()
    }
}

/// JHE's list envelope; `next` and `previous` are absolute URLs.
#[derive(Serialize, ToSchema)]
pub struct ListPage<T> {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

impl<T> ListPage<T> {
    /// A whole list as its only page.
    pub fn whole(results: Vec<T>) -> ListPage<T> {
        ListPage { count: results.len() as i64, next: None, previous: None, results }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// A request's query string with keys in snake_case (JHE accepts both
/// spellings: `organizationId` and `organization_id` are one parameter).
pub struct ApiQuery {
    params: BTreeMap<String, String>,
    /// The keys as sent, for the `next`/`previous` links.
    raw: Vec<(String, String)>,
    path: String,
}

impl ApiQuery {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// An integer parameter; anything else is a 400 naming it.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(text) => text
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| jhe_core::Error::invalid(format!("{key}: \"{text}\" is not an integer")).into()),
        }
    }

    pub fn page_request(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest::parse(self.get("page"), self.get("page_size"))?)
    }

    /// This request's URL with another page number, absolute (JHE's
    /// `next`/`previous`: keys as sent, sorted; page 1 has no `page`).
    fn page_url(&self, site_url: &str, page: i64) -> String {
        let mut pairs: Vec<(String, String)> =
            self.raw.iter().filter(|(k, _)| k != "page").cloned().collect();
        if page > 1 {
            pairs.push(("page".into(), page.to_string()));
        }
        pairs.sort();
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        if query.is_empty() {
            format!("{site_url}{}", self.path)
        } else {
            format!("{site_url}{}?{query}", self.path)
        }
    }

    /// The list envelope for one page.
    pub fn envelope<T: Serialize>(&self, site_url: &str, page: Page<T>) -> Response {
        let next = page.has_next.then(|| self.page_url(site_url, page.number + 1));
        let previous = (page.number > 1).then(|| self.page_url(site_url, page.number - 1));
        Json(ListPage { count: page.count, next, previous, results: page.items }).into_response()
    }
}

/// `organizationId` → `organization_id`.
pub fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for ch in key.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

impl FromRequestParts<AppState> for ApiQuery {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let uri = OriginalUri::from_request_parts(parts, state).await.map(|u| u.0).unwrap_or_else(|_| parts.uri.clone());
        let raw: Vec<(String, String)> = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        let params = raw.iter().map(|(k, v)| (snake_case(k), v.clone())).collect();
        Ok(ApiQuery { params, raw, path: uri.path().to_owned() })
    }
}

/// `scope_code_id` → `scopeCodeId`.
pub fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for ch in key.chars() {
        if ch == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}
