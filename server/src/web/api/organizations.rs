//! `/api/v1/organizations` and `/api/v1/users/organizations`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::organizations::{self, Member, Organization};
use jhe_core::paging::{Page, PageRequest};
use jhe_core::studies::StudySummary;
use serde_json::{Map, Value};

use super::bodies::{MemberRef, Membership, NewOrganization, OrganizationChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", params(("part_of" = Option<i64>, Query, description = "Only the organizations directly under this one"), PageRequest), responses((status = 200, description = "Organizations", body = ListPage<Organization>), ReadErrors))]
pub async fn list(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let all = organizations::list(&state.db, &caller, query.int("part_of")?).await?;
    Ok(query.envelope(&state.oidc.site_url, Page::of(all, &query.page_request()?)?))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), responses((status = 200, description = "The organization", body = Organization), ReadErrors))]
pub async fn get(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(organizations::get(&state.db, &caller, id).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/organizations/types", tag = "organizations", responses((status = 200, description = "Organization types: code to label", body = BTreeMap<String, String>), ReadErrors))]
pub async fn types(_: ApiCaller) -> Response {
    let map: Map<String, Value> = organizations::TYPES.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
    Json(Value::Object(map)).into_response()
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/tree", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), responses((status = 200, description = "The organization with its descendants", body = Organization), ReadErrors))]
pub async fn tree(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(organizations::tree(&state.db, &caller, id).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/users", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), responses((status = 200, description = "The organization's members", body = Vec<Member>), ReadErrors))]
pub async fn users(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(organizations::members(&state.db, id).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/studies", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), responses((status = 200, description = "The organization's studies", body = Vec<StudySummary>), ReadErrors))]
pub async fn studies(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(jhe_core::studies::of_organization(&state.db, &caller, id).await?).into_response())
}

/// `POST /organizations` `{"name", "type", "partOf"}`.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", request_body = NewOrganization, responses((status = 201, description = "Created", body = Organization), WriteErrors))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<NewOrganization>,
) -> Result<Response, ApiError> {
    let created = organizations::create(&state.db, &caller, &body.name, &body.kind, body.part_of).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/organizations/{id}", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), request_body = OrganizationChange, responses((status = 200, description = "Changed", body = Organization), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OrganizationChange>,
) -> Result<Response, ApiError> {
    let updated = organizations::update(&state.db, &caller, id, body.name.as_deref(), body.kind.as_deref()).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(delete, path = "/api/v1/organizations/{id}", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    organizations::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /organizations/{id}/user` `{"jheUserId", "organizationPartitionerRole"}`: 201 added, 200 changed.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/user", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), request_body = Membership, responses((status = 200, description = "The member's role changed", body = Member), (status = 201, description = "Added", body = Member), WriteErrors))]
pub async fn set_user(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Membership>,
) -> Result<Response, ApiError> {
    let user_id = body.jhe_user_id;
    let added = organizations::set_member(&state.db, &caller, id, user_id, &body.organization_partitioner_role).await?;
    let members = organizations::members(&state.db, id).await?;
    let member = members.into_iter().find(|m| m.id == user_id);
    let status = if added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(member)).into_response())
}

/// `DELETE /organizations/{id}/remove_user` `{"jheUserId"}`.
#[utoipa::path(delete, path = "/api/v1/organizations/{id}/remove_user", tag = "organizations", params(("id" = i64, Path, description = "The organization's id")), request_body = MemberRef, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_user(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MemberRef>,
) -> Result<Response, ApiError> {
    organizations::remove_member(&state.db, &caller, id, body.jhe_user_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /users/organizations`: the caller's organizations.
#[utoipa::path(get, path = "/api/v1/users/organizations", tag = "organizations", responses((status = 200, description = "The caller's organizations", body = Vec<Organization>), ReadErrors))]
pub async fn of_caller(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    let all = organizations::list(&state.db, &caller, None).await?;
    let mine: Vec<_> = all
        .into_iter()
        .filter(|o| caller.role_in(o.id).is_some())
        .map(|o| organizations::Organization { current_user_role: None, ..o })
        .collect();
    Ok(Json(mine).into_response())
}
