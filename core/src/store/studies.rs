//! Studies with their data sources, scope requests, enrolled patients and clients.

use sqlx::FromRow;

use super::StoreResult;
use super::data_sources::DataSourceRow;
use super::data_types::DataTypeRow;
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

const COLUMNS: &str = "s.id, s.organization_id, s.name, s.description, s.icon_url, s.last_updated";

/// Studies owned by organizations the practitioner belongs to, by name.
pub async fn for_practitioner(conn: Conn<'_>, practitioner_id: i64, organization_id: Option<i64>) -> StoreResult<Vec<StudyRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM studies s JOIN practitioner_organizations po ON po.organization_id = s.organization_id \
         WHERE po.practitioner_id = $1 AND ($2 IS NULL OR s.organization_id = $2) ORDER BY s.name, s.id"
    );
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(practitioner_id).bind(organization_id).fetch_all(c).await)?)
}

/// Every study, by name.
pub async fn all(conn: Conn<'_>) -> StoreResult<Vec<StudyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM studies s ORDER BY s.name, s.id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Studies of one organization, by name.
pub async fn for_organization(conn: Conn<'_>, organization_id: i64) -> StoreResult<Vec<StudyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM studies s WHERE s.organization_id = $1 ORDER BY s.name, s.id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(organization_id).fetch_all(c).await)?)
}

/// Studies a patient is enrolled in, by id, with the enrolment id.
pub async fn enrolments_of_patient(conn: Conn<'_>, patient_id: i64) -> StoreResult<Vec<(i64, StudyRow)>> {
    #[derive(FromRow)]
    struct Row {
        enrolment_id: i64,
        #[sqlx(flatten)]
        study: StudyRow,
    }
    let sql = format!(
        "SELECT sp.id AS enrolment_id, {COLUMNS} FROM study_patients sp JOIN studies s ON s.id = sp.study_id \
         WHERE sp.patient_id = $1 ORDER BY s.id"
    );
    let rows: Vec<Row> = on_conn!(conn, c => sqlx::query_as(&sql).bind(patient_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| (r.enrolment_id, r.study)).collect())
}

pub async fn update(conn: Conn<'_>, study: &StudyRow, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE studies SET organization_id = $2, name = $3, description = $4, icon_url = $5, last_updated = $6 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(study.id).bind(study.organization_id).bind(&study.name)
        .bind(&study.description).bind(&study.icon_url).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_data_source(conn: Conn<'_>, study_id: i64, data_source_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM study_data_sources WHERE study_id = $1 AND data_source_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(study_id).bind(data_source_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn remove_scope_request(conn: Conn<'_>, study_id: i64, data_type_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM study_scope_requests WHERE study_id = $1 AND data_type_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(study_id).bind(data_type_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn unenrol(conn: Conn<'_>, study_id: i64, patient_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM study_patients WHERE study_id = $1 AND patient_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(study_id).bind(patient_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// `(link id, data source)` of a study, by data source name.
pub async fn data_source_links(conn: Conn<'_>, study_id: i64) -> StoreResult<Vec<(i64, DataSourceRow)>> {
    #[derive(FromRow)]
    struct Row {
        link_id: i64,
        #[sqlx(flatten)]
        source: DataSourceRow,
    }
    let sql = "SELECT l.id AS link_id, d.id, d.name, d.type, d.last_updated FROM study_data_sources l \
               JOIN data_sources d ON d.id = l.data_source_id WHERE l.study_id = $1 ORDER BY d.name, d.id";
    let rows: Vec<Row> = on_conn!(conn, c => sqlx::query_as(sql).bind(study_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| (r.link_id, r.source)).collect())
}

/// `(link id, data type)` of a study's scope requests, by link id.
pub async fn scope_request_links(conn: Conn<'_>, study_id: i64) -> StoreResult<Vec<(i64, DataTypeRow)>> {
    #[derive(FromRow)]
    struct Row {
        link_id: i64,
        #[sqlx(flatten)]
        data_type: DataTypeRow,
    }
    let sql = "SELECT r.id AS link_id, t.id, t.coding_system, t.coding_code, t.text, t.json_schema, t.last_updated \
               FROM study_scope_requests r JOIN data_types t ON t.id = r.data_type_id WHERE r.study_id = $1 ORDER BY r.id";
    let rows: Vec<Row> = on_conn!(conn, c => sqlx::query_as(sql).bind(study_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| (r.link_id, r.data_type)).collect())
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

pub async fn remove_client(conn: Conn<'_>, study_id: i64, client_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM study_clients WHERE study_id = $1 AND client_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(study_id).bind(client_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
