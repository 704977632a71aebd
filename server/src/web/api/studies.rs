//! `/api/v1/studies` with their data sources, scope requests and patients.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::paging::PageRequest;
use jhe_core::patients::Patient;
use jhe_core::studies::{self, Enrolment, ScopeRequest, Study, StudyDataSource, StudyFields, StudySummary};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::bodies::{DataSourceLink, NewStudy, PatientIds, ScopeCodeLink, StudyChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors, field, int_field, required_int, str_field};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/studies", tag = "studies", params(("organization_id" = Option<i64>, Query, description = "Only the studies of this organization"), PageRequest), responses((status = 200, description = "Studies", body = ListPage<Study>), ReadErrors))]
pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let page = studies::list(&state.db, &caller, query.int("organization_id")?, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "The study's id")), responses((status = 200, description = "The study", body = Study), ReadErrors))]
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

#[utoipa::path(post, path = "/api/v1/studies", tag = "studies", request_body = NewStudy, responses((status = 201, description = "Created", body = StudySummary), WriteErrors))]
pub async fn create(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<Value>) -> Result<Response, ApiError> {
    let created = studies::create(&state.db, &caller, fields(&body)?).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = StudyChange, responses((status = 200, description = "Changed", body = StudySummary), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    Ok(Json(studies::update(&state.db, &caller, id, fields(&body)?).await?).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "The study's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    studies::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "The study's id")), responses((status = 200, description = "The study's data sources", body = Vec<StudyDataSource>), ReadErrors))]
pub async fn data_sources(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(studies::data_sources(&state.db, &caller, id).await?).into_response())
}

/// `POST /studies/{id}/data_sources` `{"data_source_id"}` (or `dataSourceId`).
#[utoipa::path(post, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = DataSourceLink, responses((status = 201, description = "Added", body = StudyDataSource), WriteErrors))]
pub async fn add_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let link = studies::add_data_source(&state.db, &caller, id, required_int(&body, "data_source_id")?).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = DataSourceLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    studies::remove_data_source(&state.db, &caller, id, required_int(&body, "data_source_id")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "The study's id")), responses((status = 200, description = "The data types the study asks for", body = Vec<ScopeRequest>), ReadErrors))]
pub async fn scope_requests(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(studies::scope_requests(&state.db, &caller, id).await?).into_response())
}

/// `POST /studies/{id}/scope_requests` `{"scope_code_id"}` (or `scopeCodeId`).
#[utoipa::path(post, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = ScopeCodeLink, responses((status = 201, description = "Added", body = ScopeRequest), WriteErrors))]
pub async fn add_scope_request(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let link = studies::add_scope_request(&state.db, &caller, id, required_int(&body, "scope_code_id")?).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = ScopeCodeLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_scope_request(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    studies::remove_scope_request(&state.db, &caller, id, required_int(&body, "scope_code_id")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "The study's id"), PageRequest), responses((status = 200, description = "The enrolled patients", body = ListPage<Patient>), ReadErrors))]
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

/// The enrolments a `POST /studies/{id}/patients` made.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enrolled {
    study_patients: Vec<Enrolment>,
}

/// `POST /studies/{id}/patients` `{"patientIds": [...]}`.
#[utoipa::path(post, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = PatientIds, responses((status = 201, description = "Enrolled", body = Enrolled), WriteErrors))]
pub async fn enrol(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let enrolments = studies::enrol(&state.db, &caller, id, &patient_ids(&body)?).await?;
    Ok((StatusCode::CREATED, Json(Enrolled { study_patients: enrolments })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = PatientIds, responses((status = 204, description = "Unenrolled"), WriteErrors))]
pub async fn unenrol(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    studies::unenrol(&state.db, &caller, id, &patient_ids(&body)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
