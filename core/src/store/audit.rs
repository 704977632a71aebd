//! The audit trail: who did what to which record, and when.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct AuditEventRow {
    pub id: i64,
    pub occurred: Micros,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub patient_id: Option<i64>,
    pub detail: String,
}

pub struct NewAuditEvent<'a> {
    pub actor_user_id: Option<i64>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    pub patient_id: Option<i64>,
    /// JSON object text.
    pub detail: &'a str,
}

pub async fn record(conn: Conn<'_>, event: &NewAuditEvent<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO audit_events (occurred, actor_user_id, action, object_type, object_id, patient_id, detail) \
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(now).bind(event.actor_user_id).bind(event.action).bind(event.object_type)
        .bind(event.object_id).bind(event.patient_id).bind(event.detail)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn recent(conn: Conn<'_>, limit: i64) -> StoreResult<Vec<AuditEventRow>> {
    let sql = "SELECT id, occurred, actor_user_id, action, object_type, object_id, patient_id, detail \
               FROM audit_events ORDER BY occurred DESC, id DESC LIMIT $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(limit).fetch_all(c).await)?)
}
