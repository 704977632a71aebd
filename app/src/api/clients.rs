//! Clients: the patient apps (OAuth clients with an invitation URL) and the
//! data sources each reads from.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDataSource {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientView {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub invitation_url: String,
    pub data_sources: Vec<ClientDataSource>,
}

#[server(prefix = "/console/api", endpoint = "clients", input = crate::api::args::Form)]
pub async fn clients() -> Result<Vec<ClientView>, ServerFnError> {
    let (db, _) = super::server::caller().await?;
    let refuse = |e: jhe_core::Error| super::server::refuse_with(&e);
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let page = jhe_core::clients::list(&db, &request).await.map_err(refuse)?;
    let mut views = Vec::with_capacity(page.items.len());
    for client in page.items {
        let sources = jhe_core::clients::data_sources(&db, client.id).await.map_err(refuse)?;
        views.push(ClientView {
            id: client.id,
            name: client.name,
            client_id: client.client_id,
            invitation_url: client.invitation_url,
            data_sources: sources.into_iter().map(|s| ClientDataSource { id: s.id, name: s.name }).collect(),
        });
    }
    Ok(views)
}

/// Adds a patient app; `invitation_url` must hold `CODE`. Answers its id.
#[server(prefix = "/console/api", endpoint = "add_client", input = crate::api::args::Form)]
pub async fn add_client(name: String, client_id: String, invitation_url: String) -> Result<i64, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let site = crate::auth::server::site_url()?;
    jhe_core::clients::create(&db, &caller, &name, &client_id, &invitation_url, &site.0)
        .await
        .map(|c| c.id)
        .map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "add_client_data_source", input = crate::api::args::Form)]
pub async fn add_client_data_source(client: i64, data_source_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::clients::add_data_source(&db, &caller, client, data_source_id)
        .await
        .map(|_| ())
        .map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "remove_client_data_source", input = crate::api::args::Form)]
pub async fn remove_client_data_source(client: i64, data_source_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::clients::remove_data_source(&db, &caller, client, data_source_id)
        .await
        .map_err(|e| super::server::refuse_with(&e))
}
