//! System settings (JHE's `jhe_settings`): typed values, super users only.

use serde::Serialize;
use serde_json::Value;

use crate::authz;
use crate::caller::Caller;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::settings::{self as rows, SettingRow, SettingValue};
use crate::store::StoreError;
use crate::time;

/// The value types a setting may have.
pub const VALUE_TYPES: [&str; 5] = ["string", "int", "bool", "float", "json"];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Setting {
    pub id: i64,
    pub key: String,
    pub value_type: String,
    pub resolved_value: Value,
    pub last_updated: String,
}

fn render(row: &SettingRow) -> Setting {
    let resolved_value = match row.value() {
        Some(SettingValue::String(s)) => Value::from(s),
        Some(SettingValue::Int(i)) => Value::from(i),
        Some(SettingValue::Bool(b)) => Value::from(b),
        Some(SettingValue::Float(f)) => Value::from(f),
        Some(SettingValue::Json(text)) => serde_json::from_str(&text).unwrap_or(Value::Null),
        None => Value::Null,
    };
    Setting {
        id: row.id,
        key: row.key.clone(),
        value_type: row.value_type.clone(),
        resolved_value,
        last_updated: time::to_iso(row.last_updated),
    }
}

/// Reads a JSON value as a setting of the given type, naming what is wrong.
pub fn typed_value(value_type: &str, value: &Value) -> Result<SettingValue> {
    let wrong = || Error::invalid(format!("value: {value} is not a valid {value_type}"));
    // Each type takes its own JSON type, or a string spelling it (as forms send).
    Ok(match value_type {
        "string" => SettingValue::String(value.as_str().ok_or_else(wrong)?.to_owned()),
        "int" => SettingValue::Int(match value {
            Value::Number(n) => n.as_i64().ok_or_else(wrong)?,
            Value::String(s) => s.trim().parse().map_err(|_| wrong())?,
            _ => return Err(wrong()),
        }),
        "float" => SettingValue::Float(match value {
            Value::Number(n) => n.as_f64().ok_or_else(wrong)?,
            Value::String(s) => s.trim().parse().map_err(|_| wrong())?,
            _ => return Err(wrong()),
        }),
        "bool" => SettingValue::Bool(match value {
            Value::Bool(b) => *b,
            Value::Number(n) if n.as_i64() == Some(1) => true,
            Value::Number(n) if n.as_i64() == Some(0) => false,
            Value::String(s) => match s.trim().to_lowercase().as_str() {
                "true" | "1" | "yes" | "y" | "on" => true,
                "false" | "0" | "no" | "n" | "off" => false,
                _ => return Err(wrong()),
            },
            _ => return Err(wrong()),
        }),
        "json" => SettingValue::Json(value.to_string()),
        other => return Err(Error::invalid(format!("valueType: \"{other}\" is not one of {}", VALUE_TYPES.join(", ")))),
    })
}

pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<Setting>> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin_read().await?;
    let all = rows::all(tx.conn()).await?;
    tx.commit().await?;
    Ok(all.iter().map(render).collect())
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Setting> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin_read().await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(|| Error::NotFound("No JheSetting matches the given query.".into()))?;
    tx.commit().await?;
    Ok(render(&row))
}

pub async fn create(db: &Db, caller: &Caller, key: &str, value_type: &str, value: &Value) -> Result<Setting> {
    authz::require_superuser(caller)?;
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::invalid("key: must not be empty"));
    }
    let value = typed_value(value_type, value)?;
    let mut tx = db.begin().await?;
    let id = match rows::insert(tx.conn(), key, &value, time::now()).await {
        Ok(id) => id,
        Err(StoreError::Unique(_)) => return Err(Error::Conflict(format!("key: a setting {key} already exists"))),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    get(db, caller, id).await
}

/// Changes a setting's value (and type, which then needs a value).
pub async fn update(db: &Db, caller: &Caller, id: i64, value_type: Option<&str>, value: Option<&Value>) -> Result<Setting> {
    let current = get(db, caller, id).await?;
    let value_type = value_type.unwrap_or(&current.value_type);
    let value = match value {
        Some(value) => typed_value(value_type, value)?,
        None if value_type != current.value_type => {
            return Err(Error::invalid("value: required when changing valueType"));
        }
        None => return Ok(current),
    };
    let mut tx = db.begin().await?;
    rows::update(tx.conn(), id, &value, time::now()).await?;
    tx.commit().await?;
    get(db, caller, id).await
}

pub async fn delete(db: &Db, caller: &Caller, id: i64) -> Result<()> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    if !rows::delete(tx.conn(), id).await? {
        return Err(Error::NotFound("No JheSetting matches the given query.".into()));
    }
    tx.commit().await?;
    Ok(())
}
