//! Data sources (devices and apps) and the data types each supports.

use sqlx::FromRow;

use super::StoreResult;
use super::data_types::DataTypeRow;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct DataSourceRow {
    pub id: i64,
    pub name: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub last_updated: Micros,
}

/// One supported scope: the link id with the data type it names.
#[derive(Debug, Clone, FromRow)]
pub struct SupportedScopeRow {
    pub data_source_id: i64,
    #[sqlx(flatten)]
    pub data_type: DataTypeRow,
}

pub async fn insert(conn: Conn<'_>, name: &str, kind: &str, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO data_sources (name, type, last_updated) VALUES ($1, $2, $3) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(name).bind(kind).bind(now).fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<DataSourceRow>> {
    let sql = "SELECT id, name, type, last_updated FROM data_sources WHERE id = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn list(conn: Conn<'_>) -> StoreResult<Vec<DataSourceRow>> {
    let sql = "SELECT id, name, type, last_updated FROM data_sources ORDER BY id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).fetch_all(c).await)?)
}

pub async fn update(conn: Conn<'_>, id: i64, name: &str, kind: &str, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE data_sources SET name = $2, type = $3, last_updated = $4 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(name).bind(kind).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM data_sources WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn add_supported_scope(conn: Conn<'_>, data_source_id: i64, data_type_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO data_source_supported_scopes (data_source_id, data_type_id) \
               VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(data_source_id).bind(data_type_id).fetch_one(c).await)?;
    Ok(id)
}

pub async fn remove_supported_scope(conn: Conn<'_>, data_source_id: i64, data_type_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM data_source_supported_scopes WHERE data_source_id = $1 AND data_type_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(data_source_id).bind(data_type_id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The supported scopes of every data source, in one query.
pub async fn all_supported_scopes(conn: Conn<'_>) -> StoreResult<Vec<SupportedScopeRow>> {
    let sql = "SELECT s.data_source_id, t.id, t.coding_system, t.coding_code, t.text, t.json_schema, t.last_updated \
               FROM data_source_supported_scopes s JOIN data_types t ON t.id = s.data_type_id \
               ORDER BY s.data_source_id, t.id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).fetch_all(c).await)?)
}

/// `(link id, data type)` of one data source's supported scopes, by link id.
pub async fn supported_scope_links(conn: Conn<'_>, data_source_id: i64) -> StoreResult<Vec<(i64, DataTypeRow)>> {
    #[derive(FromRow)]
    struct Link {
        link_id: i64,
        #[sqlx(flatten)]
        data_type: DataTypeRow,
    }
    let sql = "SELECT s.id AS link_id, t.id, t.coding_system, t.coding_code, t.text, t.json_schema, t.last_updated \
               FROM data_source_supported_scopes s JOIN data_types t ON t.id = s.data_type_id \
               WHERE s.data_source_id = $1 ORDER BY s.id";
    let links: Vec<Link> = on_conn!(conn, c => sqlx::query_as(sql).bind(data_source_id).fetch_all(c).await)?;
    Ok(links.into_iter().map(|l| (l.link_id, l.data_type)).collect())
}
