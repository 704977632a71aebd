//! `/api/v1/studies` with their data sources, scope requests and patients.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::studies::{self, StudyFields};
use serde_json::{Value, json};

use super::{ApiQuery, field, int_field, required_int, str_field};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/studies", tag = "studies", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let page = studies::list(&state.db, &caller, query.int("organization_id")?, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn get(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(studies::get(&state.db, &caller, id).await?).into_response())
}

fn fields(body: &Value) -> Result<StudyFields, ApiError> {
    Ok(StudyFields {
        name: str_field(body, "name")?.map(str::to_owned),
        description: str_field(body, "description")?.map(str::to_owned),
        organization: int_field(body, "organization")?,
        icon_url: match body.get("iconUrl").or_else(|| body.get("icon_url")) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(url)) => Some(Some(url.clone())),
            Some(_) => return Err(jhe_core::Error::invalid("iconUrl: must be a string or null").into()),
        },
    })
}

#[utoipa::path(post, path = "/api/v1/studies", tag = "studies", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn create(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<Value>) -> Result<Response, ApiError> {
    let created = studies::create(&state.db, &caller, fields(&body)?).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    Ok(Json(studies::update(&state.db, &caller, id, fields(&body)?).await?).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn delete(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    studies::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn data_sources(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(studies::data_sources(&state.db, &caller, id).await?).into_response())
}

/// `POST /studies/{id}/data_sources` `{"data_source_id"}` (or `dataSourceId`).
#[utoipa::path(post, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn add_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let link = studies::add_data_source(&state.db, &caller, id, required_int(&body, "data_source_id")?).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn remove_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    studies::remove_data_source(&state.db, &caller, id, required_int(&body, "data_source_id")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn scope_requests(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(studies::scope_requests(&state.db, &caller, id).await?).into_response())
}

/// `POST /studies/{id}/scope_requests` `{"scope_code_id"}` (or `scopeCodeId`).
#[utoipa::path(post, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn add_scope_request(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let link = studies::add_scope_request(&state.db, &caller, id, required_int(&body, "scope_code_id")?).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn remove_scope_request(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    studies::remove_scope_request(&state.db, &caller, id, required_int(&body, "scope_code_id")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn patients(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    query: ApiQuery,
) -> Result<Response, ApiError> {
    let page = studies::patients(&state.db, &caller, id, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

fn patient_ids(body: &Value) -> Result<Vec<i64>, ApiError> {
    field(body, "patient_ids")
        .and_then(Value::as_array)
        .ok_or_else(|| jhe_core::Error::invalid("patientIds: a list of patient ids is required").into())
        .and_then(|ids| {
            ids.iter()
                .map(|id| id.as_i64().ok_or_else(|| jhe_core::Error::invalid("patientIds: every id must be an integer").into()))
                .collect()
        })
}

/// `POST /studies/{id}/patients` `{"patientIds": [...]}`.
#[utoipa::path(post, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn enrol(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let enrolments = studies::enrol(&state.db, &caller, id, &patient_ids(&body)?).await?;
    Ok((StatusCode::CREATED, Json(json!({"studyPatients": enrolments}))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn unenrol(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    studies::unenrol(&state.db, &caller, id, &patient_ids(&body)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
