//! `/api/v1/patients` and their consents.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use jhe_core::consents::{self, Change, ScopeAnswer, StudyAnswers};
use jhe_core::patients;
use jhe_core::store::patients::PatientFilter;
use serde_json::{Value, json};

use super::{ApiQuery, field, required_int, str_field};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let filter = PatientFilter {
        practitioner_id: None,
        organization_id: query.int("organization_id")?,
        study_id: query.int("study_id")?,
        patient_id: query.int("patient_id")?,
        identifier_value: query.get("patient_identifier_value").map(str::to_owned),
    };
    let page = patients::list(&state.db, &caller, filter, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

pub async fn get(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(patients::get(&state.db, &caller, id).await?).into_response())
}

pub async fn me(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    Ok(Json(patients::me(&state.db, &caller).await?).into_response())
}

pub async fn consents(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(consents::overview(&state.db, &caller, id).await?).into_response())
}

/// `POST` (answer), `PATCH` (change) or `DELETE` (withdraw) consents:
/// `{"studyScopeConsents": [{"studyId", "scopeConsents": [{"codingSystem", "codingCode", "consented"}]}]}`.
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
        Change::Answer => (StatusCode::CREATED, Json(json!({"studyScopeConsents": recorded}))).into_response(),
        Change::Change => Json(json!({"studyScopeConsents": recorded})).into_response(),
        Change::Withdraw => StatusCode::NO_CONTENT.into_response(),
    })
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
