//! Typed system settings (JHE's `jhe_settings`).

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct SettingRow {
    pub id: i64,
    pub key: String,
    pub value_type: String,
    pub value_string: Option<String>,
    pub value_int: Option<i64>,
    pub value_bool: Option<bool>,
    pub value_float: Option<f64>,
    pub value_json: Option<String>,
    pub last_updated: Micros,
}

/// A setting's value, in the one column its type selects.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingValue {
    String(String),
    Int(i64),
    Bool(bool),
    Float(f64),
    /// JSON text.
    Json(String),
}

fn columns(value: &SettingValue) -> (&'static str, Option<&str>, Option<i64>, Option<bool>, Option<f64>, Option<&str>) {
    match value {
        SettingValue::String(v) => ("string", Some(v.as_str()), None, None, None, None),
        SettingValue::Int(v) => ("int", None, Some(*v), None, None, None),
        SettingValue::Bool(v) => ("bool", None, None, Some(*v), None, None),
        SettingValue::Float(v) => ("float", None, None, None, Some(*v), None),
        SettingValue::Json(v) => ("json", None, None, None, None, Some(v.as_str())),
    }
}

pub async fn insert(conn: Conn<'_>, key: &str, value: &SettingValue, now: Micros) -> StoreResult<i64> {
    let (kind, s, i, b, f, j) = columns(value);
    let sql = "INSERT INTO settings (key, value_type, value_string, value_int, value_bool, value_float, value_json, last_updated) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(key).bind(kind).bind(s).bind(i).bind(b).bind(f).bind(j).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn update(conn: Conn<'_>, id: i64, value: &SettingValue, now: Micros) -> StoreResult<()> {
    let (kind, s, i, b, f, j) = columns(value);
    let sql = "UPDATE settings SET value_type = $2, value_string = $3, value_int = $4, value_bool = $5, \
               value_float = $6, value_json = $7, last_updated = $8 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(kind).bind(s).bind(i).bind(b).bind(f).bind(j).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM settings WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

const COLUMNS: &str = "id, key, value_type, value_string, value_int, value_bool, value_float, value_json, last_updated";

pub async fn all(conn: Conn<'_>) -> StoreResult<Vec<SettingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM settings ORDER BY id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<SettingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM settings WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

pub async fn by_key(conn: Conn<'_>, key: &str) -> StoreResult<Option<SettingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM settings WHERE key = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(key).fetch_optional(c).await)?)
}

impl SettingRow {
    pub fn value(&self) -> Option<SettingValue> {
        match self.value_type.as_str() {
            "string" => self.value_string.clone().map(SettingValue::String),
            "int" => self.value_int.map(SettingValue::Int),
            "bool" => self.value_bool.map(SettingValue::Bool),
            "float" => self.value_float.map(SettingValue::Float),
            "json" => self.value_json.clone().map(SettingValue::Json),
            _ => None,
        }
    }
}
