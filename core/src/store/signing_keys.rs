//! Keys that sign ID tokens, shared by every replica through the database.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct SigningKeyRow {
    pub id: i64,
    pub kid: String,
    pub algorithm: String,
    pub private_key_pem: String,
}

pub async fn active(conn: Conn<'_>) -> StoreResult<Option<SigningKeyRow>> {
    let sql = "SELECT id, kid, algorithm, private_key_pem FROM signing_keys WHERE active ORDER BY id DESC LIMIT 1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).fetch_optional(c).await)?)
}

pub async fn by_kid(conn: Conn<'_>, kid: &str) -> StoreResult<Option<SigningKeyRow>> {
    let sql = "SELECT id, kid, algorithm, private_key_pem FROM signing_keys WHERE kid = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(kid).fetch_optional(c).await)?)
}

/// Adds a key and makes it the only active one.
pub async fn insert_active(mut conn: Conn<'_>, kid: &str, pem: &str, now: Micros) -> StoreResult<i64> {
    on_conn!(conn.reborrow(), c => sqlx::query("UPDATE signing_keys SET active = FALSE WHERE active")
        .execute(c).await.map(|r| r.rows_affected()))?;
    let sql = "INSERT INTO signing_keys (kid, algorithm, private_key_pem, active, created) \
               VALUES ($1, 'RS256', $2, TRUE, $3) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql).bind(kid).bind(pem).bind(now).fetch_one(c).await)?;
    Ok(id)
}

/// Makes one stored key the only active one.
pub async fn activate(mut conn: Conn<'_>, id: i64) -> StoreResult<()> {
    on_conn!(conn.reborrow(), c => sqlx::query("UPDATE signing_keys SET active = (id = $1)")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
