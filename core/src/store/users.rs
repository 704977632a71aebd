//! Users: everyone who can sign in (practitioners, patients, super users).

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub user_type: Option<String>,
    pub is_superuser: bool,
    pub is_active: bool,
    pub identifier: String,
    pub last_login: Option<Micros>,
    pub date_joined: Micros,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub user_type: Option<&'a str>,
    pub is_superuser: bool,
    pub identifier: &'a str,
    pub date_joined: Micros,
}

const COLUMNS: &str = "id, email, password_hash, first_name, last_name, user_type, is_superuser, \
                       is_active, identifier, last_login, date_joined";

pub async fn insert(conn: Conn<'_>, user: &NewUser<'_>) -> StoreResult<i64> {
    let sql = "INSERT INTO users (email, password_hash, first_name, last_name, user_type, \
               is_superuser, identifier, date_joined) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.first_name)
        .bind(user.last_name)
        .bind(user.user_type)
        .bind(user.is_superuser)
        .bind(user.identifier)
        .bind(user.date_joined)
        .fetch_one(c)
        .await)?;
    Ok(id)
}

pub async fn by_email(conn: Conn<'_>, email: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(email).fetch_optional(c).await)?)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

/// Every user, by last name.
pub async fn all(conn: Conn<'_>) -> StoreResult<Vec<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY last_name, id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn count(conn: Conn<'_>) -> StoreResult<i64> {
    let (n,): (i64,) =
        on_conn!(conn, c => sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(c).await)?;
    Ok(n)
}

pub async fn set_superuser(conn: Conn<'_>, id: i64, is_superuser: bool) -> StoreResult<()> {
    let sql = "UPDATE users SET is_superuser = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(is_superuser).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_last_login(conn: Conn<'_>, id: i64, at: Micros) -> StoreResult<()> {
    let sql = "UPDATE users SET last_login = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_active(conn: Conn<'_>, id: i64, active: bool) -> StoreResult<()> {
    let sql = "UPDATE users SET is_active = $2 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(active).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM users WHERE id = $1";
    let done = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}
