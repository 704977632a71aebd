//! Patients: who they are, which organizations hold them, and who may see them.

use serde::Serialize;

use crate::authz;
use crate::caller::Caller;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::organizations::Organization;
use crate::paging::{Page, PageRequest};
use crate::store::patients::{self as rows, PatientFilter, PatientRow};
use crate::store::{organizations, users};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identifier {
    pub id: i64,
    pub system: String,
    pub value: String,
}

/// JHE's Patient object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: i64,
    pub jhe_user_id: Option<i64>,
    pub identifiers: Vec<Identifier>,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub birth_date: Option<String>,
    pub telecom_phone: Option<String>,
    pub telecom_email: Option<String>,
    pub organizations: Vec<Organization>,
}

/// The full Patient object of a stored row.
pub async fn render(mut conn: Conn<'_>, row: PatientRow) -> Result<Patient> {
    let identifiers = rows::identifier_rows(conn.reborrow(), row.id)
        .await?
        .into_iter()
        .map(|(id, system, value)| Identifier { id, system, value })
        .collect();
    let mut organizations_json = Vec::new();
    for organization_id in rows::organization_ids(conn.reborrow(), row.id).await? {
        if let Some(org) = organizations::by_id(conn.reborrow(), organization_id).await? {
            organizations_json.push(Organization::plain(&org));
        }
    }
    let email = match row.user_id {
        Some(user_id) => users::by_id(conn, user_id).await?.map(|u| u.email),
        None => None,
    };
    Ok(Patient {
        id: row.id,
        jhe_user_id: row.user_id,
        identifiers,
        name_family: row.name_family,
        name_given: row.name_given,
        birth_date: row.birth_date,
        telecom_phone: row.telecom_phone,
        telecom_email: email,
        organizations: organizations_json,
    })
}

fn not_found() -> Error {
    Error::NotFound("No Patient matches the given query.".into())
}

/// May the caller see this patient? The patient themself, or a
/// practitioner who shares an organization with them (super users too:
/// visibility follows membership).
pub async fn check_visible(conn: Conn<'_>, caller: &Caller, patient_id: i64) -> Result<()> {
    if caller.patient_id == Some(patient_id) {
        return Ok(());
    }
    match caller.practitioner_id {
        Some(practitioner_id) if rows::shares_organization(conn, patient_id, practitioner_id).await? => Ok(()),
        Some(_) => Err(authz::forbidden("This Practitioner not authorized to access this Patient")),
        None if caller.is_patient() => Err(authz::forbidden("The Patient does not match the current patient user.")),
        None => Err(authz::forbidden("Current User does not have authorization to access this Patient.")),
    }
}

/// The patients who share an organization with the calling practitioner, by id.
pub async fn list(db: &Db, caller: &Caller, mut filter: PatientFilter, request: &PageRequest) -> Result<Page<Patient>> {
    let Some(practitioner_id) = caller.practitioner_id else {
        return Page::of(Vec::new(), request);
    };
    filter.practitioner_id = Some(practitioner_id);
    let mut tx = db.begin().await?;
    let count = rows::count(tx.conn(), &filter).await?;
    let resolved = request.resolve(count)?;
    let found = rows::list(tx.conn(), &filter, resolved.offset, resolved.limit).await?;
    let mut items = Vec::with_capacity(found.len());
    for row in found {
        items.push(render(tx.conn(), row).await?);
    }
    tx.commit().await?;
    Ok(Page { count, number: resolved.number, has_next: resolved.has_next, items })
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Patient> {
    let mut tx = db.begin().await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    check_visible(tx.conn(), caller, id).await?;
    let patient = render(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(patient)
}

/// The calling patient's own record.
pub async fn me(db: &Db, caller: &Caller) -> Result<Patient> {
    let id = caller.patient_id.ok_or_else(|| authz::forbidden("Current user is not a patient."))?;
    get(db, caller, id).await
}
