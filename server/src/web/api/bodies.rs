//! The request bodies of `/api/v1`, as the OpenAPI document describes them.
//! Handlers read bodies as JSON values, field by field, so that both key
//! spellings are accepted (`organizationId` and `organization_id`, see
//! [`super::field`]) and a fault names its field: these types describe the
//! camelCase spelling and are never built.
#![allow(dead_code)]

use serde_json::Value;
use utoipa::ToSchema;

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewOrganization {
    name: String,
    /// One of the keys of `GET /api/v1/organizations/types`.
    #[schema(rename = "type")]
    kind: String,
    part_of: Option<i64>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OrganizationChange {
    name: Option<String>,
    #[schema(rename = "type")]
    kind: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct Membership {
    jhe_user_id: i64,
    /// `manager`, `member` or `viewer`.
    organization_partitioner_role: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct MemberRef {
    jhe_user_id: i64,
}

#[derive(ToSchema)]
pub struct PatientIdentifier {
    system: String,
    value: String,
}

/// A new patient (`telecomEmail` and `organizationId` are required) or a change.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PatientBody {
    telecom_email: Option<String>,
    name_family: Option<String>,
    name_given: Option<String>,
    /// `YYYY-MM-DD`.
    birth_date: Option<String>,
    telecom_phone: Option<String>,
    identifiers: Option<Vec<PatientIdentifier>>,
    organization_id: Option<i64>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ScopeConsentAnswer {
    coding_system: String,
    coding_code: String,
    /// Required, except when withdrawing.
    consented: Option<bool>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct StudyConsentAnswers {
    study_id: i64,
    scope_consents: Vec<ScopeConsentAnswer>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ConsentAnswers {
    study_scope_consents: Vec<StudyConsentAnswers>,
}

/// A new study (all but `iconUrl` required) or a change.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct StudyBody {
    name: Option<String>,
    description: Option<String>,
    /// The organization's id.
    organization: Option<i64>,
    icon_url: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct DataSourceLink {
    data_source_id: i64,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ScopeCodeLink {
    /// A data type's id.
    scope_code_id: i64,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PatientIds {
    patient_ids: Vec<i64>,
}

/// A new data source (`name` required) or a change.
#[derive(ToSchema)]
pub struct DataSourceBody {
    name: Option<String>,
    /// `personal_device` (the default), `medical_device` or `patient_app`.
    #[schema(rename = "type")]
    kind: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewDataType {
    coding_system: String,
    coding_code: String,
    text: String,
    /// A JSON Schema for the type's data points; optional for codes with a built-in schema.
    schema: Option<Value>,
}

#[derive(ToSchema)]
pub struct DataTypeChange {
    text: Option<String>,
    schema: Option<Value>,
}

/// A new client (all required) or a change.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ClientBody {
    name: Option<String>,
    /// The OAuth client id.
    client_id: Option<String>,
    invitation_url: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ClientLink {
    /// The client's row id.
    client_id: i64,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewPractitioner {
    telecom_email: String,
    name_family: Option<String>,
    name_given: Option<String>,
    organization_id: Option<i64>,
    /// The role in `organizationId`: `manager`, `member` or `viewer`.
    role: Option<String>,
    password: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PractitionerChange {
    name_family: Option<String>,
    name_given: Option<String>,
    is_active: Option<bool>,
}

/// A new setting (all required) or a change.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct SettingBody {
    key: Option<String>,
    /// `string`, `int`, `float`, `bool` or `json`.
    value_type: Option<String>,
    value: Option<Value>,
}
