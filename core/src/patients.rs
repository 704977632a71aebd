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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identifier {
    pub id: i64,
    pub system: String,
    pub value: String,
}

/// JHE's Patient object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    let mut tx = db.begin_read().await?;
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
    let mut tx = db.begin_read().await?;
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

/// A new patient, or the changes to one.
#[derive(Debug, Clone, Default)]
pub struct PatientFields {
    pub email: Option<String>,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub birth_date: Option<String>,
    pub telecom_phone: Option<String>,
    /// `(system, value)`; when given on update, they replace the old ones.
    pub identifiers: Option<Vec<(String, String)>>,
    pub organization_id: Option<i64>,
}

fn check_birth_date(date: &Option<String>) -> Result<()> {
    match date {
        Some(text) if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
            Err(Error::invalid(format!("birthDate: \"{text}\" is not a date (YYYY-MM-DD)")))
        }
        _ => Ok(()),
    }
}

async fn put_identifiers(mut conn: Conn<'_>, patient_id: i64, identifiers: &[(String, String)]) -> Result<()> {
    rows::delete_identifiers(conn.reborrow(), patient_id).await?;
    for (system, value) in identifiers {
        if system.trim().is_empty() || value.trim().is_empty() {
            return Err(Error::invalid("identifiers: every identifier needs a system and a value"));
        }
        match rows::add_identifier(conn.reborrow(), patient_id, system.trim(), value.trim()).await {
            Ok(_) => {}
            Err(crate::store::StoreError::Unique(_)) => {
                return Err(Error::Conflict(format!(
                    "The external identifier {system}|{value} is already in use by another patient."
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Creates a patient in an organization (reusing an existing user with the
/// email, who gets a patient profile).
pub async fn create(db: &Db, caller: &Caller, fields: PatientFields) -> Result<Patient> {
    let email = crate::users::normalize_email(fields.email.as_deref().ok_or_else(|| Error::invalid("telecomEmail: this field is required"))?)?;
    match fields.organization_id {
        Some(org) => authz::require_writer_in(caller, org)?,
        None if caller.is_superuser => {}
        None => return Err(Error::invalid("organizationId: this field is required")),
    }
    check_birth_date(&fields.birth_date)?;
    let now = crate::time::now();
    let mut tx = db.begin().await?;
    if let Some(org) = fields.organization_id {
        if organizations::by_id(tx.conn(), org).await?.is_none() {
            return Err(Error::invalid(format!("organizationId: organization {org} does not exist")));
        }
    }
    let user_id = match users::by_email(tx.conn(), &email).await? {
        Some(user) => {
            if rows::by_user(tx.conn(), user.id).await?.is_some() {
                return Err(Error::Conflict(format!("telecomEmail: {email} already belongs to a patient")));
            }
            user.id
        }
        None => {
            let user = users::NewUser {
                email: &email,
                password_hash: None,
                first_name: fields.name_given.as_deref().unwrap_or(""),
                last_name: fields.name_family.as_deref().unwrap_or(""),
                user_type: Some("patient"),
                is_superuser: false,
                identifier: "",
                date_joined: now,
            };
            users::insert(tx.conn(), &user).await?
        }
    };
    let new = rows::NewPatient {
        user_id: Some(user_id),
        name_family: fields.name_family.as_deref(),
        name_given: fields.name_given.as_deref(),
        birth_date: fields.birth_date.as_deref(),
        telecom_phone: fields.telecom_phone.as_deref(),
    };
    let id = rows::insert(tx.conn(), &new, now).await?;
    if let Some(org) = fields.organization_id {
        rows::add_organization(tx.conn(), id, org).await?;
    }
    put_identifiers(tx.conn(), id, fields.identifiers.as_deref().unwrap_or_default()).await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    let patient = render(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(patient)
}

/// May the caller change this patient? A super user, or a manager or member
/// of one of the patient's organizations.
async fn check_writable(conn: Conn<'_>, caller: &Caller, patient_id: i64) -> Result<Vec<i64>> {
    let organizations = rows::organization_ids(conn, patient_id).await?;
    if caller.is_superuser || caller.writes_in_any(&organizations) {
        Ok(organizations)
    } else if organizations.iter().any(|o| authz::is_member_of(caller, *o)) {
        Err(authz::forbidden("Practitioner role is not valid."))
    } else {
        Err(authz::forbidden("You do not have permission to perform this action."))
    }
}

pub async fn update(db: &Db, caller: &Caller, id: i64, fields: PatientFields) -> Result<Patient> {
    check_birth_date(&fields.birth_date)?;
    let mut tx = db.begin().await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    check_writable(tx.conn(), caller, id).await?;
    let changed = PatientRow {
        name_family: fields.name_family.or(row.name_family.clone()),
        name_given: fields.name_given.or(row.name_given.clone()),
        birth_date: fields.birth_date.or(row.birth_date.clone()),
        telecom_phone: fields.telecom_phone.or(row.telecom_phone.clone()),
        ..row
    };
    rows::update(tx.conn(), &changed, crate::time::now()).await?;
    if let Some(identifiers) = &fields.identifiers {
        put_identifiers(tx.conn(), id, identifiers).await?;
    }
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    let patient = render(tx.conn(), row).await?;
    tx.commit().await?;
    Ok(patient)
}

/// Removes a patient from one organization (with their enrolments in its
/// studies); a patient left in no organization is deleted with their data.
pub async fn remove_from_organization(db: &Db, caller: &Caller, id: i64, organization_id: i64) -> Result<()> {
    authz::require_writer_in(caller, organization_id)?;
    let mut tx = db.begin().await?;
    let row = rows::by_id(tx.conn(), id).await?.ok_or_else(not_found)?;
    if !rows::organization_ids(tx.conn(), id).await?.contains(&organization_id) {
        return Err(Error::invalid(format!("organization_id: patient {id} is not in organization {organization_id}")));
    }
    rows::remove_organization(tx.conn(), id, organization_id).await?;
    rows::unenrol_from_organization(tx.conn(), id, organization_id).await?;
    if rows::organization_ids(tx.conn(), id).await?.is_empty() {
        rows::delete(tx.conn(), id).await?;
        if let Some(user_id) = row.user_id {
            let keep = users::by_id(tx.conn(), user_id).await?.is_some_and(|u| u.is_superuser)
                || crate::store::practitioners::by_user(tx.conn(), user_id).await?.is_some();
            if !keep {
                users::delete(tx.conn(), user_id).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Finds a patient by email. Only a patient the caller may see is found: the
/// record is health data (birth date, phone, identifiers), and knowing an
/// email must not open it to practitioners of other organizations.
pub async fn lookup_by_email(db: &Db, caller: &Caller, email: &str) -> Result<Vec<Patient>> {
    authz::require_practitioner(caller)?;
    let email = email.trim().to_lowercase();
    let mut tx = db.begin_read().await?;
    let mut found = Vec::new();
    if let Some(user) = users::by_email(tx.conn(), &email).await? {
        if let Some(row) = rows::by_user(tx.conn(), user.id).await? {
            match check_visible(tx.conn(), caller, row.id).await {
                Ok(()) => found.push(render(tx.conn(), row).await?),
                Err(Error::Forbidden(_)) => {}
                Err(other) => return Err(other),
            }
        }
    }
    tx.commit().await?;
    Ok(found)
}
