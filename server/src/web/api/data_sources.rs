//! `/api/v1/data_sources`: the device and app catalogue.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::data_sources::{self, DataSource, SupportedScope};
use jhe_core::data_types::DataType;
use jhe_core::paging::{Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

use super::bodies::{DataSourceChange, NewDataSource, ScopeCodeLink};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

/// `GET /data_sources`: every data source with its supported scopes, by name.
#[utoipa::path(get, path = "/api/v1/data_sources", tag = "data sources", params(PageRequest), responses((status = 200, description = "Data sources", body = ListPage<DataSource>), ReadErrors))]
pub async fn list(State(state): State<AppState>, _: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let page = Page::of(data_sources::list(&state.db).await?, &query.page_request()?)?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/data_sources/{id}", tag = "data sources", params(("id" = i64, Path, description = "The data source's id")), responses((status = 200, description = "The data source", body = DataSource), ReadErrors))]
pub async fn get(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(data_sources::get(&state.db, id).await?).into_response())
}

/// A new data source, as `POST /data_sources` answers it (without scopes).
#[derive(Serialize, ToSchema)]
pub struct DataSourceCreated {
    id: i64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

/// `POST /data_sources` `{"name", "type"}` → 201 `{"id", "name", "type"}`.
#[utoipa::path(post, path = "/api/v1/data_sources", tag = "data sources", request_body = NewDataSource, responses((status = 201, description = "Created", body = DataSourceCreated), WriteErrors))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<NewDataSource>,
) -> Result<Response, ApiError> {
    let kind = body.kind.as_deref().unwrap_or("personal_device");
    let created = data_sources::create(&state.db, &caller, &body.name, kind).await?;
    Ok((StatusCode::CREATED, Json(DataSourceCreated { id: created.id, name: created.name, kind: created.kind })).into_response())
}

/// `PATCH`/`PUT /data_sources/{id}`.
#[utoipa::path(method(patch, put), path = "/api/v1/data_sources/{id}", tag = "data sources", params(("id" = i64, Path, description = "The data source's id")), request_body = DataSourceChange, responses((status = 200, description = "Changed", body = DataSource), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DataSourceChange>,
) -> Result<Response, ApiError> {
    let updated = data_sources::update(&state.db, &caller, id, body.name.as_deref(), body.kind.as_deref()).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(delete, path = "/api/v1/data_sources/{id}", tag = "data sources", params(("id" = i64, Path, description = "The data source's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    data_sources::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /data_sources/all_scopes`: every data type, by text.
#[utoipa::path(get, path = "/api/v1/data_sources/all_scopes", tag = "data sources", responses((status = 200, description = "Every data type, by text", body = Vec<DataType>), ReadErrors))]
pub async fn all_scopes(State(state): State<AppState>, _: ApiCaller) -> Result<Response, ApiError> {
    let mut all = jhe_core::data_types::list(&state.db).await?;
    all.sort_by(|a, b| a.text.cmp(&b.text).then(a.id.cmp(&b.id)));
    Ok(Json(all).into_response())
}

#[utoipa::path(get, path = "/api/v1/data_sources/{id}/supported_scopes", tag = "data sources", params(("id" = i64, Path, description = "The data source's id")), responses((status = 200, description = "The data types the source supports", body = Vec<SupportedScope>), ReadErrors))]
pub async fn supported_scopes(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(data_sources::supported_scopes(&state.db, id).await?).into_response())
}

/// `POST /data_sources/{id}/supported_scopes` `{"scopeCodeId"}` (super users).
#[utoipa::path(post, path = "/api/v1/data_sources/{id}/supported_scopes", tag = "data sources", params(("id" = i64, Path, description = "The data source's id")), request_body = ScopeCodeLink, responses((status = 201, description = "Added", body = SupportedScope), WriteErrors))]
pub async fn add_supported_scope(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScopeCodeLink>,
) -> Result<Response, ApiError> {
    let link = data_sources::add_supported_scope(&state.db, &caller, id, body.scope_code_id).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/data_sources/{id}/supported_scopes", tag = "data sources", params(("id" = i64, Path, description = "The data source's id")), request_body = ScopeCodeLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_supported_scope(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScopeCodeLink>,
) -> Result<Response, ApiError> {
    data_sources::remove_supported_scope(&state.db, &caller, id, body.scope_code_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
