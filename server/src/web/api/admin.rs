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
use serde_json::Value;
use utoipa::ToSchema;

use super::bodies::{self, ClientChange, ClientLink, DataSourceLink, NewClient, NewSetting, PractitionerChange, SettingChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors, field, int_field, str_field};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson};
use crate::web::guard::ApiCaller;

fn required<'a>(body: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    str_field(body, key)?.ok_or_else(|| jhe_core::Error::invalid(format!("{}: this field is required", super::camel_case(key))).into())
}

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
pub async fn create_client(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<Value>) -> Result<Response, ApiError> {
    let created = clients::create(
        &state.db,
        &caller,
        required(&body, "name")?,
        body.get("clientId").and_then(Value::as_str).ok_or_else(|| jhe_core::Error::invalid("clientId: this field is required"))?,
        required(&body, "invitation_url")?,
        &state.oidc.site_url,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/clients/{id}", tag = "administration", params(("id" = i64, Path, description = "The client's id")), request_body = ClientChange, responses((status = 200, description = "Changed", body = Client), WriteErrors))]
pub async fn update_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let client_id = body.get("clientId").and_then(Value::as_str);
    let updated = clients::update(&state.db, &caller, id, str_field(&body, "name")?, client_id, str_field(&body, "invitation_url")?).await?;
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
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let data_source = super::required_int(&body, "data_source_id")?;
    let link = clients::add_data_source(&state.db, &caller, id, data_source).await?;
    Ok((StatusCode::CREATED, Json(ClientDataSource { id: link, client_id: id.to_string(), data_source_id: data_source })).into_response())
}

#[utoipa::path(delete, path = "/api/v1/clients/{id}/data_sources", tag = "administration", params(("id" = i64, Path, description = "The client's id")), request_body = DataSourceLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_client_data_source(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    clients::remove_data_source(&state.db, &caller, id, super::required_int(&body, "data_source_id")?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/studies/{id}/clients", tag = "administration", params(("id" = i64, Path, description = "The study's id")), responses((status = 200, description = "The study's clients", body = Vec<StudyClient>), ReadErrors))]
pub async fn study_clients(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(clients::of_study(&state.db, &caller, id).await?).into_response())
}

/// The client's row id, as `clientId` or `client_id`.
fn client_row_id(body: &Value) -> Result<i64, ApiError> {
    let value = body.get("clientId").or_else(|| body.get("client_id"));
    value
        .and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .ok_or_else(|| jhe_core::Error::invalid("clientId: the client's integer id is required").into())
}

#[utoipa::path(post, path = "/api/v1/studies/{id}/clients", tag = "administration", params(("id" = i64, Path, description = "The study's id")), request_body = ClientLink, responses((status = 201, description = "Added", body = StudyClient), WriteErrors))]
pub async fn add_study_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let link = clients::add_to_study(&state.db, &caller, id, client_row_id(&body)?).await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/studies/{id}/clients", tag = "administration", params(("id" = i64, Path, description = "The study's id")), request_body = ClientLink, responses((status = 204, description = "Removed"), WriteErrors))]
pub async fn remove_study_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    clients::remove_from_study(&state.db, &caller, id, client_row_id(&body)?).await?;
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
pub async fn create_practitioner(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<Value>) -> Result<Response, ApiError> {
    let new = NewPractitioner {
        email: required(&body, "telecom_email")?,
        name_family: str_field(&body, "name_family")?,
        name_given: str_field(&body, "name_given")?,
        organization_id: int_field(&body, "organization_id")?,
        role: str_field(&body, "role")?,
        password: str_field(&body, "password")?,
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
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let is_active = match field(&body, "is_active") {
        None => None,
        Some(Value::Bool(active)) => Some(*active),
        Some(_) => return Err(jhe_core::Error::invalid("isActive: must be true or false").into()),
    };
    let updated = practitioners::update(&state.db, &caller, id, str_field(&body, "name_family")?, str_field(&body, "name_given")?, is_active).await?;
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
pub async fn create_setting(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, ApiJson(body): ApiJson<Value>) -> Result<Response, ApiError> {
    let value = body.get("value").ok_or_else(|| jhe_core::Error::invalid("value: this field is required"))?;
    let created = settings::create(&state.db, &caller, required(&body, "key")?, required(&body, "value_type")?, value).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/jhe_settings/{id}", tag = "administration", params(("id" = i64, Path, description = "The setting's id")), request_body = SettingChange, responses((status = 200, description = "Changed", body = Setting), WriteErrors))]
pub async fn update_setting(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let updated = settings::update(&state.db, &caller, id, str_field(&body, "value_type")?, body.get("value")).await?;
    Ok(Json(updated).into_response())
}

#[utoipa::path(delete, path = "/api/v1/jhe_settings/{id}", tag = "administration", params(("id" = i64, Path, description = "The setting's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete_setting(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    settings::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
