//! Patient invitation links (only a hash of each link's token is kept).

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub patient_id: i64,
    pub client_id: i64,
    pub token_hash: String,
    pub status: String,
    pub created: Micros,
    pub expires: Micros,
    pub redeemed: Option<Micros>,
    pub last_updated: Micros,
}

const COLUMNS: &str = "id, patient_id, client_id, token_hash, status, created, expires, redeemed, last_updated";

pub struct NewInvitation<'a> {
    pub patient_id: i64,
    pub client_id: i64,
    pub token_hash: &'a str,
    pub created_by_user_id: Option<i64>,
    pub expires: Micros,
}

pub async fn insert(conn: Conn<'_>, new: &NewInvitation<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO patient_invitations (patient_id, client_id, token_hash, status, created_by_user_id, \
               created, expires, last_updated) VALUES ($1, $2, $3, 'issued', $4, $5, $6, $5) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(new.patient_id).bind(new.client_id).bind(new.token_hash).bind(new.created_by_user_id)
        .bind(now).bind(new.expires)
        .fetch_one(c).await)?;
    Ok(id)
}

/// Every link still usable (`issued`, or `redeemed` and so re-redeemable)
/// for this patient and client becomes `reissued`.
pub async fn reissue_open(conn: Conn<'_>, patient_id: i64, client_id: i64, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE patient_invitations SET status = 'reissued', last_updated = $3 \
               WHERE patient_id = $1 AND client_id = $2 AND status IN ('issued', 'redeemed')";
    on_conn!(conn, c => sqlx::query(sql).bind(patient_id).bind(client_id).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_token_hash(conn: Conn<'_>, token_hash: &str) -> StoreResult<Option<InvitationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM patient_invitations WHERE token_hash = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(token_hash).fetch_optional(c).await)?)
}

pub async fn set_status(conn: Conn<'_>, id: i64, status: &str, redeemed: Option<Micros>, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE patient_invitations SET status = $2, redeemed = COALESCE($3, redeemed), last_updated = $4 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(status).bind(redeemed).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A patient's invitations, newest first.
pub async fn for_patient(conn: Conn<'_>, patient_id: i64) -> StoreResult<Vec<InvitationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM patient_invitations WHERE patient_id = $1 ORDER BY last_updated DESC, id DESC");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(patient_id).fetch_all(c).await)?)
}
