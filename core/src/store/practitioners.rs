//! Practitioners and their role in each organization.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct PractitionerRow {
    pub id: i64,
    pub user_id: i64,
    pub identifier: Option<String>,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub settings: String,
    pub last_updated: Micros,
}

#[derive(Debug, Clone, FromRow)]
pub struct MembershipRow {
    pub organization_id: i64,
    pub role: String,
}

pub struct NewPractitioner<'a> {
    pub user_id: i64,
    pub identifier: Option<&'a str>,
    pub name_family: Option<&'a str>,
    pub name_given: Option<&'a str>,
    pub settings: &'a str,
}

pub async fn insert(conn: Conn<'_>, p: &NewPractitioner<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO practitioners (user_id, identifier, name_family, name_given, settings, last_updated) \
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(p.user_id).bind(p.identifier).bind(p.name_family).bind(p.name_given)
        .bind(p.settings).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

const COLUMNS: &str = "id, user_id, identifier, name_family, name_given, settings, last_updated";

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<PractitionerRow>> {
    let sql = format!("SELECT {COLUMNS} FROM practitioners WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

pub async fn all(conn: Conn<'_>) -> StoreResult<Vec<PractitionerRow>> {
    let sql = format!("SELECT {COLUMNS} FROM practitioners ORDER BY id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn set_names(conn: Conn<'_>, id: i64, name_family: Option<&str>, name_given: Option<&str>, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE practitioners SET name_family = $2, name_given = $3, last_updated = $4 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(name_family).bind(name_given).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_user(conn: Conn<'_>, user_id: i64) -> StoreResult<Option<PractitionerRow>> {
    let sql = "SELECT id, user_id, identifier, name_family, name_given, settings, last_updated \
               FROM practitioners WHERE user_id = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(user_id).fetch_optional(c).await)?)
}

/// Replaces the console's remembered choices (a JSON object).
pub async fn set_settings(conn: Conn<'_>, id: i64, settings: &str, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE practitioners SET settings = $2, last_updated = $3 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(settings).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn add_membership(
    conn: Conn<'_>,
    practitioner_id: i64,
    organization_id: i64,
    role: &str,
) -> StoreResult<i64> {
    let sql = "INSERT INTO practitioner_organizations (practitioner_id, organization_id, role) \
               VALUES ($1, $2, $3) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(practitioner_id).bind(organization_id).bind(role)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn memberships(conn: Conn<'_>, practitioner_id: i64) -> StoreResult<Vec<MembershipRow>> {
    let sql = "SELECT organization_id, role FROM practitioner_organizations \
               WHERE practitioner_id = $1 ORDER BY organization_id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(practitioner_id).fetch_all(c).await)?)
}

pub async fn set_role(conn: Conn<'_>, practitioner_id: i64, organization_id: i64, role: &str) -> StoreResult<()> {
    let sql = "UPDATE practitioner_organizations SET role = $3 WHERE practitioner_id = $1 AND organization_id = $2";
    on_conn!(conn, c => sqlx::query(sql).bind(practitioner_id).bind(organization_id).bind(role)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_membership(conn: Conn<'_>, practitioner_id: i64, organization_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM practitioner_organizations WHERE practitioner_id = $1 AND organization_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(practitioner_id).bind(organization_id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
