//! Patients for practitioners: the paged, searchable list, a patient's
//! details, and their invitation links.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;

/// Rows per page of the patient list.
pub const PATIENT_PAGE_SIZE: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedId {
    pub id: i64,
    pub name: String,
}

/// What the patient list can be narrowed to: the caller's organizations and
/// their studies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PatientFilterChoices {
    pub organizations: Vec<NamedId>,
    /// `(study, organization id)`.
    pub studies: Vec<(NamedId, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientView {
    pub id: i64,
    pub name_given: String,
    pub name_family: String,
    pub email: String,
    pub birth_date: String,
    pub phone: String,
    pub identifiers: Vec<String>,
    pub organizations: Vec<String>,
    /// Whether the signed-in user may change the patient, invite them and
    /// answer for them (a manager or member of one of their organizations).
    pub can_write: bool,
}

impl PatientView {
    pub fn full_name(&self) -> String {
        super::full_name(&self.name_given, &self.name_family)
    }
}


#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: i64,
    pub client: String,
    pub status: String,
    /// When it was issued or last changed, in microseconds since the epoch.
    pub last_updated: i64,
}

#[cfg(feature = "ssr")]
fn view_of(caller: &jhe_core::caller::Caller, patient: jhe_core::patients::Patient) -> PatientView {
    let organization_ids: Vec<i64> = patient.organizations.iter().map(|o| o.id).collect();
    PatientView {
        can_write: caller.is_superuser || caller.writes_in_any(&organization_ids),
        id: patient.id,
        name_given: patient.name_given.unwrap_or_default(),
        name_family: patient.name_family.unwrap_or_default(),
        email: patient.telecom_email.unwrap_or_default(),
        birth_date: patient.birth_date.unwrap_or_default(),
        phone: patient.telecom_phone.unwrap_or_default(),
        identifiers: patient.identifiers.into_iter().map(|i| format!("{}|{}", i.system, i.value)).collect(),
        organizations: patient.organizations.into_iter().map(|o| o.name).collect(),
    }
}

/// Empty form fields mean "not given".
#[cfg(feature = "ssr")]
fn given(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[server(prefix = "/console/api", endpoint = "patient_scopes", input = crate::api::args::Form)]
pub async fn patient_scopes() -> Result<PatientFilterChoices, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    // A patient's own pages (Observations) show the pickers empty: there is
    // nothing to narrow to, and no refusal to report.
    if caller.practitioner_id.is_none() && !caller.is_superuser {
        return Ok(PatientFilterChoices::default());
    }
    let all = jhe_core::organizations::list(&db, &caller, None).await.map_err(|e| super::server::refuse_with(&e))?;
    let organizations: Vec<NamedId> = all
        .into_iter()
        .filter(|o| o.current_user_role.is_some())
        .map(|o| NamedId { id: o.id, name: o.name })
        .collect();
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let studies = jhe_core::studies::list(&db, &caller, None, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(PatientFilterChoices {
        organizations,
        studies: studies.items.into_iter().map(|s| (NamedId { id: s.id, name: s.name }, s.organization.id)).collect(),
    })
}

/// One page of the patients the caller shares an organization with.
#[server(prefix = "/console/api", endpoint = "patients", input = crate::api::args::Form)]
pub async fn patients(organization_id: Option<i64>, study_id: Option<i64>, search: String, page: i64) -> Result<Page<PatientView>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let filter = jhe_core::store::patients::PatientFilter {
        organization_id,
        study_id,
        search: given(search),
        ..Default::default()
    };
    let request = jhe_core::paging::PageRequest { number: Some(page.max(1)), size: PATIENT_PAGE_SIZE };
    let found = jhe_core::patients::list(&db, &caller, filter, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(Page::of(found, |p| view_of(&caller, p)))
}

#[server(prefix = "/console/api", endpoint = "patient", input = crate::api::args::Form)]
pub async fn patient(id: i64) -> Result<PatientView, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::patients::get(&db, &caller, id).await.map(|p| view_of(&caller, p)).map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "add_patient", input = crate::api::args::Form)]
pub async fn add_patient(
    organization_id: i64,
    email: String,
    name_given: String,
    name_family: String,
    birth_date: String,
    phone: String,
) -> Result<i64, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let fields = jhe_core::patients::PatientFields {
        email: given(email),
        name_given: given(name_given),
        name_family: given(name_family),
        birth_date: given(birth_date),
        telecom_phone: given(phone),
        identifiers: None,
        organization_id: Some(organization_id),
    };
    let created = jhe_core::patients::create(&db, &caller, fields).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(created.id)
}

#[server(prefix = "/console/api", endpoint = "edit_patient", input = crate::api::args::Form)]
pub async fn edit_patient(id: i64, name_given: String, name_family: String, birth_date: String, phone: String) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let fields = jhe_core::patients::PatientFields {
        name_given: given(name_given),
        name_family: given(name_family),
        birth_date: given(birth_date),
        telecom_phone: given(phone),
        ..Default::default()
    };
    jhe_core::patients::update(&db, &caller, id, fields).await.map(|_| ()).map_err(|e| super::server::refuse_with(&e))
}

/// Patient apps a link can be issued for (those with an invitation URL).
#[server(prefix = "/console/api", endpoint = "invitation_clients", input = crate::api::args::Form)]
pub async fn invitation_clients() -> Result<Vec<NamedId>, ServerFnError> {
    let (db, _) = super::server::caller().await?;
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let clients = jhe_core::clients::list(&db, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(clients.items.into_iter().map(|c| NamedId { id: c.id, name: c.name }).collect())
}

#[server(prefix = "/console/api", endpoint = "invitations", input = crate::api::args::Form)]
pub async fn invitations(patient_id: i64) -> Result<Vec<InvitationView>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let all = jhe_core::invitations::list_for_patient(&db, &caller, patient_id).await.map_err(|e| super::server::refuse_with(&e))?;
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let clients = jhe_core::clients::list(&db, &request).await.map_err(|e| super::server::refuse_with(&e))?.items;
    Ok(all
        .into_iter()
        .map(|i| InvitationView {
            id: i.id,
            client: clients.iter().find(|c| c.id == i.client_id).map_or_else(|| i.client_id.to_string(), |c| c.name.clone()),
            status: i.status,
            last_updated: i.last_updated,
        })
        .collect())
}

/// Issues a link; the link itself is shown once, only in this answer.
#[server(prefix = "/console/api", endpoint = "generate_invitation", input = crate::api::args::Form)]
pub async fn generate_invitation(patient_id: i64, client_id: i64) -> Result<String, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let site = crate::auth::server::site_url()?;
    let invitation = jhe_core::invitations::create(&db, &caller, patient_id, client_id, &site.0)
        .await
        .map_err(|e| super::server::refuse_with(&e))?;
    // A new invitation always carries its link.
    Ok(invitation.invitation_link.unwrap_or_default())
}

/// The patients to pick from in filters (the first thousand, by id).
#[server(prefix = "/console/api", endpoint = "patient_choices", input = crate::api::args::Form)]
pub async fn patient_choices(organization_id: Option<i64>, study_id: Option<i64>) -> Result<Vec<NamedId>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let filter = jhe_core::store::patients::PatientFilter { organization_id, study_id, ..Default::default() };
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let found = jhe_core::patients::list(&db, &caller, filter, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(found.items.into_iter().map(|p| {
        let name = super::full_name(p.name_given.as_deref().unwrap_or_default(), p.name_family.as_deref().unwrap_or_default());
        NamedId { id: p.id, name }
    }).collect())
}
