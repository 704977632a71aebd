//! `/api/v1/studies` with their data sources, scope requests and patients.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::paging::PageRequest;
use jhe_core::patients::Patient;
use jhe_core::studies::{self, Enrolment, ScopeRequest, Study, StudyDataSource, StudyFields, StudySummary};
use serde::Serialize;
use utoipa::ToSchema;

use super::bodies::{DataSourceLink, NewStudy, PatientIds, ScopeCodeLink, StudyChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors};
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

#[utoipa::path(post, path = "/api/v1/studies", tag = "studies", request_body = NewStudy, responses((status = 201, description = "Created", body = StudySummary), WriteErrors))]
pub async fn create(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<NewStudy>) -> Result<Response, ApiError> {
    let fields = StudyFields { name: Some(body.name), description: Some(body.description), organization: Some(body.organization), icon_url: Some(body.icon_url) };
    let created = studies::create(&state.db, &caller, fields).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/studies/{id}", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = StudyChange, responses((status = 200, description = "Changed", body = StudySummary), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StudyChange>,
) -> Result<Response, ApiError> {
    let fields = StudyFields { name: body.name, description: body.description, organization: body.organization, icon_url: body.icon_url };
    Ok(Json(studies::update(&state.db, &caller, id, fields).await?).into_response())
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
    ApiJson(body): ApiJson<DataSourceLink>,
) -> Result<Response, ApiError> {
    let link = studies::add_data_source(&state.db, &caller, id, body.data_source_id).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/data_sources", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = DataSourceLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DataSourceLink>,
) -> Result<Response, ApiError> {
    studies::remove_data_source(&state.db, &caller, id, body.data_source_id).await?;
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
    ApiJson(body): ApiJson<ScopeCodeLink>,
) -> Result<Response, ApiError> {
    let link = studies::add_scope_request(&state.db, &caller, id, body.scope_code_id).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/scope_requests", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = ScopeCodeLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_scope_request(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScopeCodeLink>,
) -> Result<Response, ApiError> {
    studies::remove_scope_request(&state.db, &caller, id, body.scope_code_id).await?;
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
    ApiJson(body): ApiJson<PatientIds>,
) -> Result<Response, ApiError> {
    let enrolments = studies::enrol(&state.db, &caller, id, &body.patient_ids).await?;
    Ok((StatusCode::CREATED, Json(Enrolled { study_patients: enrolments })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/patients", tag = "studies", params(("id" = i64, Path, description = "The study's id")), request_body = PatientIds, responses((status = 204, description = "Unenrolled"), WriteErrors))]
pub async fn unenrol(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PatientIds>,
) -> Result<Response, ApiError> {
    studies::unenrol(&state.db, &caller, id, &body.patient_ids).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
