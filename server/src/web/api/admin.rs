//! Super-user resources: `/api/v1/clients`, `/practitioners`, `/jhe_settings`,
//! and the study–client links.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::clients::{self, Client, StudyClient};
use jhe_core::data_sources::DataSource;
use jhe_core::paging::{Page, PageRequest};
use jhe_core::practitioners::{self, NewPractitioner, Practitioner};
use jhe_core::settings::{self, Setting};
use serde::Serialize;
use utoipa::ToSchema;

use super::bodies::{self, ClientChange, ClientLink, DataSourceLink, NewClient, NewSetting, PractitionerChange, SettingChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/clients", tag = "administration", params(PageRequest), responses((status = 200, description = "Patient-facing clients", body = ListPage<Client>), ReadErrors))]
pub async fn list_clients(State(state): State<AppState>, _: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let page = clients::list(&state.db, &query.page_request()?).await?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "administration", params(("id" = i64, Path, description = "The client's id")), responses((status = 200, description = "The client", body = Client), ReadErrors))]
pub async fn get_client(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(clients::get(&state.db, id).await?).into_response())
}

/// `POST /clients` `{"name", "clientId", "invitationUrl"}`.
#[utoipa::path(post, path = "/api/v1/clients", tag = "administration", request_body = NewClient, responses((status = 201, description = "Created", body = Client), WriteErrors))]
pub async fn create_client(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<NewClient>) -> Result<Response, ApiError> {
    let created = clients::create(&state.db, &caller, &body.name, &body.client_id, &body.invitation_url, &state.oidc.site_url).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/clients/{id}", tag = "administration", params(("id" = i64, Path, description = "The client's id")), request_body = ClientChange, responses((status = 200, description = "Changed", body = Client), WriteErrors))]
pub async fn update_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ClientChange>,
) -> Result<Response, ApiError> {
    let updated =
        clients::update(&state.db, &caller, id, body.name.as_deref(), body.client_id.as_deref(), body.invitation_url.as_deref()).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(delete, path = "/api/v1/clients/{id}", tag = "administration", params(("id" = i64, Path, description = "The client's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete_client(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    clients::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/clients/{id}/data_sources", tag = "administration", params(("id" = i64, Path, description = "The client's id")), responses((status = 200, description = "The client's data sources", body = Vec<DataSource>), ReadErrors))]
pub async fn client_data_sources(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(clients::data_sources(&state.db, id).await?).into_response())
}

/// A client–data source link, as JHE answers it: the client's id as a string.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientDataSource {
    id: i64,
    #[serde(rename = "client_id")]
    client_id: String,
    data_source_id: i64,
}

/// `POST /clients/{id}/data_sources` `{"dataSourceId"}` → `{"id", "client_id": "<id>", "dataSourceId"}`.
#[utoipa::path(post, path = "/api/v1/clients/{id}/data_sources", tag = "administration", params(("id" = i64, Path, description = "The client's id")), request_body = DataSourceLink, responses((status = 201, description = "Added", body = ClientDataSource), WriteErrors))]
pub async fn add_client_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DataSourceLink>,
) -> Result<Response, ApiError> {
    let data_source = body.data_source_id;
    let link = clients::add_data_source(&state.db, &caller, id, data_source).await?;
    Ok((StatusCode::CREATED, Json(ClientDataSource { id: link, client_id: id.to_string(), data_source_id: data_source })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/clients/{id}/data_sources", tag = "administration", params(("id" = i64, Path, description = "The client's id")), request_body = DataSourceLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_client_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DataSourceLink>,
) -> Result<Response, ApiError> {
    clients::remove_data_source(&state.db, &caller, id, body.data_source_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/clients", tag = "administration", params(("id" = i64, Path, description = "The study's id")), responses((status = 200, description = "The study's clients", body = Vec<StudyClient>), ReadErrors))]
pub async fn study_clients(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(clients::of_study(&state.db, &caller, id).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/studies/{id}/clients", tag = "administration", params(("id" = i64, Path, description = "The study's id")), request_body = ClientLink, responses((status = 201, description = "Added", body = StudyClient), WriteErrors))]
pub async fn add_study_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ClientLink>,
) -> Result<Response, ApiError> {
    let link = clients::add_to_study(&state.db, &caller, id, body.client_id).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/clients", tag = "administration", params(("id" = i64, Path, description = "The study's id")), request_body = ClientLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_study_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ClientLink>,
) -> Result<Response, ApiError> {
    clients::remove_from_study(&state.db, &caller, id, body.client_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/practitioners", tag = "administration", params(PageRequest), responses((status = 200, description = "Practitioners", body = ListPage<Practitioner>), ReadErrors))]
pub async fn list_practitioners(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let all = practitioners::list(&state.db, &caller).await?;
    Ok(query.envelope(&state.oidc.site_url, Page::of(all, &query.page_request()?)?))
}

#[utoipa::path(get, path = "/api/v1/practitioners/{id}", tag = "administration", params(("id" = i64, Path, description = "The practitioner's id")), responses((status = 200, description = "The practitioner", body = Practitioner), ReadErrors))]
pub async fn get_practitioner(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(practitioners::get(&state.db, &caller, id).await?).into_response())
}

/// `POST /practitioners` `{"telecomEmail", "nameFamily", "nameGiven", "organizationId", ["role", "password"]}`.
#[utoipa::path(post, path = "/api/v1/practitioners", tag = "administration", request_body = bodies::NewPractitioner, responses((status = 201, description = "Created", body = Practitioner), WriteErrors))]
pub async fn create_practitioner(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<bodies::NewPractitioner>) -> Result<Response, ApiError> {
    let new = NewPractitioner {
        email: &body.telecom_email,
        name_family: body.name_family.as_deref(),
        name_given: body.name_given.as_deref(),
        organization_id: body.organization_id,
        role: body.role.as_deref(),
        password: body.password.as_deref(),
    };
    let created = practitioners::create(&state.db, &caller, &new).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// `PATCH /practitioners/{id}` `{"nameFamily", "nameGiven", "isActive"}`.
#[utoipa::path(method(patch, put), path = "/api/v1/practitioners/{id}", tag = "administration", params(("id" = i64, Path, description = "The practitioner's id")), request_body = PractitionerChange, responses((status = 200, description = "Changed", body = Practitioner), WriteErrors))]
pub async fn update_practitioner(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PractitionerChange>,
) -> Result<Response, ApiError> {
    let updated =
        practitioners::update(&state.db, &caller, id, body.name_family.as_deref(), body.name_given.as_deref(), body.is_active).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(get, path = "/api/v1/jhe_settings", tag = "administration", params(PageRequest), responses((status = 200, description = "Settings", body = ListPage<Setting>), ReadErrors))]
pub async fn list_settings(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let all = settings::list(&state.db, &caller).await?;
    Ok(query.envelope(&state.oidc.site_url, Page::of(all, &query.page_request()?)?))
}

#[utoipa::path(get, path = "/api/v1/jhe_settings/{id}", tag = "administration", params(("id" = i64, Path, description = "The setting's id")), responses((status = 200, description = "The setting", body = Setting), ReadErrors))]
pub async fn get_setting(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(settings::get(&state.db, &caller, id).await?).into_response())
}

/// `POST /jhe_settings` `{"key", "valueType", "value"}`.
#[utoipa::path(post, path = "/api/v1/jhe_settings", tag = "administration", request_body = NewSetting, responses((status = 201, description = "Created", body = Setting), WriteErrors))]
pub async fn create_setting(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<NewSetting>) -> Result<Response, ApiError> {
    let created = settings::create(&state.db, &caller, &body.key, &body.value_type, &body.value).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/jhe_settings/{id}", tag = "administration", params(("id" = i64, Path, description = "The setting's id")), request_body = SettingChange, responses((status = 200, description = "Changed", body = Setting), WriteErrors))]
pub async fn update_setting(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SettingChange>,
) -> Result<Response, ApiError> {
    let updated = settings::update(&state.db, &caller, id, body.value_type.as_deref(), body.value.as_ref()).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(delete, path = "/api/v1/jhe_settings/{id}", tag = "administration", params(("id" = i64, Path, description = "The setting's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete_setting(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    settings::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
