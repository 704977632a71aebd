//! `/api/v1/patients` and their consents.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use jhe_core::consents::{self, Change, ConsentOverview, RecordedConsent, ScopeAnswer, StudyAnswers};
use jhe_core::paging::PageRequest;
use jhe_core::patients::{self, Patient, PatientFields};
use jhe_core::store::patients::PatientFilter;
use serde::Serialize;
use utoipa::ToSchema;

use super::bodies::{ConsentAnswers, NewPatient, PatientChange, PatientDetails, PatientIdentifier};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", params(("organization_id" = Option<i64>, Query, description = "Only patients of this organization"), ("study_id" = Option<i64>, Query, description = "Only patients enrolled in this study"), ("patient_id" = Option<i64>, Query, description = "Only this patient"), ("patient_identifier_value" = Option<String>, Query, description = "Only patients with an identifier of this value"), ("search" = Option<String>, Query, description = "Only patients whose name or email contains this text"), PageRequest), responses((status = 200, description = "Patients", body = ListPage<Patient>), ReadErrors))]
pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let filter = PatientFilter {
        practitioner_id: None,
        organization_id: query.int("organization_id")?,
        study_id: query.int("study_id")?,
        patient_id: query.int("patient_id")?,
        identifier_value: query.get("patient_identifier_value").map(str::to_owned),
        search: query.get("search").map(str::to_owned),
    };
    let page = patients::list(&state.db, &caller, filter, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = i64, Path, description = "The patient's id")), responses((status = 200, description = "The patient", body = Patient), ReadErrors))]
pub async fn get(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(patients::get(&state.db, &caller, id).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/patients/me", tag = "patients", responses((status = 200, description = "The calling patient", body = Patient), ReadErrors))]
pub async fn me(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    Ok(Json(patients::me(&state.db, &caller).await?).into_response())
}

fn identifiers(identifiers: Option<Vec<PatientIdentifier>>) -> Option<Vec<(String, String)>> {
    identifiers.map(|list| list.into_iter().map(|i| (i.system, i.value)).collect())
}

fn patient_fields(email: Option<String>, organization_id: Option<i64>, details: PatientDetails) -> PatientFields {
    PatientFields {
        email,
        name_family: details.name_family,
        name_given: details.name_given,
        birth_date: details.birth_date,
        telecom_phone: details.telecom_phone,
        identifiers: identifiers(details.identifiers),
        organization_id,
    }
}

/// `POST /patients` `{"telecomEmail", "organizationId", "nameFamily", ...}`.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = NewPatient, responses((status = 201, description = "Created", body = Patient), WriteErrors))]
pub async fn create(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<NewPatient>) -> Result<Response, ApiError> {
    let fields = patient_fields(Some(body.telecom_email), Some(body.organization_id), body.details);
    let created = patients::create(&state.db, &caller, fields).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/patients/{id}", tag = "patients", params(("id" = i64, Path, description = "The patient's id")), request_body = PatientChange, responses((status = 200, description = "Changed", body = Patient), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PatientChange>,
) -> Result<Response, ApiError> {
    let fields = patient_fields(body.telecom_email, None, body.details);
    Ok(Json(patients::update(&state.db, &caller, id, fields).await?).into_response())
}

/// `DELETE /patients/{id}?organization_id=X`: out of organization X.
#[utoipa::path(delete, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = i64, Path, description = "The patient's id"), ("organization_id" = i64, Query, description = "The organization to remove the patient from")), responses((status = 204, description = "Removed from the organization"), WriteErrors))]
pub async fn delete(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>, query: ApiQuery) -> Result<Response, ApiError> {
    let organization_id = query
        .int("organization_id")?
        .ok_or_else(|| jhe_core::Error::invalid("organization_id: the organization to remove the patient from is required"))?;
    patients::remove_from_organization(&state.db, &caller, id, organization_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /patients/global_lookup?email=`.
#[utoipa::path(get, path = "/api/v1/patients/global_lookup", tag = "patients", params(("email" = String, Query, description = "The patient's email")), responses((status = 200, description = "The patients with this email", body = Vec<Patient>), ReadErrors))]
pub async fn global_lookup(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let email = query.get("email").ok_or_else(|| jhe_core::Error::invalid("email: this parameter is required"))?;
    Ok(Json(patients::lookup_by_email(&state.db, &caller, email).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/patients/{id}/consents", tag = "patients", params(("id" = i64, Path, description = "The patient's id")), responses((status = 200, description = "The patient's consents by study", body = ConsentOverview), ReadErrors))]
pub async fn consents(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(consents::overview(&state.db, &caller, id).await?).into_response())
}

/// `POST` (answer), `PATCH` (change) or `DELETE` (withdraw) consents:
/// `{"studyScopeConsents": [{"studyId", "scopeConsents": [{"codingSystem", "codingCode", "consented"}]}]}`.
#[utoipa::path(method(post, patch, delete), path = "/api/v1/patients/{id}/consents", tag = "patients", params(("id" = i64, Path, description = "The patient's id")), request_body = ConsentAnswers, responses((status = 200, description = "Changed (PATCH)", body = ConsentsRecorded), (status = 201, description = "Answered (POST)", body = ConsentsRecorded), (status = 204, description = "Withdrawn (DELETE)"), WriteErrors))]
pub async fn record_consents(
    State(state): State<AppState>,
    method: Method,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConsentAnswers>,
) -> Result<Response, ApiError> {
    let change = match method {
        Method::POST => Change::Answer,
        Method::PATCH => Change::Change,
        _ => Change::Withdraw,
    };
    let answers = answers(body, change)?;
    let recorded = consents::record(&state.db, &caller, id, change, &answers).await?;
    Ok(match change {
        Change::Answer => (StatusCode::CREATED, Json(ConsentsRecorded { study_scope_consents: recorded })).into_response(),
        Change::Change => Json(ConsentsRecorded { study_scope_consents: recorded }).into_response(),
        Change::Withdraw => StatusCode::NO_CONTENT.into_response(),
    })
}

/// The consents a `POST` or `PATCH` recorded.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentsRecorded {
    study_scope_consents: Vec<RecordedConsent>,
}

/// The answers, each with its `consented` (required, except to withdraw).
fn answers(body: ConsentAnswers, change: Change) -> Result<Vec<StudyAnswers>, ApiError> {
    body.study_scope_consents
        .into_iter()
        .enumerate()
        .map(|(i, study)| -> Result<StudyAnswers, ApiError> {
            let scope_consents = study
                .scope_consents
                .into_iter()
                .enumerate()
                .map(|(j, scope)| -> Result<ScopeAnswer, jhe_core::Error> {
                    let consented = match scope.consented {
                        Some(consented) => consented,
                        None if change == Change::Withdraw => false,
                        None => {
                            return Err(jhe_core::Error::invalid(format!("studyScopeConsents[{i}].scopeConsents[{j}].consented: true or false is required")));
                        }
                    };
                    Ok(ScopeAnswer { coding_system: scope.coding_system, coding_code: scope.coding_code, consented })
                })
                .collect::<Result<_, _>>()?;
            Ok(StudyAnswers { study_id: study.study_id, scope_consents })
        })
        .collect()
}
