//! Changing studies from the console: create, edit, delete, enrol patients
//! and choose the patient apps. Reading them is `super::studies`.

use leptos::prelude::*;

use super::patients::NamedId;

#[cfg(feature = "ssr")]
fn fields(name: String, description: String, organization: Option<i64>) -> jhe_core::studies::StudyFields {
    jhe_core::studies::StudyFields { name: Some(name), description: Some(description), organization, icon_url: None }
}

#[server(prefix = "/console/api", endpoint = "add_study", input = crate::api::args::Form)]
pub async fn add_study(organization_id: i64, name: String, description: String) -> Result<i64, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let created = jhe_core::studies::create(&db, &caller, fields(name, description, Some(organization_id)))
        .await
        .map_err(|e| super::server::refuse_with(&e))?;
    Ok(created.id)
}

#[server(prefix = "/console/api", endpoint = "edit_study", input = crate::api::args::Form)]
pub async fn edit_study(id: i64, name: String, description: String) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::studies::update(&db, &caller, id, fields(name, description, None))
        .await
        .map(|_| ())
        .map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "delete_study", input = crate::api::args::Form)]
pub async fn delete_study(id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::studies::delete(&db, &caller, id).await.map_err(|e| super::server::refuse_with(&e))
}

/// Patients of the study's organization who are not enrolled yet.
#[server(prefix = "/console/api", endpoint = "enrolment_candidates", input = crate::api::args::Form)]
pub async fn enrolment_candidates(study_id: i64, organization_id: i64) -> Result<Vec<NamedId>, ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let enrolled = jhe_core::studies::patients(&db, &caller, study_id, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    let filter = jhe_core::store::patients::PatientFilter { organization_id: Some(organization_id), ..Default::default() };
    let all = jhe_core::patients::list(&db, &caller, filter, &request).await.map_err(|e| super::server::refuse_with(&e))?;
    Ok(all
        .items
        .into_iter()
        .filter(|p| !enrolled.items.iter().any(|e| e.id == p.id))
        .map(|p| NamedId {
            id: p.id,
            name: super::full_name(p.name_given.as_deref().unwrap_or_default(), p.name_family.as_deref().unwrap_or_default()),
        })
        .collect())
}

#[server(prefix = "/console/api", endpoint = "enrol_patient", input = crate::api::args::Form)]
pub async fn enrol_patient(study_id: i64, patient_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::studies::enrol(&db, &caller, study_id, &[patient_id]).await.map(|_| ()).map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "unenrol_patient", input = crate::api::args::Form)]
pub async fn unenrol_patient(study_id: i64, patient_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::studies::unenrol(&db, &caller, study_id, &[patient_id]).await.map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "add_study_client", input = crate::api::args::Form)]
pub async fn add_study_client(study_id: i64, client_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::clients::add_to_study(&db, &caller, study_id, client_id).await.map(|_| ()).map_err(|e| super::server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "remove_study_client", input = crate::api::args::Form)]
pub async fn remove_study_client(study_id: i64, client_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = super::server::caller().await?;
    jhe_core::clients::remove_from_study(&db, &caller, study_id, client_id).await.map_err(|e| super::server::refuse_with(&e))
}
