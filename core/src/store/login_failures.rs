//! Counts of failed sign-ins per key (an account or an address).

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct LoginFailureRow {
    pub key: String,
    pub failures: i64,
    pub first_failure: Micros,
    pub locked_until: Micros,
}

pub async fn get(conn: Conn<'_>, key: &str) -> StoreResult<Option<LoginFailureRow>> {
    let sql = "SELECT key, failures, first_failure, locked_until FROM login_failures WHERE key = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(key).fetch_optional(c).await)?)
}

pub async fn put(conn: Conn<'_>, row: &LoginFailureRow) -> StoreResult<()> {
    let sql = "INSERT INTO login_failures (key, failures, first_failure, locked_until) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (key) DO UPDATE SET failures = $2, first_failure = $3, locked_until = $4";
    on_conn!(conn, c => sqlx::query(sql).bind(&row.key).bind(row.failures).bind(row.first_failure)
        .bind(row.locked_until).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn clear(conn: Conn<'_>, key: &str) -> StoreResult<()> {
    let sql = "DELETE FROM login_failures WHERE key = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
