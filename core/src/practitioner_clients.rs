//! Practitioners' API keys: client-credentials clients that act as their
//! owner. The secret is shown once, at creation; only its hash is kept.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::secret;
use crate::store::clients;
use crate::time::{self, Micros};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PractitionerClient {
    pub id: i64,
    pub label: String,
    pub created: Micros,
    /// The OAuth client id.
    pub name: String,
    /// `base64("<client_id>:<client_secret>")`, for `Authorization: Basic`;
    /// only in the answer that created the key.
    pub key: Option<String>,
}

fn practitioner_of(caller: &Caller) -> Result<i64> {
    caller
        .practitioner_id
        .ok_or_else(|| Error::Forbidden("Only practitioners have API keys.".into()))
}

/// Creating and deleting keys takes the owner signed in: a leaked key must
/// not be able to mint its own replacement or remove the owner's others.
fn key_manager(caller: &Caller) -> Result<i64> {
    if caller.via_api_key {
        return Err(Error::Forbidden("An API key cannot create or delete API keys; its owner must sign in to do that.".into()));
    }
    practitioner_of(caller)
}

pub async fn create(db: &Db, caller: &Caller, label: &str) -> Result<PractitionerClient> {
    let practitioner_id = key_manager(caller)?;
    let label = label.trim();
    if label.chars().count() > 200 {
        return Err(Error::invalid("label: at most 200 characters"));
    }
    let client_id = secret::random_alphanumeric(16);
    let client_secret = secret::random_alphanumeric(32);
    let secret_hash = secret::hash(&client_secret);
    let now = time::now();
    let mut tx = db.begin().await?;
    let new = clients::NewClient {
        client_id: &client_id,
        name: &format!("_practitioner_client_{practitioner_id}_{}", time::to_datetime(now).format("%Y%m%d%H%M%S")),
        client_type: "confidential",
        grant_type: "client-credentials",
        client_secret_hash: Some(&secret_hash),
        redirect_uris: "",
        owner_user_id: Some(caller.user_id),
        invitation_url: None,
        aux_data: None,
    };
    let row_id = clients::insert(tx.conn(), &new, now).await?;
    let id = clients::add_practitioner_client(tx.conn(), row_id, practitioner_id, label).await?;
    tx.commit().await?;
    Ok(PractitionerClient {
        id,
        label: label.to_owned(),
        created: now,
        name: client_id.clone(),
        key: Some(STANDARD.encode(format!("{client_id}:{client_secret}"))),
    })
}

pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<PractitionerClient>> {
    let practitioner_id = practitioner_of(caller)?;
    let mut tx = db.begin_read().await?;
    let rows = clients::practitioner_clients(tx.conn(), practitioner_id).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| PractitionerClient { id: row.id, label: row.label, created: row.created, name: row.client_id, key: None })
        .collect())
}

/// Deletes one of the caller's own keys (and every token it issued).
pub async fn delete(db: &Db, caller: &Caller, id: i64) -> Result<()> {
    let practitioner_id = key_manager(caller)?;
    let mut tx = db.begin().await?;
    let row = clients::practitioner_clients(tx.conn(), practitioner_id)
        .await?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or_else(|| Error::NotFound("No PractitionerClient matches the given query.".into()))?;
    clients::delete(tx.conn(), row.client_row_id).await?;
    tx.commit().await?;
    Ok(())
}
