//! Observations: one OMH data point each, with its effective time projected
//! into indexed columns.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct ObservationRow {
    pub id: i64,
    pub patient_id: i64,
    pub data_type_id: i64,
    pub data_source_id: Option<i64>,
    pub status: String,
    pub omh_data: String,
    pub effective_date_time: Option<Micros>,
    pub effective_period_start: Option<Micros>,
    pub effective_period_end: Option<Micros>,
    pub version_id: i64,
    pub last_updated: Micros,
}

/// When an observation was effective: a point in time or a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effective {
    None,
    At(Micros),
    Period { start: Option<Micros>, end: Option<Micros> },
}

pub struct NewObservation<'a> {
    pub patient_id: i64,
    pub data_type_id: i64,
    pub data_source_id: Option<i64>,
    pub status: &'a str,
    pub omh_data: &'a str,
    pub effective: Effective,
}

const COLUMNS: &str = "id, patient_id, data_type_id, data_source_id, status, omh_data, \
                       effective_date_time, effective_period_start, effective_period_end, version_id, last_updated";

pub async fn insert(conn: Conn<'_>, o: &NewObservation<'_>, now: Micros) -> StoreResult<i64> {
    let (at, start, end) = match o.effective {
        Effective::None => (None, None, None),
        Effective::At(t) => (Some(t), None, None),
        Effective::Period { start, end } => (None, start, end),
    };
    let sort_key = at.or(start);
    let sql = "INSERT INTO observations (patient_id, data_type_id, data_source_id, status, omh_data, \
               effective_date_time, effective_period_start, effective_period_end, effective_start, last_updated) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(o.patient_id).bind(o.data_type_id).bind(o.data_source_id).bind(o.status)
        .bind(o.omh_data).bind(at).bind(start).bind(end).bind(sort_key).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<ObservationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM observations WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

pub async fn count(conn: Conn<'_>) -> StoreResult<i64> {
    let (n,): (i64,) = on_conn!(conn, c => sqlx::query_as("SELECT COUNT(*) FROM observations").fetch_one(c).await)?;
    Ok(n)
}

pub async fn add_identifier(conn: Conn<'_>, observation_id: i64, system: &str, value: &str) -> StoreResult<i64> {
    let sql = "INSERT INTO observation_identifiers (observation_id, system, value) VALUES ($1, $2, $3) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(observation_id).bind(system).bind(value).fetch_one(c).await)?;
    Ok(id)
}

/// One row of the admin observation list, with its patient and data type.
#[derive(Debug, Clone, FromRow)]
pub struct ListedObservationRow {
    pub id: i64,
    pub patient_id: i64,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub user_id: Option<i64>,
    pub data_type_id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
    pub last_updated: Micros,
    pub omh_data: String,
}

/// What an observation list is narrowed by. `practitioner_id` applies the
/// consent gate: only observations of a data type the patient consented to
/// in a study of one of that practitioner's organizations that requests it.
#[derive(Debug, Clone, Default)]
pub struct ObservationFilter {
    pub practitioner_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub study_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub observation_id: Option<i64>,
}

const LIST_FILTER: &str = "FROM observations o JOIN patients p ON p.id = o.patient_id \
     JOIN data_types t ON t.id = o.data_type_id WHERE \
     ($1 IS NULL OR EXISTS (SELECT 1 FROM study_patients sp JOIN studies s ON s.id = sp.study_id \
        JOIN practitioner_organizations po ON po.organization_id = s.organization_id \
        JOIN study_scope_requests r ON r.study_id = s.id AND r.data_type_id = o.data_type_id \
        JOIN study_patient_scope_consents c ON c.study_patient_id = sp.id AND c.data_type_id = o.data_type_id \
        WHERE sp.patient_id = o.patient_id AND po.practitioner_id = $1 AND c.consented \
        AND ($2 IS NULL OR s.organization_id = $2) AND ($3 IS NULL OR s.id = $3))) \
     AND ($4 IS NULL OR o.patient_id = $4) AND ($5 IS NULL OR o.id = $5)";

pub async fn count_listed(conn: Conn<'_>, filter: &ObservationFilter) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) {LIST_FILTER}");
    let (n,): (i64,) = on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(filter.practitioner_id).bind(filter.organization_id).bind(filter.study_id)
        .bind(filter.patient_id).bind(filter.observation_id)
        .fetch_one(c).await)?;
    Ok(n)
}

/// One page, newest first.
pub async fn list(conn: Conn<'_>, filter: &ObservationFilter, offset: i64, limit: i64) -> StoreResult<Vec<ListedObservationRow>> {
    let sql = format!(
        "SELECT o.id, o.patient_id, p.name_family, p.name_given, p.user_id, o.data_type_id, t.coding_system, \
         t.coding_code, t.text, o.last_updated, o.omh_data {LIST_FILTER} ORDER BY o.last_updated DESC, o.id DESC LIMIT $6 OFFSET $7"
    );
    Ok(on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(filter.practitioner_id).bind(filter.organization_id).bind(filter.study_id)
        .bind(filter.patient_id).bind(filter.observation_id).bind(limit).bind(offset)
        .fetch_all(c).await)?)
}
