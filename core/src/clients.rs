//! Patient apps (OAuth clients with an invitation URL): the apps patients
//! use to consent and upload, linked to data sources and studies. Only super
//! users change them; a study's managers and members choose its apps.

use serde::Serialize;

use crate::authz;
use crate::caller::Caller;
use crate::data_sources::DataSource;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::paging::{Page, PageRequest};
use crate::store::clients::{self as rows, ClientRow};
use crate::store::{self, StoreError};
use crate::studies::StudyRef;
use crate::time;

/// JHE's Client object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub invitation_url: String,
}

impl Client {
    fn from_row(row: &ClientRow) -> Option<Client> {
        row.invitation_url.as_ref().map(|url| Client {
            id: row.id,
            name: row.name.clone(),
            client_id: row.client_id.clone(),
            invitation_url: url.clone(),
        })
    }
}

fn not_found() -> Error {
    Error::NotFound("No Application matches the given query.".into())
}

async fn existing(conn: Conn<'_>, id: i64) -> Result<(ClientRow, Client)> {
    let row = rows::by_id(conn, id).await?.ok_or_else(not_found)?;
    let client = Client::from_row(&row).ok_or_else(not_found)?;
    Ok((row, client))
}

/// Patient apps, newest first.
pub async fn list(db: &Db, request: &PageRequest) -> Result<Page<Client>> {
    let mut tx = db.begin_read().await?;
    let mut all: Vec<ClientRow> = rows::list(tx.conn()).await?;
    tx.commit().await?;
    all.reverse();
    Page::of(all.iter().filter_map(Client::from_row).collect(), request)
}

pub async fn get(db: &Db, id: i64) -> Result<Client> {
    let mut tx = db.begin_read().await?;
    let (_, client) = existing(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(client)
}

fn check(name: &str, client_id: &str, invitation_url: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name: must not be empty"));
    }
    if client_id.trim().is_empty() || client_id.chars().any(char::is_whitespace) {
        return Err(Error::invalid("clientId: must be a non-empty string without spaces"));
    }
    if !invitation_url.contains("CODE") {
        return Err(Error::invalid("invitationUrl: must contain CODE, where the invitation code goes"));
    }
    Ok(())
}

/// A public app using the authorization code grant, redirected to this site.
pub async fn create(db: &Db, caller: &Caller, name: &str, client_id: &str, invitation_url: &str, site_url: &str) -> Result<Client> {
    authz::require_superuser(caller)?;
    check(name, client_id, invitation_url)?;
    let redirect = format!("{}/auth/callback", site_url.trim_end_matches('/'));
    let new = rows::NewClient {
        client_id: client_id.trim(),
        name: name.trim(),
        client_type: "public",
        grant_type: "authorization-code",
        client_secret_hash: None,
        redirect_uris: &redirect,
        owner_user_id: None,
        invitation_url: Some(invitation_url.trim()),
        aux_data: None,
    };
    let mut tx = db.begin().await?;
    let id = match rows::insert(tx.conn(), &new, time::now()).await {
        Ok(id) => id,
        Err(StoreError::Unique(_)) => return Err(Error::Conflict(format!("clientId: {client_id} is already taken"))),
        Err(e) => return Err(e.into()),
    };
    let (_, client) = existing(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(client)
}

pub async fn update(db: &Db, caller: &Caller, id: i64, name: Option<&str>, client_id: Option<&str>, invitation_url: Option<&str>) -> Result<Client> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    let (_, current) = existing(tx.conn(), id).await?;
    let name = name.unwrap_or(&current.name).trim().to_owned();
    let client_id = client_id.unwrap_or(&current.client_id).trim().to_owned();
    let invitation_url = invitation_url.unwrap_or(&current.invitation_url).trim().to_owned();
    check(&name, &client_id, &invitation_url)?;
    match rows::update(tx.conn(), id, &name, &client_id, &invitation_url, time::now()).await {
        Ok(()) => {}
        Err(StoreError::Unique(_)) => return Err(Error::Conflict(format!("clientId: {client_id} is already taken"))),
        Err(e) => return Err(e.into()),
    }
    let (_, client) = existing(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(client)
}

/// Deletes an app with its links, invitations and tokens.
pub async fn delete(db: &Db, caller: &Caller, id: i64) -> Result<()> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    existing(tx.conn(), id).await?;
    rows::delete(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(())
}

/// The data sources an app reads from (their scopes left out, as JHE does).
pub async fn data_sources(db: &Db, id: i64) -> Result<Vec<DataSource>> {
    let mut tx = db.begin_read().await?;
    existing(tx.conn(), id).await?;
    let ids = rows::data_source_ids(tx.conn(), id).await?;
    tx.commit().await?;
    let all = crate::data_sources::list(db).await?;
    Ok(all.into_iter().filter(|s| ids.contains(&s.id)).map(|s| DataSource { supported_scopes: vec![], ..s }).collect())
}

pub async fn add_data_source(db: &Db, caller: &Caller, id: i64, data_source_id: i64) -> Result<i64> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    existing(tx.conn(), id).await?;
    if store::data_sources::by_id(tx.conn(), data_source_id).await?.is_none() {
        return Err(Error::invalid(format!("dataSourceId: data source {data_source_id} does not exist")));
    }
    let link = match rows::add_data_source(tx.conn(), id, data_source_id).await {
        Ok(link) => link,
        Err(StoreError::Unique(_)) => return Err(Error::Conflict(format!("client {id} already reads data source {data_source_id}"))),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(link)
}

pub async fn remove_data_source(db: &Db, caller: &Caller, id: i64, data_source_id: i64) -> Result<()> {
    authz::require_superuser(caller)?;
    let mut tx = db.begin().await?;
    existing(tx.conn(), id).await?;
    if !rows::remove_data_source(tx.conn(), id, data_source_id).await? {
        return Err(Error::NotFound(format!("client {id} does not read data source {data_source_id}")));
    }
    tx.commit().await?;
    Ok(())
}

/// A study's app link.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StudyClient {
    pub id: i64,
    pub study: StudyRef,
    pub client: Client,
}

pub async fn of_study(db: &Db, caller: &Caller, study_id: i64) -> Result<Vec<StudyClient>> {
    let study = crate::studies::readable_ref(db, caller, study_id).await?;
    let mut tx = db.begin_read().await?;
    let links = rows::study_links(tx.conn(), study_id).await?;
    tx.commit().await?;
    Ok(links
        .iter()
        .filter_map(|(link, row)| Client::from_row(row).map(|client| StudyClient { id: *link, study: study.clone(), client }))
        .collect())
}

pub async fn add_to_study(db: &Db, caller: &Caller, study_id: i64, client_row_id: i64) -> Result<StudyClient> {
    let study = crate::studies::writable_ref(db, caller, study_id).await?;
    let mut tx = db.begin().await?;
    let (_, client) = existing(tx.conn(), client_row_id)
        .await
        .map_err(|_| Error::invalid(format!("clientId: client {client_row_id} does not exist")))?;
    let link = match store::studies::add_client(tx.conn(), study_id, client_row_id).await {
        Ok(link) => link,
        Err(StoreError::Unique(_)) => return Err(Error::Conflict(format!("study {study_id} already uses client {client_row_id}"))),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(StudyClient { id: link, study, client })
}

pub async fn remove_from_study(db: &Db, caller: &Caller, study_id: i64, client_row_id: i64) -> Result<()> {
    crate::studies::writable_ref(db, caller, study_id).await?;
    let mut tx = db.begin().await?;
    if !store::studies::remove_client(tx.conn(), study_id, client_row_id).await? {
        return Err(Error::NotFound(format!("study {study_id} does not use client {client_row_id}")));
    }
    tx.commit().await?;
    Ok(())
}
