//! `/api/v1` routes of the identity layer: the caller's profile,
//! invitation links and practitioners' API keys.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::store::{organizations, patients, practitioners};
use jhe_core::{Error, invitations, practitioner_clients, time};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::web::AppState;
use crate::web::client::Client;
use crate::web::errors::{ApiError, ApiJson, no_store};
use crate::web::guard::ApiCaller;

/// `GET /api/v1/users/profile`: the caller; patients get a PHI-free shape.
#[utoipa::path(get, path = "/api/v1/users/profile", tag = "identity", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn profile(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    let mut tx = state.db.begin_read().await?;
    let settings = match caller.practitioner_id {
        Some(_) => practitioners::by_user(tx.conn(), caller.user_id)
            .await?
            .map(|p| serde_json::from_str::<Value>(&p.settings).unwrap_or_else(|_| json!({}))),
        None => None,
    };
    let mut body = json!({
        "id": caller.user_id,
        "userType": if caller.is_patient() { "patient" } else { "practitioner" },
        "isSuperuser": caller.is_superuser,
    });
    if let Some(patient_id) = caller.patient_id {
        let identifiers: Vec<Value> = patients::identifiers(tx.conn(), patient_id)
            .await?
            .into_iter()
            .map(|(system, value)| json!({"system": system, "value": value}))
            .collect();
        let mut organizations_json = Vec::new();
        for organization_id in patients::organization_ids(tx.conn(), patient_id).await? {
            if let Some(org) = organizations::by_id(tx.conn(), organization_id).await? {
                organizations_json.push(json!({
                    "id": org.id, "name": org.name, "type": org.kind, "partOf": org.part_of_id,
                    "currentUserRole": null, "children": [],
                }));
            }
        }
        body["patient"] = json!({
            "id": patient_id, "jheUserId": caller.user_id,
            "identifiers": identifiers, "organizations": organizations_json,
        });
    } else {
        body["email"] = caller.email.clone().into();
        body["firstName"] = caller.first_name.clone().into();
        body["lastName"] = caller.last_name.clone().into();
        body["patient"] = Value::Null;
    }
    if let Some(settings) = settings {
        body["settings"] = camel_case_keys(settings);
    }
    tx.commit().await?;
    Ok(Json(body).into_response())
}

/// `{"current_organization_id": 1}` → `{"currentOrganizationId": 1}`, recursively.
fn camel_case_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (super::camel_case(&key), camel_case_keys(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case_keys).collect()),
        other => other,
    }
}

/// `POST /api/v1/invitation` body. `client_id` is the client's row id and,
/// as in JHE, only the snake spelling is read.
#[derive(Debug, Deserialize)]
pub struct NewInvitation {
    #[serde(alias = "patientId")]
    patient_id: Option<i64>,
    client_id: Option<i64>,
    #[serde(default, alias = "sendEmail")]
    send_email: bool,
}

#[utoipa::path(post, path = "/api/v1/invitation", tag = "identity", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn create_invitation(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<NewInvitation>,
) -> Result<Response, ApiError> {
    let patient_id = body.patient_id.ok_or_else(|| Error::invalid("patient_id: this field is required"))?;
    let client_id = body.client_id.ok_or_else(|| Error::invalid("client_id: this field is required"))?;
    if body.send_email {
        return Err(Error::invalid("send_email: jhe does not send email; share the returned invitationLink yourself").into());
    }
    let invitation = invitations::create(&state.db, &caller, patient_id, client_id, &state.oidc.site_url).await?;
    Ok(no_store((StatusCode::CREATED, Json(invitation_json(&invitation))).into_response()))
}

/// `GET /api/v1/patients/{id}/invitations`: a patient's invitation history.
#[utoipa::path(get, path = "/api/v1/patients/{id}/invitations", tag = "identity", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn patient_invitations(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(patient_id): Path<i64>,
) -> Result<Response, ApiError> {
    let all = invitations::list_for_patient(&state.db, &caller, patient_id).await?;
    let results: Vec<Value> = all.iter().map(invitation_json).collect();
    Ok(Json(json!({"count": results.len(), "next": null, "previous": null, "results": results})).into_response())
}

fn invitation_json(invitation: &invitations::Invitation) -> Value {
    json!({
        "id": invitation.id,
        "patientId": invitation.patient_id,
        "client_id": invitation.client_id,
        "tokenHash": invitation.token_hash,
        "token": invitation.token,
        "status": invitation.status,
        "lastUpdated": time::to_iso(invitation.last_updated),
        "invitationLink": invitation.invitation_link,
    })
}

/// `POST /api/v1/invitation/{token}`: redeems a link for an authorization code.
#[utoipa::path(post, path = "/api/v1/invitation/{token}", tag = "identity", params(("token" = String, Path, description = "the token")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found"), (status = 429, description = "Too many attempts from this address")))]
pub async fn redeem_invitation(State(state): State<AppState>, Extension(client): Extension<Client>, Path(token): Path<String>) -> Result<Response, ApiError> {
    state.throttle.check(client.address).map_err(Error::from)?;
    let redemption = invitations::redeem(&state.db, &token, &state.oidc.site_url, &state.oidc.lifetimes).await?;
    Ok(no_store(Json(json!({
        "grant": {
            "grant_type": "authorization_code",
            "redirect_uri": redemption.redirect_uri,
            "client_id": redemption.oauth_client_id,
            "code": redemption.code,
        },
        "token_endpoint": format!("{}/o/token/", state.oidc.site_url),
        "expires": time::to_iso(redemption.expires),
    })).into_response()))
}

#[derive(Debug, Default, Deserialize)]
pub struct NewPractitionerClient {
    #[serde(default)]
    label: String,
}

fn practitioner_client_json(client: &practitioner_clients::PractitionerClient) -> Value {
    json!({
        "id": client.id,
        "label": client.label,
        "created": time::to_iso(client.created),
        "name": client.name,
        "key": client.key,
    })
}

#[utoipa::path(get, path = "/api/v1/practitioner_clients", tag = "identity", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn list_practitioner_clients(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    let all = practitioner_clients::list(&state.db, &caller).await?;
    let results: Vec<Value> = all.iter().map(practitioner_client_json).collect();
    Ok(Json(json!({"count": results.len(), "next": null, "previous": null, "results": results})).into_response())
}

#[utoipa::path(post, path = "/api/v1/practitioner_clients", tag = "identity", responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn create_practitioner_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<NewPractitionerClient>,
) -> Result<Response, ApiError> {
    let created = practitioner_clients::create(&state.db, &caller, &body.label).await?;
    Ok(no_store((StatusCode::CREATED, Json(practitioner_client_json(&created))).into_response()))
}

#[utoipa::path(delete, path = "/api/v1/practitioner_clients/{id}", tag = "identity", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 400, description = "Bad request: the detail names the field"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
pub async fn delete_practitioner_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    practitioner_clients::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/users", tag = "identity", responses((status = 200, description = "Success"), (status = 401, description = "No valid bearer token"), (status = 403, description = "Not allowed")))]
/// `GET /users[?email=]`: super users only.
pub async fn list_users(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: super::ApiQuery) -> Result<Response, ApiError> {
    let all = jhe_core::users::list(&state.db, &caller, query.get("email")).await?;
    Ok(query.envelope(&state.oidc.site_url, jhe_core::paging::Page::of(all, &query.page_request()?)?))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "identity", params(("id" = i64, Path, description = "the id")), responses((status = 200, description = "Success"), (status = 403, description = "Not allowed"), (status = 404, description = "Not found")))]
/// `GET /users/{id}`: yourself (or anyone, for a super user).
pub async fn get_user(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(jhe_core::users::get(&state.db, &caller, id).await?).into_response())
}
