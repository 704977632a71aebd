//! The request bodies of `/api/v1`, as the OpenAPI document describes them.
//! Handlers read bodies as JSON values, field by field, so that both key
//! spellings are accepted (`organizationId` and `organization_id`, see
//! [`super::field`]) and a fault names its field: these types describe the
//! camelCase spelling and are never built.
#![allow(dead_code)]

use jhe_core::{data_sources, organizations};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::{Object, ObjectBuilder, Type};

fn one_of(values: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).build()
}

fn organization_type() -> Object {
    one_of(organizations::TYPES.iter().map(|(code, _)| *code))
}

fn data_source_type() -> Object {
    one_of(data_sources::KINDS)
}

fn role() -> Object {
    one_of(["manager", "member", "viewer"])
}

fn value_type() -> Object {
    one_of(["string", "int", "float", "bool", "json"])
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewOrganization {
    name: String,
    /// One of the keys of `GET /api/v1/organizations/types`.
    #[schema(rename = "type", schema_with = organization_type)]
    kind: String,
    part_of: Option<i64>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct OrganizationChange {
    name: Option<String>,
    #[schema(rename = "type", schema_with = organization_type)]
    kind: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct Membership {
    jhe_user_id: i64,
    #[schema(schema_with = role)]
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

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewPatient {
    #[schema(format = Email)]
    telecom_email: String,
    /// The organization the patient joins.
    organization_id: i64,
    name_family: Option<String>,
    name_given: Option<String>,
    #[schema(format = Date)]
    birth_date: Option<String>,
    telecom_phone: Option<String>,
    identifiers: Option<Vec<PatientIdentifier>>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PatientChange {
    #[schema(format = Email)]
    telecom_email: Option<String>,
    name_family: Option<String>,
    name_given: Option<String>,
    #[schema(format = Date)]
    birth_date: Option<String>,
    telecom_phone: Option<String>,
    identifiers: Option<Vec<PatientIdentifier>>,
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

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewStudy {
    name: String,
    description: String,
    /// The organization's id.
    organization: i64,
    icon_url: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct StudyChange {
    name: Option<String>,
    description: Option<String>,
    /// Moves the study to this organization.
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

#[derive(ToSchema)]
pub struct NewDataSource {
    name: String,
    /// `personal_device` by default.
    #[schema(rename = "type", schema_with = data_source_type)]
    kind: Option<String>,
}

#[derive(ToSchema)]
pub struct DataSourceChange {
    name: Option<String>,
    #[schema(rename = "type", schema_with = data_source_type)]
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

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewClient {
    name: String,
    /// The OAuth client id.
    client_id: String,
    /// Where an invitation link sends the patient; `CODE` stands for the token.
    invitation_url: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ClientChange {
    name: Option<String>,
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
    #[schema(format = Email)]
    telecom_email: String,
    name_family: Option<String>,
    name_given: Option<String>,
    organization_id: Option<i64>,
    /// The role in `organizationId`.
    #[schema(schema_with = role)]
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

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewSetting {
    key: String,
    #[schema(schema_with = value_type)]
    value_type: String,
    /// A value of `valueType`.
    value: Value,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct SettingChange {
    #[schema(schema_with = value_type)]
    value_type: Option<String>,
    value: Option<Value>,
}
