//! OAuth clients: patient apps (with an invitation URL), the console, and
//! practitioners' client-credentials keys.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct ClientRow {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    pub client_type: String,
    pub grant_type: String,
    pub client_secret_hash: Option<String>,
    pub redirect_uris: String,
    pub skip_authorization: bool,
    pub owner_user_id: Option<i64>,
    pub invitation_url: Option<String>,
    pub aux_data: Option<String>,
}

pub struct NewClient<'a> {
    pub client_id: &'a str,
    pub name: &'a str,
    /// `public` or `confidential`
    pub client_type: &'a str,
    /// `authorization-code` or `client-credentials`
    pub grant_type: &'a str,
    pub client_secret_hash: Option<&'a str>,
    /// Space-separated, matched exactly.
    pub redirect_uris: &'a str,
    pub owner_user_id: Option<i64>,
    pub invitation_url: Option<&'a str>,
    pub aux_data: Option<&'a str>,
}

const COLUMNS: &str = "id, client_id, name, client_type, grant_type, client_secret_hash, redirect_uris, \
                       skip_authorization, owner_user_id, invitation_url, aux_data";

pub async fn insert(conn: Conn<'_>, client: &NewClient<'_>, now: Micros) -> StoreResult<i64> {
    let sql = "INSERT INTO oauth_clients (client_id, name, client_type, grant_type, client_secret_hash, \
               redirect_uris, owner_user_id, invitation_url, aux_data, created, updated) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(client.client_id).bind(client.name).bind(client.client_type).bind(client.grant_type)
        .bind(client.client_secret_hash).bind(client.redirect_uris).bind(client.owner_user_id)
        .bind(client.invitation_url).bind(client.aux_data).bind(now)
        .fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_client_id(conn: Conn<'_>, client_id: &str) -> StoreResult<Option<ClientRow>> {
    let sql = format!("SELECT {COLUMNS} FROM oauth_clients WHERE client_id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(client_id).fetch_optional(c).await)?)
}

pub async fn list(conn: Conn<'_>) -> StoreResult<Vec<ClientRow>> {
    let sql = format!("SELECT {COLUMNS} FROM oauth_clients ORDER BY id");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn add_data_source(conn: Conn<'_>, client_id: i64, data_source_id: i64) -> StoreResult<i64> {
    let sql = "INSERT INTO client_data_sources (client_id, data_source_id) VALUES ($1, $2) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(client_id).bind(data_source_id).fetch_one(c).await)?;
    Ok(id)
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<ClientRow>> {
    let sql = format!("SELECT {COLUMNS} FROM oauth_clients WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

pub async fn delete(conn: Conn<'_>, id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM oauth_clients WHERE id = $1";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn update(conn: Conn<'_>, id: i64, name: &str, client_id: &str, invitation_url: &str, now: Micros) -> StoreResult<()> {
    let sql = "UPDATE oauth_clients SET name = $2, client_id = $3, invitation_url = $4, updated = $5 WHERE id = $1";
    on_conn!(conn, c => sqlx::query(sql).bind(id).bind(name).bind(client_id).bind(invitation_url).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn data_source_ids(conn: Conn<'_>, client_id: i64) -> StoreResult<Vec<i64>> {
    let sql = "SELECT data_source_id FROM client_data_sources WHERE client_id = $1 ORDER BY data_source_id";
    let rows: Vec<(i64,)> = on_conn!(conn, c => sqlx::query_as(sql).bind(client_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn remove_data_source(conn: Conn<'_>, client_id: i64, data_source_id: i64) -> StoreResult<bool> {
    let sql = "DELETE FROM client_data_sources WHERE client_id = $1 AND data_source_id = $2";
    let n = on_conn!(conn, c => sqlx::query(sql).bind(client_id).bind(data_source_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// `(link id, client)` of a study's apps, by link id.
pub async fn study_links(conn: Conn<'_>, study_id: i64) -> StoreResult<Vec<(i64, ClientRow)>> {
    #[derive(FromRow)]
    struct Row {
        link_id: i64,
        #[sqlx(flatten)]
        client: ClientRow,
    }
    let sql = "SELECT l.id AS link_id, c.id, c.client_id, c.name, c.client_type, c.grant_type, c.client_secret_hash, \
               c.redirect_uris, c.skip_authorization, c.owner_user_id, c.invitation_url, c.aux_data \
               FROM study_clients l JOIN oauth_clients c ON c.id = l.client_id WHERE l.study_id = $1 ORDER BY l.id";
    let rows: Vec<Row> = on_conn!(conn, c => sqlx::query_as(sql).bind(study_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| (r.link_id, r.client)).collect())
}

/// A practitioner's API key: the client row with its label.
#[derive(Debug, Clone, FromRow)]
pub struct PractitionerClientRow {
    pub id: i64,
    pub client_row_id: i64,
    pub client_id: String,
    pub label: String,
    pub created: Micros,
}

pub async fn add_practitioner_client(conn: Conn<'_>, client_row_id: i64, practitioner_id: i64, label: &str) -> StoreResult<i64> {
    let sql = "INSERT INTO practitioner_clients (client_id, practitioner_id, label) VALUES ($1, $2, $3) RETURNING id";
    let (id,): (i64,) = on_conn!(conn, c => sqlx::query_as(sql)
        .bind(client_row_id).bind(practitioner_id).bind(label).fetch_one(c).await)?;
    Ok(id)
}

pub async fn practitioner_clients(conn: Conn<'_>, practitioner_id: i64) -> StoreResult<Vec<PractitionerClientRow>> {
    let sql = "SELECT p.id, c.id AS client_row_id, c.client_id, p.label, c.created \
               FROM practitioner_clients p JOIN oauth_clients c ON c.id = p.client_id \
               WHERE p.practitioner_id = $1 ORDER BY p.id";
    Ok(on_conn!(conn, c => sqlx::query_as(sql).bind(practitioner_id).fetch_all(c).await)?)
}
