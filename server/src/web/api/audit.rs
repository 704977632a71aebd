//! `/api/v1/audit_events`: the audit trail, for super users.

use axum::extract::State;
use axum::response::Response;
use jhe_core::audit::{self, AuditEvent, AuditFilter};
use jhe_core::paging::PageRequest;
use jhe_core::{Error, time};

use super::{ApiQuery, ListPage, ReadErrors};
use crate::web::AppState;
use crate::web::errors::ApiError;
use crate::web::guard::ApiCaller;

/// `GET /api/v1/audit_events`: newest first, narrowed by `action`,
/// `user_id` (the actor), `patient_id`, `since` and `until` (ISO 8601).
#[utoipa::path(get, path = "/api/v1/audit_events", tag = "audit",
    params(
        ("action" = Option<String>, Query, description = "Only this action, e.g. observation.read"),
        ("user_id" = Option<i64>, Query, description = "Only what this user did"),
        ("patient_id" = Option<i64>, Query, description = "Only what concerns this patient"),
        ("since" = Option<String>, Query, description = "From this instant on (ISO 8601)"),
        ("until" = Option<String>, Query, description = "Before this instant (ISO 8601)"),
        PageRequest,
    ),
    responses((status = 200, description = "The audit trail, newest first", body = ListPage<AuditEvent>), ReadErrors))]
pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let instant = |key: &str| -> Result<Option<i64>, ApiError> {
        match query.get(key) {
            None => Ok(None),
            Some(text) => time::parse_iso(text)
                .map(Some)
                .ok_or_else(|| Error::invalid(format!("{key}: '{text}' is not an ISO 8601 date-time")).into()),
        }
    };
    let filter = AuditFilter {
        action: query.get("action").map(str::to_owned),
        actor_user_id: query.int("user_id")?,
        patient_id: query.int("patient_id")?,
        since: instant("since")?,
        until: instant("until")?,
    };
    let page = audit::list(&state.db, &caller, &filter, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}
