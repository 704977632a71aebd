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
