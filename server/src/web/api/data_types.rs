//! `/api/v1/data_types`: the coded data types with their JSON Schemas.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::data_types::{self, DataType, DataTypeDetail, NewDataType, SampleCheck};
use jhe_core::paging::{Page, PageRequest};

use super::bodies::{self, DataTypeChange};
use super::{ApiQuery, ListPage, ReadErrors, WriteErrors};
use crate::web::AppState;
use crate::web::errors::{ApiError, ApiJson, JsonObject};
use crate::web::guard::ApiCaller;

#[utoipa::path(get, path = "/api/v1/data_types", tag = "data types", params(PageRequest), responses((status = 200, description = "Data types", body = ListPage<DataType>), ReadErrors))]
pub async fn list(State(state): State<AppState>, _: ApiCaller, query: ApiQuery) -> Result<Response, ApiError> {
    let page = Page::of(data_types::list(&state.db).await?, &query.page_request()?)?;
    Ok(query.envelope(&state.oidc.site_url, page))
}

#[utoipa::path(get, path = "/api/v1/data_types/{id}", tag = "data types", params(("id" = i64, Path, description = "The data type's id")), responses((status = 200, description = "The data type with its schema", body = DataTypeDetail), ReadErrors))]
pub async fn get(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(data_types::get(&state.db, id).await?).into_response())
}

/// `POST /data_types` `{"codingSystem", "codingCode", "text", "schema"}` (super users).
#[utoipa::path(post, path = "/api/v1/data_types", tag = "data types", request_body = bodies::NewDataType, responses((status = 201, description = "Created", body = DataTypeDetail), WriteErrors))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<bodies::NewDataType>,
) -> Result<Response, ApiError> {
    let new = NewDataType {
        coding_system: &body.coding_system,
        coding_code: &body.coding_code,
        text: &body.text,
        schema: body.schema.as_ref(),
    };
    let created = data_types::create(&state.db, &caller, &new).await?;
    let detail = data_types::get(&state.db, created.id).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

#[utoipa::path(method(patch, put), path = "/api/v1/data_types/{id}", tag = "data types", params(("id" = i64, Path, description = "The data type's id")), request_body = DataTypeChange, responses((status = 200, description = "Changed", body = DataTypeDetail), WriteErrors))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DataTypeChange>,
) -> Result<Response, ApiError> {
    let updated = data_types::update(&state.db, &caller, id, body.text.as_deref(), body.schema.as_ref()).await?;
    Ok(Json(updated).into_response())
}

/// `POST /data_types/{id}/validate` with an OMH data point: 200
/// `{"valid", "errors": [{"path", "message"}]}` either way.
#[utoipa::path(post, path = "/api/v1/data_types/{id}/validate", tag = "data types", params(("id" = i64, Path, description = "The data type's id")), request_body = serde_json::Value, responses((status = 200, description = "Whether the data point is valid, and why not", body = SampleCheck), WriteErrors))]
pub async fn validate(State(state): State<AppState>, _: ApiCaller, Path(id): Path<i64>, JsonObject(point): JsonObject) -> Result<Response, ApiError> {
    Ok(Json(data_types::validate_sample(&state.db, id, &point).await?).into_response())
}
