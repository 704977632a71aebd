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
use serde_json::Value;
use utoipa::ToSchema;

use super::bodies::{ConsentAnswers, NewPatient, PatientChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors, field, required_int, str_field};
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

fn patient_fields(body: &Value) -> Result<PatientFields, ApiError> {
    let identifiers = match field(body, "identifiers") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|item| {
                    let part = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
                    part("system").zip(part("value")).ok_or_else(|| {
                        ApiError::from(jhe_core::Error::invalid("identifiers: each needs a string system and value"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(jhe_core::Error::invalid("identifiers: must be a list").into()),
    };
    Ok(PatientFields {
        email: str_field(body, "telecom_email")?.map(str::to_owned),
        name_family: str_field(body, "name_family")?.map(str::to_owned),
        name_given: str_field(body, "name_given")?.map(str::to_owned),
        birth_date: str_field(body, "birth_date")?.map(str::to_owned),
        telecom_phone: str_field(body, "telecom_phone")?.map(str::to_owned),
        identifiers,
        organization_id: super::int_field(body, "organization_id")?,
    })
}

/// `POST /patients` `{"telecomEmail", "organizationId", "nameFamily", ...}`.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = NewPatient, responses((status = 201, description = "Created", body = Patient), WriteErrors))]
pub async fn create(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<Value>) -> Result<Response, ApiError> {
    let created = patients::create(&state.db, &caller, patient_fields(&body)?).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/patients/{id}", tag = "patients", params(("id" = i64, Path, description = "The patient's id")), request_body = PatientChange, responses((status = 200, description = "Changed", body = Patient), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    Ok(Json(patients::update(&state.db, &caller, id, patient_fields(&body)?).await?).into_response())
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
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let change = match method {
        Method::POST => Change::Answer,
        Method::PATCH => Change::Change,
        _ => Change::Withdraw,
    };
    let answers = parse_answers(&body, change)?;
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

fn invalid(message: String) -> ApiError {
    jhe_core::Error::invalid(message).into()
}

fn parse_answers(body: &Value, change: Change) -> Result<Vec<StudyAnswers>, ApiError> {
    let studies = field(body, "study_scope_consents")
        .ok_or_else(|| invalid("studyScopeConsents: this field is required".into()))?
        .as_array()
        .ok_or_else(|| invalid("studyScopeConsents: must be a list".into()))?;
    let mut parsed = Vec::with_capacity(studies.len());
    for (i, study) in studies.iter().enumerate() {
        let study_id = required_int(study, "study_id").map_err(|_| invalid(format!("studyScopeConsents[{i}].studyId: an integer is required")))?;
        let scopes = field(study, "scope_consents")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid(format!("studyScopeConsents[{i}].scopeConsents: a list is required")))?;
        let mut answers = Vec::with_capacity(scopes.len());
        for (j, scope) in scopes.iter().enumerate() {
            let at = format!("studyScopeConsents[{i}].scopeConsents[{j}]");
            let text = |name: &str| -> Result<String, ApiError> {
                str_field(scope, name)
                    .ok()
                    .flatten()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("{at}.{}: a string is required", super::camel_case(name))))
            };
            let consented = match field(scope, "consented") {
                Some(Value::Bool(b)) => *b,
                None if change == Change::Withdraw => false,
                _ => return Err(invalid(format!("{at}.consented: true or false is required"))),
            };
            answers.push(ScopeAnswer { coding_system: text("coding_system")?, coding_code: text("coding_code")?, consented });
        }
        parsed.push(StudyAnswers { study_id, scope_consents: answers });
    }
    Ok(parsed)
}
