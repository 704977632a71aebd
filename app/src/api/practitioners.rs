//! Practitioners: the super user's list of practitioner accounts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PractitionerView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub organizations: Vec<String>,
}

#[cfg(feature = "ssr")]
fn view_of(p: jhe_core::practitioners::Practitioner) -> PractitionerView {
    PractitionerView {
        id: p.id,
        name: super::full_name(p.name_given.as_deref().unwrap_or_default(), p.name_family.as_deref().unwrap_or_default()),
        email: p.telecom_email,
        active: p.is_active,
        organizations: p.organizations.into_iter().map(|o| o.name).collect(),
    }
}

#[server(prefix = "/console/api", endpoint = "practitioners", input = crate::api::args::Form)]
pub async fn practitioners() -> Result<Vec<PractitionerView>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let all = jhe_core::practitioners::list(&db, &caller).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(all.into_iter().map(view_of).collect())
}

/// Adds a practitioner; `organization_id` and `role` go together, and an
/// empty password leaves single sign-on as the only way in.
#[server(prefix = "/console/api", endpoint = "add_practitioner", input = crate::api::args::Form)]
pub async fn add_practitioner(
    email: String,
    name_given: String,
    name_family: String,
    password: String,
    organization_id: Option<i64>,
    role: String,
) -> Result<i64, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    fn text(value: &str) -> Option<&str> {
        Some(value.trim()).filter(|v| !v.is_empty())
    }
    let new = jhe_core::practitioners::NewPractitioner {
        email: &email,
        name_given: text(&name_given),
        name_family: text(&name_family),
        organization_id,
        role: organization_id.and(text(&role)),
        password: Some(password.as_str()).filter(|p| !p.is_empty()),
    };
    let created = jhe_core::practitioners::create(&db, &caller, &new).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(created.id)
}

/// Deactivates (or reactivates) a practitioner's account.
#[server(prefix = "/console/api", endpoint = "set_practitioner_active", input = crate::api::args::Form)]
pub async fn set_practitioner_active(id: i64, active: bool) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::practitioners::update(&db, &caller, id, None, None, Some(active))
        .await
        .map(|_| ())
        .map_err(|e| super::server::refuse_with(&e))
}
