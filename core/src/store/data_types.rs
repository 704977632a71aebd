//! Data types (JHE's CodeableConcepts): the coded scopes with their schema.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct DataTypeRow {
    pub id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
    pub json_schema: Option<String>,
    pub last_updated: Micros,
}

const COLUMNS: &str = "id, coding_system, coding_code, text, json_schema, last_updated";

pub async fn insert(
    conn: Conn<'_>,
    coding_system: &str,
    coding_code: &str,
    text: &str,
    json_schema: Option<&str>,
    now: Micros,
) -> StoreResult<i64> {
    let sql = "INSERT INTO data_types (coding_system, coding_code, text, json_schema, last_updated) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(coding_system).bind(coding_code).bind(text).bind(json_schema).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<DataTypeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM data_types WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

pub async fn by_code(conn: Conn<'_>, coding_system: &str, coding_code: &str) -> StoreResult<Option<DataTypeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM data_types WHERE coding_system = $1 AND coding_code = $2");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(coding_system).bind(coding_code).fetch_optional(c).await)?)
}

pub async fn by_coding_code(conn: Conn<'_>, coding_code: &str) -> StoreResult<Vec<DataTypeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM data_types WHERE coding_code = $1 ORDER BY id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(coding_code).fetch_all(c).await)?)
}

pub async fn list(conn: Conn<'_>) -> StoreResult<Vec<DataTypeRow>> {
    let sql = format!("SELECT {COLUMNS} FROM data_types ORDER BY id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn update(conn: Conn<'_>, id: i64, text: &str, json_schema: Option<&str>, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE data_types SET text = $2, json_schema = $3, last_updated = $4 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(text).bind(json_schema).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Refused with [`StoreError::ForeignKey`](super::StoreError) while anything uses the type.
pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM data_types WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
