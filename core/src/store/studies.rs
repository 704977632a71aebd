//! Studies with their data sources, scope requests, enrolled patients and clients.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct StudyRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub description: String,
    pub icon_url: Option<String>,
    pub last_updated: Micros,
}

pub async fn insert(
    conn: Conn<'_>,
    organization_id: i64,
    name: &str,
    description: &str,
    icon_url: Option<&str>,
    now: Micros,
) -> StoreResult<i64> {
    let sql = "INSERT INTO studies (organization_id, name, description, icon_url, last_updated) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(organization_id).bind(name).bind(description).bind(icon_url).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<StudyRow>> {
    let sql = "SELECT id, organization_id, name, description, icon_url, last_updated FROM studies WHERE id = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM studies WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn add_data_source(conn: Conn<'_>, study_id: i64, data_source_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO study_data_sources (study_id, data_source_id) VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(study_id).bind(data_source_id).fetch_one(c).await)?;
    Ok(id)
}

pub async fn data_source_ids(conn: Conn<'_>, study_id: i64) -> StoreResult<Vec<i64>> {
    let sql = "SELECT data_source_id FROM study_data_sources WHERE study_id = $1 ORDER BY data_source_id";
    let rows: Vec<(i64,)> = on_conn!(conn, c => sqlx::query_as(sql).bind(study_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn add_scope_request(conn: Conn<'_>, study_id: i64, data_type_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO study_scope_requests (study_id, data_type_id) VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(study_id).bind(data_type_id).fetch_one(c).await)?;
    Ok(id)
}

pub async fn scope_request_type_ids(conn: Conn<'_>, study_id: i64) -> StoreResult<Vec<i64>> {
    let sql = "SELECT data_type_id FROM study_scope_requests WHERE study_id = $1 ORDER BY id";
    let rows: Vec<(i64,)> = on_conn!(conn, c => sqlx::query_as(sql).bind(study_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Enrols a patient; returns the enrolment (study patient) id.
pub async fn enrol(conn: Conn<'_>, study_id: i64, patient_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO study_patients (study_id, patient_id) VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(study_id).bind(patient_id).fetch_one(c).await)?;
    Ok(id)
}

pub async fn enrolment_id(conn: Conn<'_>, study_id: i64, patient_id: i64) -> StoreResult<Option<i64>> {
    let sql = "SELECT id FROM study_patients WHERE study_id = $1 AND patient_id = $2";
    let row: Option<(i64,)> = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(study_id).bind(patient_id).fetch_optional(c).await)?;
    Ok(row.map(|(id,)| id))
}

pub async fn add_client(conn: Conn<'_>, study_id: i64, client_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO study_clients (study_id, client_id) VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(study_id).bind(client_id).fetch_one(c).await)?;
    Ok(id)
}
