//! `/api/v1/observations`: the admin table view, gated by consent.

use axum::extract::State;
use axum::response::Response;
use jhe_core::observations;
use jhe_core::store::observations::ObservationFilter;

use super::ApiQuery;
use crate::web::AppState;
use crate::web::errors::ApiError;
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/observations", tag = "observations", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
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
