//! A patient's consent decisions, per enrolment and data type.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct ConsentRow {
    pub id: i64,
    pub study_patient_id: i64,
    pub data_type_id: i64,
    pub consented: bool,
    pub consented_time: Micros,
    /// The user who gave the answer, and their email.
    pub consented_by: Option<i64>,
    pub consented_by_email: Option<String>,
}

pub async fn insert(
    conn: Conn<'_>,
    study_patient_id: i64,
    data_type_id: i64,
    consented: bool,
    by: Option<i64>,
    now: Micros,
) -> StoreResult<i64> {
    let sql = "INSERT INTO study_patient_scope_consents (study_patient_id, data_type_id, consented, consented_time, consented_by) \
               VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(study_patient_id).bind(data_type_id).bind(consented).bind(now).bind(by)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn for_enrolment(conn: Conn<'_>, study_patient_id: i64) -> StoreResult<Vec<ConsentRow>> {
    let sql = "SELECT c.id, c.study_patient_id, c.data_type_id, c.consented, c.consented_time, \
               c.consented_by, u.email AS consented_by_email \
               FROM study_patient_scope_consents c LEFT JOIN users u ON u.id = c.consented_by \
               WHERE c.study_patient_id = $1 ORDER BY c.id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(study_patient_id).fetch_all(c).await)?)
}

/// Consented `(patient_id, data_type_id)` pairs over all studies, for seeding
/// and for the consent checks that need them all at once.
pub async fn consented_pairs(conn: Conn<'_>) -> StoreResult<Vec<(i64, i64)>> {
    let sql = "SELECT sp.patient_id, c.data_type_id FROM study_patient_scope_consents c \
               JOIN study_patients sp ON sp.id = c.study_patient_id \
               WHERE c.consented ORDER BY c.id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).fetch_all(c).await)?)
}

/// Sets an existing answer; false when there is none.
pub async fn update(
    conn: Conn<'_>,
    study_patient_id: i64,
    data_type_id: i64,
    consented: bool,
    by: Option<i64>,
    now: Micros,
) -> StoreResult<bool> {
    let sql = "UPDATE study_patient_scope_consents SET consented = $3, consented_time = $4, consented_by = $5 \
               WHERE study_patient_id = $1 AND data_type_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(study_patient_id).bind(data_type_id).bind(consented).bind(now).bind(by)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes an answer (the scope is pending again); false when there was none.
pub async fn delete(conn: Conn<'_>, study_patient_id: i64, data_type_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM study_patient_scope_consents WHERE study_patient_id = $1 AND data_type_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(study_patient_id).bind(data_type_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Data types a patient has consented to in any study.
pub async fn consented_type_ids(conn: Conn<'_>, patient_id: i64) -> StoreResult<Vec<i64>> {
    let sql = "SELECT DISTINCT c.data_type_id FROM study_patient_scope_consents c \
               JOIN study_patients sp ON sp.id = c.study_patient_id WHERE sp.patient_id = $1 AND c.consented \
               ORDER BY c.data_type_id";
    let rows: Vec<(i64,)> = on_conn!(conn, c => sqlx::query_as(sql).bind(patient_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// One consent decision with what FHIR renders of it.
#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub study_patient_id: i64,
    pub study_id: i64,
    pub patient_id: i64,
    pub data_type_id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
    pub consented: bool,
    pub consented_time: Micros,
}

/// Consent decisions, of one patient and/or of the patients sharing an
/// organization with a practitioner, by patient, study and data type.
pub async fn decisions(conn: Conn<'_>, patient_id: Option<i64>, practitioner_id: Option<i64>) -> StoreResult<Vec<DecisionRow>> {
    let sql = "SELECT sp.id AS study_patient_id, sp.study_id, sp.patient_id, c.data_type_id, t.coding_system, t.coding_code, \
               t.text, c.consented, c.consented_time FROM study_patient_scope_consents c \
               JOIN study_patients sp ON sp.id = c.study_patient_id JOIN data_types t ON t.id = c.data_type_id \
               WHERE ($1 IS NULL OR sp.patient_id = $1) AND ($2 IS NULL OR EXISTS (SELECT 1 FROM patient_organizations pa \
               JOIN practitioner_organizations po ON po.organization_id = pa.organization_id \
               WHERE pa.patient_id = sp.patient_id AND po.practitioner_id = $2)) \
               ORDER BY sp.patient_id, sp.study_id, c.data_type_id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(patient_id).bind(practitioner_id).fetch_all(c).await)?)
}

/// An enrolment with scope requests its patient has not answered yet.
#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    pub study_id: i64,
    pub study_name: String,
    pub patient_id: i64,
    pub name_given: Option<String>,
    pub name_family: Option<String>,
    pub unanswered: i64,
}

/// Enrolments waiting for consent answers, in the studies of a
/// practitioner's organizations (all studies when `practitioner_id` is
/// `None`), by study then patient; at most `limit`.
pub async fn pending(conn: Conn<'_>, practitioner_id: Option<i64>, limit: i64) -> StoreResult<Vec<PendingRow>> {
    let sql = "SELECT sp.study_id, s.name AS study_name, sp.patient_id, p.name_given, p.name_family, COUNT(*) AS unanswered \
               FROM study_patients sp JOIN studies s ON s.id = sp.study_id JOIN patients p ON p.id = sp.patient_id \
               JOIN study_scope_requests r ON r.study_id = sp.study_id \
               WHERE ($1 IS NULL OR EXISTS (SELECT 1 FROM practitioner_organizations po \
                      WHERE po.organization_id = s.organization_id AND po.practitioner_id = $1)) \
               AND NOT EXISTS (SELECT 1 FROM study_patient_scope_consents c \
                      WHERE c.study_patient_id = sp.id AND c.data_type_id = r.data_type_id) \
               GROUP BY sp.study_id, s.name, sp.patient_id, p.name_given, p.name_family \
               ORDER BY s.name, sp.study_id, sp.patient_id LIMIT $2";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(practitioner_id).bind(limit).fetch_all(c).await)?)
}
