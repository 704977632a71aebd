//! The audit trail: who did what to which record, and when.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

/// One event, with the actor's email when the actor is a user still on file.
#[derive(Debug, Clone, FromRow)]
pub struct AuditEventRow {
    pub id: i64,
    pub occurred: Micros,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
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

/// Rows per INSERT: well under both databases' bound-parameter limits.
const INSERT_CHUNK: usize = 1000;

pub async fn record(mut conn: Conn<'_>, events: &[NewAuditEvent<'_>], now: Micros) -> StoreResult<()> {
    for chunk in events.chunks(INSERT_CHUNK) {
        on_conn!(conn.reborrow(), c => {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO audit_events (occurred, actor_user_id, action, object_type, object_id, patient_id, detail) ",
            );
            query.push_values(chunk, |mut row, event| {
                row.push_bind(now).push_bind(event.actor_user_id).push_bind(event.action).push_bind(event.object_type)
                    .push_bind(event.object_id).push_bind(event.patient_id).push_bind(event.detail);
            });
            query.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Which events to list; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_user_id: Option<i64>,
    pub patient_id: Option<i64>,
    /// From this instant on, inclusive.
    pub since: Option<Micros>,
    /// Before this instant.
    pub until: Option<Micros>,
}

fn push_filter<'a, DB: sqlx::Database>(query: &mut sqlx::QueryBuilder<'a, DB>, filter: &'a AuditFilter)
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    query.push(" WHERE 1 = 1");
    if let Some(action) = &filter.action {
        query.push(" AND e.action = ").push_bind(action.clone());
    }
    if let Some(actor) = filter.actor_user_id {
        query.push(" AND e.actor_user_id = ").push_bind(actor);
    }
    if let Some(patient) = filter.patient_id {
        query.push(" AND e.patient_id = ").push_bind(patient);
    }
    if let Some(since) = filter.since {
        query.push(" AND e.occurred >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        query.push(" AND e.occurred < ").push_bind(until);
    }
}

pub async fn count(conn: Conn<'_>, filter: &AuditFilter) -> StoreResult<i64> {
    let (n,): (i64,) = on_conn!(conn, c => {
        let mut query = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM audit_events e");
        push_filter(&mut query, filter);
        query.build_query_as().fetch_one(c).await
    })?;
    Ok(n)
}

/// Newest first.
pub async fn list(conn: Conn<'_>, filter: &AuditFilter, offset: i64, limit: i64) -> StoreResult<Vec<AuditEventRow>> {
    Ok(on_conn!(conn, c => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT e.id, e.occurred, e.actor_user_id, u.email AS actor_email, e.action, e.object_type, e.object_id, \
             e.patient_id, e.detail FROM audit_events e LEFT JOIN users u ON u.id = e.actor_user_id",
        );
        push_filter(&mut query, filter);
        query.push(" ORDER BY e.occurred DESC, e.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        query.build_query_as().fetch_all(c).await
    })?)
}
