//! `/api/v1/observations`: the admin table view, gated by consent.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use jhe_core::observations::{self, ListedObservation};
use jhe_core::paging::PageRequest;
use jhe_core::store::observations::ObservationFilter;

use super::{ApiQuery, ListPage, ReadErrors};
use crate::web::AppState;
use crate::web::errors::ApiError;
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/observations", tag = "observations", params(("organization_id" = Option<i64>, Query, description = "Only observations of this organization's patients"), ("study_id" = Option<i64>, Query, description = "Only observations shared with this study"), ("patient_id" = Option<i64>, Query, description = "Only this patient's observations"), ("observation_id" = Option<i64>, Query, description = "Only this observation"), PageRequest), responses((status = 200, description = "Observations the caller may read", body = ListPage<ListedObservation>), ReadErrors))]
pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let filter = ObservationFilter {
        practitioner_id: None,
        organization_id: query.int("organization_id")?,
        study_id: query.int("study_id")?,
        patient_id: query.int("patient_id")?,
        observation_id: query.int("observation_id")?,
        ..ObservationFilter::default()
    };
    let page = observations::list(&state.db, &caller, filter, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/observations/{id}", tag = "observations", params(("id" = i64, Path, description = "The observation's id")), responses((status = 200, description = "The observation, when the caller may read it", body = ListedObservation), ReadErrors))]
pub async fn get(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(observations::get(&state.db, &caller, id).await?).into_response())
}
