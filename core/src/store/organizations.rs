//! Organizations: a tree rooted at ROOT (id 0).

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

pub const ROOT_ID: i64 = 0;

#[derive(Debug, Clone, FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub name: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub part_of_id: Option<i64>,
    pub last_updated: Micros,
}

pub async fn insert(
    conn: Conn<'_>,
    name: &str,
    kind: &str,
    part_of_id: Option<i64>,
    now: Micros,
) -> StoreResult<i64> {
    let sql = "INSERT INTO organizations (name, type, part_of_id, last_updated) \
               VALUES ($1, $2, $3, $4) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(name).bind(kind).bind(part_of_id).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<OrganizationRow>> {
    let sql = "SELECT id, name, type, part_of_id, last_updated FROM organizations WHERE id = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn children(conn: Conn<'_>, parent_id: i64) -> StoreResult<Vec<OrganizationRow>> {
    let sql = "SELECT id, name, type, part_of_id, last_updated FROM organizations \
               WHERE part_of_id = $1 ORDER BY name, id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(parent_id).fetch_all(c).await)?)
}

/// Deletes the organization with its whole subtree and their studies.
pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM organizations WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
