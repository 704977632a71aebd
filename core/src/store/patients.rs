//! Patients, their organizations and their identifiers.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct PatientRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub birth_date: Option<String>,
    pub telecom_phone: Option<String>,
    pub last_updated: Micros,
}

pub struct NewPatient<'a> {
    pub user_id: Option<i64>,
    pub name_family: Option<&'a str>,
    pub name_given: Option<&'a str>,
    /// `YYYY-MM-DD`
    pub birth_date: Option<&'a str>,
    pub telecom_phone: Option<&'a str>,
}

pub async fn insert(conn: Conn<'_>, p: &NewPatient<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO patients (user_id, name_family, name_given, birth_date, telecom_phone, last_updated) \
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(p.user_id).bind(p.name_family).bind(p.name_given).bind(p.birth_date)
        .bind(p.telecom_phone).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<PatientRow>> {
    let sql = "SELECT id, user_id, name_family, name_given, birth_date, telecom_phone, last_updated \
               FROM patients WHERE id = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await)?)
}

pub async fn by_user(conn: Conn<'_>, user_id: i64) -> StoreResult<Option<PatientRow>> {
    let sql = "SELECT id, user_id, name_family, name_given, birth_date, telecom_phone, last_updated \
               FROM patients WHERE user_id = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(user_id).fetch_optional(c).await)?)
}

const COLUMNS: &str = "p.id, p.user_id, p.name_family, p.name_given, p.birth_date, p.telecom_phone, p.last_updated";

/// What a patient list is narrowed by.
#[derive(Debug, Clone, Default)]
pub struct PatientFilter {
    /// Only patients sharing an organization with this practitioner.
    pub practitioner_id: Option<i64>,
    pub organization_id: Option<i64>,
    /// Only patients enrolled in this study.
    pub study_id: Option<i64>,
    pub patient_id: Option<i64>,
    /// Any of the patient's identifier values.
    pub identifier_value: Option<String>,
    /// Part of the patient's name, email or an identifier, any case.
    pub search: Option<String>,
}

impl PatientFilter {
    /// The `LIKE` pattern of `search`: lower case, wildcards in it taken literally.
    fn search_pattern(&self) -> Option<String> {
        let text = self.search.as_deref()?.trim().to_lowercase();
        if text.is_empty() {
            return None;
        }
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        Some(format!("%{escaped}%"))
    }
}

const FILTER: &str = "FROM patients p WHERE \
     ($1 IS NULL OR EXISTS (SELECT 1 FROM patient_organizations pa JOIN practitioner_organizations po \
        ON po.organization_id = pa.organization_id WHERE pa.patient_id = p.id AND po.practitioner_id = $1 \
        AND ($2 IS NULL OR pa.organization_id = $2))) \
     AND ($2 IS NULL OR EXISTS (SELECT 1 FROM patient_organizations pb WHERE pb.patient_id = p.id AND pb.organization_id = $2)) \
     AND ($3 IS NULL OR EXISTS (SELECT 1 FROM study_patients sp WHERE sp.patient_id = p.id AND sp.study_id = $3)) \
     AND ($4 IS NULL OR p.id = $4) \
     AND ($5 IS NULL OR EXISTS (SELECT 1 FROM patient_identifiers pi WHERE pi.patient_id = p.id AND pi.value = $5)) \
     AND ($6 IS NULL OR LOWER(COALESCE(p.name_given, '') || ' ' || COALESCE(p.name_family, '')) LIKE $6 ESCAPE '\\' \
        OR EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id AND LOWER(u.email) LIKE $6 ESCAPE '\\') \
        OR EXISTS (SELECT 1 FROM patient_identifiers pj WHERE pj.patient_id = p.id AND LOWER(pj.value) LIKE $6 ESCAPE '\\'))";

pub async fn count(conn: Conn<'_>, filter: &PatientFilter) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) {FILTER}");
    let (n,): (i64,) = on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(filter.practitioner_id).bind(filter.organization_id).bind(filter.study_id)
        .bind(filter.patient_id).bind(filter.identifier_value.as_deref()).bind(filter.search_pattern())
        .fetch_one(c).await)?;
    Ok(n)
}

/// One page of patients, by id.
pub async fn list(conn: Conn<'_>, filter: &PatientFilter, offset: i64, limit: i64) -> StoreResult<Vec<PatientRow>> {
    let sql = format!("SELECT {COLUMNS} {FILTER} ORDER BY p.id LIMIT $7 OFFSET $8");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(filter.practitioner_id).bind(filter.organization_id).bind(filter.study_id)
        .bind(filter.patient_id).bind(filter.identifier_value.as_deref()).bind(filter.search_pattern())
        .bind(limit).bind(offset)
        .fetch_all(c).await)?)
}

/// True when the patient and the practitioner share an organization.
pub async fn shares_organization(conn: Conn<'_>, patient_id: i64, practitioner_id: i64) -> StoreResult<bool> {
    let sql = "SELECT COUNT(*) FROM patient_organizations pa JOIN practitioner_organizations po \
               ON po.organization_id = pa.organization_id WHERE pa.patient_id = $1 AND po.practitioner_id = $2";
    let (n,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql).bind(patient_id).bind(practitioner_id).fetch_one(c).await)?;
    Ok(n > 0)
}

/// `(link id, system, value)` of one patient's identifiers.
pub async fn identifier_rows(conn: Conn<'_>, patient_id: i64) -> StoreResult<Vec<(i64, String, String)>> {
    let sql = "SELECT id, system, value FROM patient_identifiers WHERE patient_id = $1 ORDER BY id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(patient_id).fetch_all(c).await)?)
}

pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM patients WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn add_organization(conn: Conn<'_>, patient_id: i64, organization_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO patient_organizations (patient_id, organization_id) VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(patient_id).bind(organization_id).fetch_one(c).await)?;
    Ok(id)
}

pub async fn organization_ids(conn: Conn<'_>, patient_id: i64) -> StoreResult<Vec<i64>> {
    let sql = "SELECT organization_id FROM patient_organizations WHERE patient_id = $1 ORDER BY organization_id";
    let rows: Vec<(i64,)> = on_conn!(conn, c => sqlx::query_as(sql).bind(patient_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn add_identifier(conn: Conn<'_>, patient_id: i64, system: &str, value: &str) -> StoreResult<i64> {
    let sql = "INSERT INTO patient_identifiers (patient_id, system, value) VALUES ($1, $2, $3) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(patient_id).bind(system).bind(value).fetch_one(c).await)?;
    Ok(id)
}

/// `(system, value)` pairs of one patient.
pub async fn identifiers(conn: Conn<'_>, patient_id: i64) -> StoreResult<Vec<(String, String)>> {
    let sql = "SELECT system, value FROM patient_identifiers WHERE patient_id = $1 ORDER BY id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(patient_id).fetch_all(c).await)?)
}

pub async fn update(conn: Conn<'_>, p: &PatientRow, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE patients SET name_family = $2, name_given = $3, birth_date = $4, telecom_phone = $5, last_updated = $6 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(p.id).bind(&p.name_family).bind(&p.name_given).bind(&p.birth_date)
        .bind(&p.telecom_phone).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_identifiers(conn: Conn<'_>, patient_id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM patient_identifiers WHERE patient_id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(patient_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_organization(conn: Conn<'_>, patient_id: i64, organization_id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM patient_organizations WHERE patient_id = $1 AND organization_id = $2";
    on_conn!(conn, c => sqlx::query(sql).bind(patient_id).bind(organization_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends a patient's enrolments in the studies of one organization (their consents go with them).
pub async fn unenrol_from_organization(conn: Conn<'_>, patient_id: i64, organization_id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM study_patients WHERE patient_id = $1 \
               AND study_id IN (SELECT id FROM studies WHERE organization_id = $2)";
    on_conn!(conn, c => sqlx::query(sql).bind(patient_id).bind(organization_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
