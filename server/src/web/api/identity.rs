//! `/api/v1` routes of the identity layer: the caller's profile,
//! invitation links and practitioners' API keys.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jhe_core::store::{organizations as store_organizations, patients, practitioners};
use jhe_core::paging::PageRequest;
use jhe_core::users::UserView;
use jhe_core::{Error, invitations, organizations, practitioner_clients, time};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{ListPage, ReadErrors, WriteErrors};
use crate::web::AppState;
use crate::web::client::Client;
use crate::web::errors::{ApiError, ApiJson, ErrorDetail, no_store};
use crate::web::guard::ApiCaller;

/// `GET /api/v1/users/profile`: the caller. A patient's has no name or email
/// but a `patient`; a practitioner's has `patient: null` and its `settings`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    id: i64,
    /// `patient` or `practitioner`.
    user_type: &'static str,
    is_superuser: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
    patient: Option<PatientProfile>,
    /// The practitioner's console settings, keys in camelCase.
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientProfile {
    id: i64,
    jhe_user_id: i64,
    identifiers: Vec<SystemValue>,
    organizations: Vec<organizations::Organization>,
}

#[derive(Serialize, ToSchema)]
pub struct SystemValue {
    system: String,
    value: String,
}

#[utoipa::path(get, path = "/api/v1/users/profile", tag = "identity", responses((status = 200, description = "The caller", body = Profile), ReadErrors))]
pub async fn profile(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    let mut tx = state.db.begin_read().await?;
    let settings = match caller.practitioner_id {
        Some(_) => practitioners::by_user(tx.conn(), caller.user_id)
            .await?
            .map(|p| camel_case_keys(serde_json::from_str::<Value>(&p.settings).unwrap_or_else(|_| json!({})))),
        None => None,
    };
    let mut profile = Profile {
        id: caller.user_id,
        user_type: if caller.is_patient() { "patient" } else { "practitioner" },
        is_superuser: caller.is_superuser,
        email: None,
        first_name: None,
        last_name: None,
        patient: None,
        settings,
    };
    if let Some(patient_id) = caller.patient_id {
        let identifiers = patients::identifiers(tx.conn(), patient_id)
            .await?
            .into_iter()
            .map(|(system, value)| SystemValue { system, value })
            .collect();
        let mut organizations_of_patient = Vec::new();
        for organization_id in patients::organization_ids(tx.conn(), patient_id).await? {
            if let Some(row) = store_organizations::by_id(tx.conn(), organization_id).await? {
                organizations_of_patient.push(organizations::Organization::plain(&row));
            }
        }
        profile.patient = Some(PatientProfile {
            id: patient_id,
            jhe_user_id: caller.user_id,
            identifiers,
            organizations: organizations_of_patient,
        });
    } else {
        profile.email = Some(caller.email.clone());
        profile.first_name = Some(caller.first_name.clone());
        profile.last_name = Some(caller.last_name.clone());
    }
    tx.commit().await?;
    Ok(Json(profile).into_response())
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInvitation {
    #[serde(alias = "patientId")]
    #[schema(required)]
    patient_id: Option<i64>,
    #[schema(required)]
    client_id: Option<i64>,
    /// Must be false: jhe sends no email.
    #[serde(default, alias = "sendEmail")]
    send_email: bool,
}

/// An invitation link; `token` and `invitationLink` only in the answer that created it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationBody {
    id: i64,
    patient_id: i64,
    /// The client's row id.
    #[serde(rename = "client_id")]
    client_id: i64,
    token_hash: String,
    token: Option<String>,
    status: String,
    last_updated: String,
    invitation_link: Option<String>,
}

impl From<invitations::Invitation> for InvitationBody {
    fn from(invitation: invitations::Invitation) -> Self {
        InvitationBody {
            id: invitation.id,
            patient_id: invitation.patient_id,
            client_id: invitation.client_id,
            token_hash: invitation.token_hash,
            token: invitation.token,
            status: invitation.status,
            last_updated: time::to_iso(invitation.last_updated),
            invitation_link: invitation.invitation_link,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/invitation", tag = "identity", request_body = NewInvitation, responses((status = 201, description = "Created", body = InvitationBody), WriteErrors))]
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
    Ok(no_store((StatusCode::CREATED, Json(InvitationBody::from(invitation))).into_response()))
}

/// `GET /api/v1/patients/{id}/invitations`: a patient's invitation history.
#[utoipa::path(get, path = "/api/v1/patients/{id}/invitations", tag = "identity", params(("id" = i64, Path, description = "The patient's id")), responses((status = 200, description = "The patient's invitations", body = ListPage<InvitationBody>), ReadErrors))]
pub async fn patient_invitations(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(patient_id): Path<i64>,
) -> Result<Response, ApiError> {
    let all = invitations::list_for_patient(&state.db, &caller, patient_id).await?;
    Ok(Json(ListPage::whole(all.into_iter().map(InvitationBody::from).collect())).into_response())
}

/// An authorization code for the link's client, to exchange at `token_endpoint`.
#[derive(Serialize, ToSchema)]
pub struct Redemption {
    grant: Grant,
    token_endpoint: String,
    expires: String,
}

#[derive(Serialize, ToSchema)]
pub struct Grant {
    /// `authorization_code`.
    grant_type: &'static str,
    redirect_uri: String,
    client_id: String,
    code: String,
}

/// `POST /api/v1/invitation/{token}`: redeems a link for an authorization code.
#[utoipa::path(post, path = "/api/v1/invitation/{token}", tag = "identity", security(()), params(("token" = String, Path, description = "The link's token")),
    responses((status = 200, description = "An authorization code", body = Redemption),
        (status = 400, description = "The link's patient has no user account", body = ErrorDetail),
        (status = 403, description = "The link was cancelled", body = ErrorDetail),
        (status = 404, description = "No such link", body = ErrorDetail),
        (status = 409, description = "The link was already used", body = ErrorDetail),
        (status = 410, description = "The link has expired", body = ErrorDetail),
        (status = 429, description = "Too many attempts from this address", body = ErrorDetail),
        (status = 503, description = "The database is unavailable", body = ErrorDetail)))]
pub async fn redeem_invitation(State(state): State<AppState>, Extension(client): Extension<Client>, Path(token): Path<String>) -> Result<Response, ApiError> {
    state.throttle.check(client.address).map_err(Error::from)?;
    let redemption = invitations::redeem(&state.db, &token, &state.oidc.site_url, &state.oidc.lifetimes).await?;
    Ok(no_store(Json(Redemption {
        grant: Grant {
            grant_type: "authorization_code",
            redirect_uri: redemption.redirect_uri,
            client_id: redemption.oauth_client_id,
            code: redemption.code,
        },
        token_endpoint: format!("{}/o/token/", state.oidc.site_url),
        expires: time::to_iso(redemption.expires),
    }).into_response()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewPractitionerClient {
    #[serde(default)]
    label: String,
}

/// A practitioner's API key; `key` only in the answer that created it.
#[derive(Serialize, ToSchema)]
pub struct PractitionerClientBody {
    id: i64,
    label: String,
    created: String,
    /// The OAuth client id.
    name: String,
    /// `base64("<client_id>:<client_secret>")`, for `Authorization: Basic`.
    key: Option<String>,
}

impl From<practitioner_clients::PractitionerClient> for PractitionerClientBody {
    fn from(client: practitioner_clients::PractitionerClient) -> Self {
        PractitionerClientBody {
            id: client.id,
            label: client.label,
            created: time::to_iso(client.created),
            name: client.name,
            key: client.key,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/practitioner_clients", tag = "identity", responses((status = 200, description = "The caller's API keys", body = ListPage<PractitionerClientBody>), ReadErrors))]
pub async fn list_practitioner_clients(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller) -> Result<Response, ApiError> {
    let all = practitioner_clients::list(&state.db, &caller).await?;
    Ok(Json(ListPage::whole(all.into_iter().map(PractitionerClientBody::from).collect())).into_response())
}

#[utoipa::path(post, path = "/api/v1/practitioner_clients", tag = "identity", request_body = NewPractitionerClient, responses((status = 201, description = "Created", body = PractitionerClientBody), WriteErrors))]
pub async fn create_practitioner_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    ApiJson(body): ApiJson<NewPractitionerClient>,
) -> Result<Response, ApiError> {
    let created = practitioner_clients::create(&state.db, &caller, &body.label).await?;
    Ok(no_store((StatusCode::CREATED, Json(PractitionerClientBody::from(created))).into_response()))
}

#[utoipa::path(delete, path = "/api/v1/practitioner_clients/{id}", tag = "identity", params(("id" = i64, Path, description = "The key's id")), responses((status = 204, description = "Deleted"), WriteErrors))]
pub async fn delete_practitioner_client(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    practitioner_clients::delete(&state.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /users[?email=]`: super users only.
#[utoipa::path(get, path = "/api/v1/users", tag = "identity", params(("email" = Option<String>, Query, description = "Only the user with this email"), PageRequest), responses((status = 200, description = "Users", body = ListPage<UserView>), ReadErrors))]
pub async fn list_users(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, query: super::ApiQuery) -> Result<Response, ApiError> {
    let all = jhe_core::users::list(&state.db, &caller, query.get("email")).await?;
    Ok(query.envelope(&state.oidc.site_url, jhe_core::paging::Page::of(all, &query.page_request()?)?))
}

/// `GET /users/{id}`: yourself (or anyone, for a super user).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "identity", params(("id" = i64, Path, description = "The user's id")), responses((status = 200, description = "The user", body = UserView), ReadErrors))]
pub async fn get_user(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(jhe_core::users::get(&state.db, &caller, id).await?).into_response())
}
