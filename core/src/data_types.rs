//! Data types: coded OMH, IEEE or custom schemas that studies request,
//! patients consent to and observations carry.

use serde::Serialize;

use crate::authz;
use crate::caller::Caller;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::{StoreError, data_types as rows};
use crate::time;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataType {
    pub id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
}

impl From<rows::DataTypeRow> for DataType {
    fn from(row: rows::DataTypeRow) -> Self {
        DataType {
            id: row.id,
            coding_system: row.coding_system,
            coding_code: row.coding_code,
            text: row.text,
        }
    }
}

pub struct NewDataType<'a> {
    pub coding_system: &'a str,
    pub coding_code: &'a str,
    pub text: &'a str,
    /// The JSON Schema of a custom type; built-in OMH/IEEE types may omit it.
    pub schema: Option<&'a serde_json::Value>,
}

/// A data type with its JSON Schema (custom types; built-ins have none stored).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DataTypeDetail {
    #[serde(flatten)]
    pub data_type: DataType,
    pub schema: Option<serde_json::Value>,
}

/// FHIR resources are not OMH data points: their types need no schema.
const FHIR_RESOURCE_TYPES: &str = "http://hl7.org/fhir/resource-types";

/// A schema must be a JSON Schema whose references resolve; a type without
/// one must have a built-in schema for its code (or be a FHIR resource type).
fn check_schema(system: &str, code: &str, schema: Option<&serde_json::Value>) -> Result<Option<String>> {
    match schema {
        None | Some(serde_json::Value::Null) => {
            if system == FHIR_RESOURCE_TYPES || crate::schemas::builtin_uri(code).is_some() {
                Ok(None)
            } else {
                Err(Error::invalid(format!(
                    "schema: {code} is not a built-in Open mHealth or IEEE 1752 type, so it needs its JSON Schema"
                )))
            }
        }
        Some(schema) => {
            crate::schemas::check_schema(schema).map_err(|e| Error::invalid(format!("schema: {e}")))?;
            Ok(Some(schema.to_string()))
        }
    }
}

pub async fn create(db: &Db, caller: &Caller, new: &NewDataType<'_>) -> Result<DataType> {
    authz::require_superuser(caller)?;
    let system = new.coding_system.trim();
    let code = new.coding_code.trim();
    let text = new.text.trim();
    for (field, value) in [("codingSystem", system), ("codingCode", code), ("text", text)] {
        if value.is_empty() {
            return Err(Error::invalid(format!("{field}: must not be empty")));
        }
    }
    let schema = check_schema(system, code, new.schema)?;
    let mut tx = db.begin().await?;
    let id = match rows::insert(tx.conn(), system, code, text, schema.as_deref(), time::now()).await {
        Ok(id) => id,
        Err(StoreError::Unique(_)) => {
            return Err(Error::Conflict(format!(
                "a data type with codingSystem {system} and codingCode {code} already exists"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(DataType {
        id,
        coding_system: system.to_owned(),
        coding_code: code.to_owned(),
        text: text.to_owned(),
    })
}

pub async fn list(db: &Db) -> Result<Vec<DataType>> {
    let mut tx = db.begin_read().await?;
    let all = rows::list(tx.conn()).await?;
    tx.commit().await?;
    Ok(all.into_iter().map(DataType::from).collect())
}

/// Finds a data type by id, or by its code (`omh:heart-rate:2.0`) when the
/// reference is not a number.
pub async fn find(db: &Db, reference: &str) -> Result<DataType> {
    let mut tx = db.begin_read().await?;
    let found = match reference.trim().parse::<i64>() {
        Ok(id) => rows::by_id(tx.conn(), id).await?,
        Err(_) => {
            let mut matches = rows::by_coding_code(tx.conn(), reference.trim()).await?;
            if matches.len() > 1 {
                return Err(Error::invalid(format!(
                    "data type {reference} exists in several coding systems: give its id"
                )));
            }
            matches.pop()
        }
    };
    tx.commit().await?;
    found
        .map(DataType::from)
        .ok_or_else(|| Error::NotFound(format!("data type {reference} does not exist")))
}

pub async fn get(db: &Db, id: i64) -> Result<DataTypeDetail> {
    let mut tx = db.begin_read().await?;
    let row = rows::by_id(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No CodeableConcept matches the given query (id {id}).")))?;
    tx.commit().await?;
    let schema = row.json_schema.as_deref().and_then(|s| serde_json::from_str(s).ok());
    Ok(DataTypeDetail { data_type: row.into(), schema })
}

/// Changes a data type's display text or schema (its code stays: data refer to it).
pub async fn update(db: &Db, caller: &Caller, id: i64, text: Option<&str>, schema: Option<&serde_json::Value>) -> Result<DataTypeDetail> {
    authz::require_superuser(caller)?;
    let text = text.map(str::trim);
    if text.is_some_and(str::is_empty) {
        return Err(Error::invalid("text: must not be empty"));
    }
    let mut tx = db.begin().await?;
    let current = rows::by_id(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No CodeableConcept matches the given query (id {id}).")))?;
    let new_schema = match schema {
        Some(schema) => check_schema(&current.coding_system, &current.coding_code, Some(schema))?,
        None => None,
    };
    let schema_text = if schema.is_some() { new_schema } else { current.json_schema.clone() };
    rows::update(tx.conn(), id, text.unwrap_or(&current.text), schema_text.as_deref(), time::now()).await?;
    tx.commit().await?;
    get(db, id).await
}

/// The answer of "try a sample": every issue, or none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleCheck {
    pub valid: bool,
    pub errors: Vec<crate::schemas::Issue>,
}

/// Validates an OMH data point against a data type without storing anything.
pub async fn validate_sample(db: &Db, id: i64, data_point: &serde_json::Value) -> Result<SampleCheck> {
    let mut tx = db.begin_read().await?;
    let row = rows::by_id(tx.conn(), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No CodeableConcept matches the given query (id {id}).")))?;
    tx.commit().await?;
    let errors = crate::schemas::validate_data_point(&row.coding_code, row.json_schema.as_deref(), data_point)
        .map_err(|e| Error::invalid(e.to_string()))?;
    Ok(SampleCheck { valid: errors.is_empty(), errors })
}
