//! The request bodies of `/api/v1`: what handlers parse (with
//! [`ApiJson`](crate::web::errors::ApiJson), which names the field at fault)
//! and what the OpenAPI document shows. Keys are camelCase; JHE's clients
//! also send snake_case, so each multi-word key has its snake_case alias.
//! Integer ids may come as numbers or as numeric strings, as JHE accepts.

use jhe_core::{data_sources, organizations};
use serde::{Deserialize, Deserializer};
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

/// An integer, or a string holding one.
#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient {
    Number(i64),
    Text(String),
}

impl Lenient {
    fn value<E: serde::de::Error>(self) -> Result<i64, E> {
        match self {
            Lenient::Number(n) => Ok(n),
            Lenient::Text(text) => text.trim().parse().map_err(|_| E::custom(format!("\"{text}\" is not an integer"))),
        }
    }
}

fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Lenient::deserialize(deserializer).map_err(|_| serde::de::Error::custom("must be an integer"))?.value()
}

fn optional_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<Lenient>::deserialize(deserializer).map_err(|_| serde::de::Error::custom("must be an integer"))? {
        None => Ok(None),
        Some(lenient) => lenient.value().map(Some),
    }
}

fn ints<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    let items = Vec::<Lenient>::deserialize(deserializer).map_err(|_| serde::de::Error::custom("must be a list of integers"))?;
    items.into_iter().map(Lenient::value).collect()
}

/// A field where `null` means "clear it" and absence means "leave it".
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A value that, once the key is there, is checked even when `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewOrganization {
    pub name: String,
    /// One of the keys of `GET /api/v1/organizations/types`.
    #[serde(rename = "type")]
    #[schema(schema_with = organization_type)]
    pub kind: String,
    #[serde(default, alias = "part_of", deserialize_with = "optional_int")]
    pub part_of: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct OrganizationChange {
    pub name: Option<String>,
    #[serde(rename = "type")]
    #[schema(schema_with = organization_type)]
    pub kind: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    #[serde(alias = "jhe_user_id", deserialize_with = "int")]
    pub jhe_user_id: i64,
    #[serde(alias = "organization_partitioner_role")]
    #[schema(schema_with = role)]
    pub organization_partitioner_role: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    #[serde(alias = "jhe_user_id", deserialize_with = "int")]
    pub jhe_user_id: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct PatientIdentifier {
    pub system: String,
    pub value: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewPatient {
    #[serde(alias = "telecom_email")]
    #[schema(format = Email)]
    pub telecom_email: String,
    /// The organization the patient joins.
    #[serde(alias = "organization_id", deserialize_with = "int")]
    pub organization_id: i64,
    #[serde(flatten)]
    pub details: PatientDetails,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientChange {
    #[serde(alias = "telecom_email")]
    #[schema(format = Email)]
    pub telecom_email: Option<String>,
    #[serde(flatten)]
    pub details: PatientDetails,
}

/// What a patient's record holds besides the email and the organization.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientDetails {
    #[serde(alias = "name_family")]
    pub name_family: Option<String>,
    #[serde(alias = "name_given")]
    pub name_given: Option<String>,
    #[serde(alias = "birth_date")]
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    #[serde(alias = "telecom_phone")]
    pub telecom_phone: Option<String>,
    pub identifiers: Option<Vec<PatientIdentifier>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeConsentAnswer {
    #[serde(alias = "coding_system")]
    pub coding_system: String,
    #[serde(alias = "coding_code")]
    pub coding_code: String,
    /// Required, except when withdrawing.
    pub consented: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StudyConsentAnswers {
    #[serde(alias = "study_id", deserialize_with = "int")]
    pub study_id: i64,
    #[serde(alias = "scope_consents")]
    pub scope_consents: Vec<ScopeConsentAnswer>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentAnswers {
    #[serde(alias = "study_scope_consents")]
    pub study_scope_consents: Vec<StudyConsentAnswers>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewStudy {
    pub name: String,
    pub description: String,
    /// The organization's id.
    #[serde(deserialize_with = "int")]
    pub organization: i64,
    #[serde(alias = "icon_url")]
    pub icon_url: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StudyChange {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Moves the study to this organization.
    #[serde(default, deserialize_with = "optional_int")]
    pub organization: Option<i64>,
    /// `null` removes the icon.
    #[serde(default, alias = "icon_url", deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub icon_url: Option<Option<String>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceLink {
    #[serde(alias = "data_source_id", deserialize_with = "int")]
    pub data_source_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeCodeLink {
    /// A data type's id.
    #[serde(alias = "scope_code_id", deserialize_with = "int")]
    pub scope_code_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientIds {
    #[serde(alias = "patient_ids", deserialize_with = "ints")]
    pub patient_ids: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewDataSource {
    pub name: String,
    /// `personal_device` by default.
    #[serde(rename = "type")]
    #[schema(schema_with = data_source_type)]
    pub kind: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct DataSourceChange {
    pub name: Option<String>,
    #[serde(rename = "type")]
    #[schema(schema_with = data_source_type)]
    pub kind: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewDataType {
    #[serde(alias = "coding_system")]
    pub coding_system: String,
    #[serde(alias = "coding_code")]
    pub coding_code: String,
    pub text: String,
    /// A JSON Schema for the type's data points; optional for codes with a built-in schema.
    pub schema: Option<Value>,
}

#[derive(Deserialize, ToSchema)]
pub struct DataTypeChange {
    pub text: Option<String>,
    pub schema: Option<Value>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewClient {
    pub name: String,
    /// The OAuth client id.
    #[serde(alias = "client_id")]
    pub client_id: String,
    /// Where an invitation link sends the patient; `CODE` stands for the token.
    #[serde(alias = "invitation_url")]
    pub invitation_url: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientChange {
    pub name: Option<String>,
    #[serde(alias = "client_id")]
    pub client_id: Option<String>,
    #[serde(alias = "invitation_url")]
    pub invitation_url: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientLink {
    /// The client's row id.
    #[serde(alias = "client_id", deserialize_with = "int")]
    pub client_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewPractitioner {
    #[serde(alias = "telecom_email")]
    #[schema(format = Email)]
    pub telecom_email: String,
    #[serde(alias = "name_family")]
    pub name_family: Option<String>,
    #[serde(alias = "name_given")]
    pub name_given: Option<String>,
    #[serde(default, alias = "organization_id", deserialize_with = "optional_int")]
    pub organization_id: Option<i64>,
    /// The role in `organizationId`.
    #[schema(schema_with = role)]
    pub role: Option<String>,
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerChange {
    #[serde(alias = "name_family")]
    pub name_family: Option<String>,
    #[serde(alias = "name_given")]
    pub name_given: Option<String>,
    #[serde(alias = "is_active")]
    pub is_active: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewSetting {
    pub key: String,
    #[serde(alias = "value_type")]
    #[schema(schema_with = value_type)]
    pub value_type: String,
    /// A value of `valueType`.
    pub value: Value,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingChange {
    #[serde(alias = "value_type")]
    #[schema(schema_with = value_type)]
    pub value_type: Option<String>,
    /// A value of the setting's `valueType`.
    #[serde(default, deserialize_with = "present")]
    pub value: Option<Value>,
}
