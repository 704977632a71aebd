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

/// Every organization, by name.
pub async fn all(conn: Conn<'_>) -> StoreResult<Vec<OrganizationRow>> {
    let sql = "SELECT id, name, type, part_of_id, last_updated FROM organizations ORDER BY name, id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).fetch_all(c).await)?)
}

pub async fn update(conn: Conn<'_>, id: i64, name: &str, kind: &str, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE organizations SET name = $2, type = $3, last_updated = $4 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(name).bind(kind).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
}

/// The practitioners of an organization, by last name.
pub async fn members(conn: Conn<'_>, organization_id: i64) -> StoreResult<Vec<MemberRow>> {
    let sql = "SELECT u.id AS user_id, u.email, u.first_name, u.last_name, po.role FROM practitioner_organizations po \
               JOIN practitioners p ON p.id = po.practitioner_id JOIN users u ON u.id = p.user_id \
               WHERE po.organization_id = $1 ORDER BY u.last_name, u.id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(organization_id).fetch_all(c).await)?)
}

/// Deletes the organization with its whole subtree and their studies.
pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM organizations WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
