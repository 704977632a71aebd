//! The audit trail, for super users.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;

/// Rows per page of the audit screen.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// The screen's filters; an empty action means every action.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditFilters {
    pub action: String,
    pub patient_id: Option<i64>,
    pub page: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEventView {
    pub id: i64,
    /// When, in microseconds since the epoch (the console shows it in the
    /// reader's time zone).
    pub occurred: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub patient_id: Option<i64>,
    /// The event's detail object, as compact JSON.
    pub detail: String,
}


#[cfg(feature = "ssr")]
fn view_of(event: jhe_core::audit::AuditEvent) -> AuditEventView {
    let occurred = jhe_core::time::parse_iso(&event.occurred);
    let actor = match (event.actor_email, event.actor_user_id) {
        (Some(email), _) => email,
        (None, Some(id)) => format!("user {id}"),
        (None, None) => "—".to_owned(),
    };
    let object = match event.object_id {
        Some(id) => format!("{} {id}", event.object_type),
        None => event.object_type,
    };
    AuditEventView { id: event.id, occurred, actor, action: event.action, object, patient_id: event.patient_id, detail: event.detail.to_string() }
}

#[server(prefix = "/console/api", endpoint = "audit_events", input = crate::api::args::Json)]
pub async fn audit_events(filters: AuditFilters) -> Result<Page<AuditEventView>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let filter = jhe_core::audit::AuditFilter {
        action: Some(filters.action).filter(|a| !a.is_empty()),
        patient_id: filters.patient_id,
        ..Default::default()
    };
    let request = jhe_core::paging::PageRequest { number: Some(filters.page.max(1)), size: AUDIT_PAGE_SIZE };
    let page = jhe_core::audit::list(&db, &caller, &filter, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(Page::of(page, view_of))
}

/// The actions one can filter on.
#[server(prefix = "/console/api", endpoint = "audit_actions", input = crate::api::args::Form)]
pub async fn audit_actions() -> Result<Vec<String>, ServerFnError> {
    super::server::caller().await?;
    Ok(jhe_core::audit::ACTIONS.iter().map(|a| (*a).to_owned()).collect())
}
