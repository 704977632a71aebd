//! `/api/v1/data_sources`: the device and app catalogue.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::data_sources;
use jhe_core::paging::Page;
use serde_json::{Value, json};

use super::{ApiQuery, required_int, str_field};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

/// `GET /data_sources`: every data source with its supported scopes, by name.
#[utoipa::path(get, path = "/api/v1/data_sources", tag = "data sources", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn list(State(state): State<AppState>, _: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let page = Page::of(data_sources::list(&state.db).await?, &query.page_request()?)?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/data_sources/{id}", tag = "data sources", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn get(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(data_sources::get(&state.db, id).await?).into_response())
}

/// `POST /data_sources` `{"name", "type"}` → 201 `{"id", "name", "type"}`.
#[utoipa::path(post, path = "/api/v1/data_sources", tag = "data sources", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let name = str_field(&body, "name")?.ok_or_else(|| jhe_core::Error::invalid("name: this field is required"))?;
    let kind = str_field(&body, "type")?.unwrap_or("personal_device");
    let created = data_sources::create(&state.db, &caller, name, kind).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": created.id, "name": created.name, "type": created.kind}))).into_response())
}

/// `PATCH`/`PUT /data_sources/{id}`.
#[utoipa::path(method(patch, put), path = "/api/v1/data_sources/{id}", tag = "data sources", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let updated = data_sources::update(&state.db, &caller, id, str_field(&body, "name")?, str_field(&body, "type")?).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(delete, path = "/api/v1/data_sources/{id}", tag = "data sources", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn delete(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    data_sources::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /data_sources/all_scopes`: every data type, by text.
#[utoipa::path(get, path = "/api/v1/data_sources/all_scopes", tag = "data sources", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn all_scopes(State(state): State<AppState>, _: ApiCaller) -> Result<Response, ApiError> {
    let mut all = jhe_core::data_types::list(&state.db).await?;
    all.sort_by(|a, b| a.text.cmp(&b.text).then(a.id.cmp(&b.id)));
    Ok(Json(all).into_response())
}

#[utoipa::path(get, path = "/api/v1/data_sources/{id}/supported_scopes", tag = "data sources", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn supported_scopes(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(data_sources::supported_scopes(&state.db, id).await?).into_response())
}

/// `POST /data_sources/{id}/supported_scopes` `{"scopeCodeId"}` (super users).
#[utoipa::path(post, path = "/api/v1/data_sources/{id}/supported_scopes", tag = "data sources", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn add_supported_scope(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let data_type = required_int(&body, "scope_code_id")?;
    let link = data_sources::add_supported_scope(&state.db, &caller, id, data_type).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/data_sources/{id}/supported_scopes", tag = "data sources", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn remove_supported_scope(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let data_type = required_int(&body, "scope_code_id")?;
    data_sources::remove_supported_scope(&state.db, &caller, id, data_type).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
