//! OAuth authorization codes (grants) and access/refresh tokens. Codes and
//! tokens are never stored, only their hashes.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub client_id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
    pub nonce: Option<String>,
    pub expires: Micros,
    pub used: Option<Micros>,
}

pub struct NewGrant<'a> {
    pub code_hash: &'a str,
    pub client_id: i64,
    pub user_id: i64,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub code_challenge: &'a str,
    pub code_challenge_method: &'a str,
    pub nonce: Option<&'a str>,
    pub expires: Micros,
}

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub kind: String,
    pub client_id: Option<i64>,
    pub user_id: i64,
    pub scope: String,
    pub access_token_id: Option<i64>,
    pub created: Micros,
    pub expires: Option<Micros>,
    pub revoked: Option<Micros>,
    /// The issuing client's grant type (`client-credentials` for an API key).
    pub client_grant_type: Option<String>,
}

pub struct NewToken<'a> {
    pub token_hash: &'a str,
    /// `access` or `refresh`
    pub kind: &'a str,
    pub client_id: Option<i64>,
    pub user_id: i64,
    pub scope: &'a str,
    pub access_token_id: Option<i64>,
    pub grant_id: Option<i64>,
    pub expires: Option<Micros>,
}

pub async fn insert_grant(conn: Conn<'_>, grant: &NewGrant<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO oauth_grants (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, \
               code_challenge_method, nonce, created, expires) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(grant.code_hash).bind(grant.client_id).bind(grant.user_id).bind(grant.redirect_uri)
        .bind(grant.scope).bind(grant.code_challenge).bind(grant.code_challenge_method)
        .bind(grant.nonce).bind(now).bind(grant.expires)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn grant_by_code_hash(conn: Conn<'_>, code_hash: &str) -> StoreResult<Option<GrantRow>> {
    let sql = "SELECT id, client_id, user_id, redirect_uri, scope, code_challenge, code_challenge_method, \
               nonce, expires, used FROM oauth_grants WHERE code_hash = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(code_hash).fetch_optional(c).await)?)
}

/// Marks a grant used; false when another request used it first.
pub async fn use_grant(conn: Conn<'_>, id: i64, now: Micros) -> StoreResult<bool> {
    let sql = "UPDATE oauth_grants SET used = $2 WHERE id = $1 AND used IS NULL";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Removes the unused grants of one user for one client (a new invitation grant replaces them).
pub async fn delete_grants(conn: Conn<'_>, user_id: i64, client_id: i64) -> StoreResult<()> {
    let sql = "DELETE FROM oauth_grants WHERE user_id = $1 AND client_id = $2 AND used IS NULL";
    on_conn!(conn, c => sqlx::query(sql).bind(user_id).bind(client_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn insert_token(conn: Conn<'_>, token: &NewToken<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO oauth_tokens (token_hash, kind, client_id, user_id, scope, access_token_id, grant_id, created, expires) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(token.token_hash).bind(token.kind).bind(token.client_id).bind(token.user_id)
        .bind(token.scope).bind(token.access_token_id).bind(token.grant_id).bind(now).bind(token.expires)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn token_by_hash(conn: Conn<'_>, token_hash: &str) -> StoreResult<Option<TokenRow>> {
    let sql = "SELECT t.id, t.kind, t.client_id, t.user_id, t.scope, t.access_token_id, t.created, t.expires, t.revoked, \
                      c.grant_type AS client_grant_type \
               FROM oauth_tokens t LEFT JOIN oauth_clients c ON c.id = t.client_id WHERE t.token_hash = $1";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(token_hash).fetch_optional(c).await)?)
}

/// A bearer token with everything a request needs to know of its user, in
/// one row per organization membership (one row without any).
#[derive(Debug, Clone, FromRow)]
pub struct BearerRow {
    pub kind: String,
    pub user_id: i64,
    pub scope: String,
    pub expires: Option<Micros>,
    pub revoked: Option<Micros>,
    pub client_grant_type: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_superuser: bool,
    pub is_active: bool,
    pub practitioner_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub role: Option<String>,
}

/// The token with this hash, its user, their practitioner or patient record
/// and memberships: one statement, where loading them one by one took five.
pub async fn bearer(conn: Conn<'_>, token_hash: &str) -> StoreResult<Vec<BearerRow>> {
    let sql = "SELECT t.kind, t.user_id, t.scope, t.expires, t.revoked, c.grant_type AS client_grant_type, \
                      u.email, u.first_name, u.last_name, u.is_superuser, u.is_active, \
                      pr.id AS practitioner_id, pa.id AS patient_id, po.organization_id, po.role \
               FROM oauth_tokens t \
               JOIN users u ON u.id = t.user_id \
               LEFT JOIN oauth_clients c ON c.id = t.client_id \
               LEFT JOIN practitioners pr ON pr.user_id = u.id \
               LEFT JOIN patients pa ON pa.user_id = u.id \
               LEFT JOIN practitioner_organizations po ON po.practitioner_id = pr.id \
               WHERE t.token_hash = $1 ORDER BY po.organization_id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(token_hash).fetch_all(c).await)?)
}

/// Revokes one token; false when it was already revoked.
pub async fn revoke_token(conn: Conn<'_>, id: i64, now: Micros) -> StoreResult<bool> {
    let sql = "UPDATE oauth_tokens SET revoked = $2 WHERE id = $1 AND revoked IS NULL";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Revokes every token issued from one authorization code.
pub async fn revoke_tokens_of_grant(conn: Conn<'_>, grant_id: i64, now: Micros) -> StoreResult<u64> {
    let sql = "UPDATE oauth_tokens SET revoked = $2 WHERE grant_id = $1 AND revoked IS NULL";
    Ok(on_conn!(conn, c => sqlx::query(sql).bind(grant_id).bind(now).execute(c).await.map(|r| r.rows_affected()))?)
}

/// The grant a token came from (carried over on refresh).
pub async fn grant_of_token(conn: Conn<'_>, token_id: i64) -> StoreResult<Option<i64>> {
    let sql = "SELECT grant_id FROM oauth_tokens WHERE id = $1";
    let row: Option<(Option<i64>,)> = on_conn!(conn, c => sqlx::query_as(sql).bind(token_id).fetch_optional(c).await)?;
    Ok(row.and_then(|(g,)| g))
}
