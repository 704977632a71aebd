//! Studies: what a research team asks patients for (scope requests), from
//! which devices (data sources), and who takes part (enrolments).

use serde::Serialize;

use crate::authz;
use crate::caller::Caller;
use crate::data_sources::DataSourceRef;
use crate::data_types::DataType;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::organizations::OrganizationBrief;
use crate::paging::{Page, PageRequest};
use crate::patients::{self, Patient};
use crate::store::patients::PatientFilter;
use crate::store::studies::{self as rows, StudyRow};
use crate::store::{self, StoreError, organizations};
use crate::time::{self, Micros};

/// A study as read (`GET /studies`): its organization nested.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Study {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub organization: OrganizationBrief,
    pub icon_url: Option<String>,
}

/// A study as written (`POST`/`PATCH` answers): its organization by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StudySummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub organization: i64,
    pub icon_url: Option<String>,
}

impl From<&StudyRow> for StudySummary {
    fn from(row: &StudyRow) -> Self {
        StudySummary {
            id: row.id,
            name: row.name.clone(),
            description: row.description.clone(),
            organization: row.organization_id,
            icon_url: row.icon_url.clone(),
        }
    }
}

/// A study as nested in its links.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StudyRef {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub icon_url: Option<String>,
    #[serde(serialize_with = "crate::time::serialize_iso")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub last_updated: Micros,
    pub organization: i64,
}

impl From<&StudyRow> for StudyRef {
    fn from(row: &StudyRow) -> Self {
        StudyRef {
            id: row.id,
            name: row.name.clone(),
            description: row.description.clone(),
            icon_url: row.icon_url.clone(),
            last_updated: row.last_updated,
            organization: row.organization_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StudyDataSource {
    pub id: i64,
    pub study: StudyRef,
    pub data_source: DataSourceRef,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScopeRequest {
    pub id: i64,
    pub study: StudyRef,
    pub scope_code: DataType,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    pub id: i64,
    pub study: i64,
    pub patient: i64,
}

/// The fields of a new or changed study.
#[derive(Debug, Clone, Default)]
pub struct StudyFields {
    pub name: Option<String>,
    pub description: Option<String>,
    pub organization: Option<i64>,
    pub icon_url: Option<Option<String>>,
}

fn forbidden_study() -> Error {
    authz::forbidden("Current User does not have authorization to access this Study.")
}

/// The study, if the caller may read it (a member of its organization, or a
/// super user); a study the caller may not see is indistinguishable from
/// one that does not exist.
async fn readable(conn: Conn<'_>, caller: &Caller, id: i64) -> Result<StudyRow> {
    let row = rows::by_id(conn, id).await?.ok_or_else(forbidden_study)?;
    if caller.is_superuser || authz::is_member_of(caller, row.organization_id) {
        Ok(row)
    } else {
        Err(forbidden_study())
    }
}

/// The study, if the caller may change it (manager or member of its organization).
async fn writable(conn: Conn<'_>, caller: &Caller, id: i64) -> Result<StudyRow> {
    let row = rows::by_id(conn, id).await?.ok_or_else(forbidden_study)?;
    if !caller.is_superuser && !authz::is_member_of(caller, row.organization_id) {
        return Err(forbidden_study());
    }
    authz::require_writer_in(caller, row.organization_id)?;
    Ok(row)
}

/// The study as nested in links, if the caller may read it.
pub async fn readable_ref(db: &Db, caller: &Caller, id: i64) -> Result<StudyRef> {
    let mut tx = db.begin_read().await?;
    let row = readable(tx.conn(), caller, id).await?;
    tx.commit().await?;
    Ok(StudyRef::from(&row))
}

/// The study as nested in links, if the caller may change it.
pub async fn writable_ref(db: &Db, caller: &Caller, id: i64) -> Result<StudyRef> {
    let mut tx = db.begin_read().await?;
    let row = writable(tx.conn(), caller, id).await?;
    tx.commit().await?;
    Ok(StudyRef::from(&row))
}

async fn with_organization(mut conn: Conn<'_>, row: &StudyRow) -> Result<Study> {
    let org = organizations::by_id(conn.reborrow(), row.organization_id).await?;
    Ok(Study {
        id: row.id,
        name: row.name.clone(),
        description: row.description.clone(),
        organization: org.as_ref().map(OrganizationBrief::from).unwrap_or(OrganizationBrief {
            id: row.organization_id,
            name: String::new(),
            kind: String::new(),
        }),
        icon_url: row.icon_url.clone(),
    })
}

/// Studies of the caller's organizations, by name.
pub async fn list(db: &Db, caller: &Caller, organization_id: Option<i64>, request: &PageRequest) -> Result<Page<Study>> {
    let practitioner_id = authz::require_practitioner(caller)?;
    let mut tx = db.begin_read().await?;
    let found = rows::for_practitioner(tx.conn(), practitioner_id, organization_id).await?;
    let page = Page::of(found, request)?;
    let mut items = Vec::with_capacity(page.items.len());
    for row in &page.items {
        items.push(with_organization(tx.conn(), row).await?);
    }
    tx.commit().await?;
    Ok(Page { count: page.count, number: page.number, has_next: page.has_next, items })
}

/// The studies the console lists: a super user's are every study (they run
/// the whole exchange); a practitioner's those of their organizations.
pub async fn visible(db: &Db, caller: &Caller) -> Result<Vec<Study>> {
    if !caller.is_superuser {
        let request = PageRequest { number: Some(1), size: crate::paging::MAX_PAGE_SIZE };
        return Ok(list(db, caller, None, &request).await?.items);
    }
    let mut tx = db.begin_read().await?;
    let found = rows::all(tx.conn()).await?;
    let mut items = Vec::with_capacity(found.len());
    for row in &found {
        items.push(with_organization(tx.conn(), row).await?);
    }
    tx.commit().await?;
    Ok(items)
}

pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<Study> {
    let mut tx = db.begin_read().await?;
    let row = readable(tx.conn(), caller, id).await?;
    let study = with_organization(tx.conn(), &row).await?;
    tx.commit().await?;
    Ok(study)
}

fn check_fields(row: &StudyRow) -> Result<()> {
    if row.name.trim().is_empty() {
        return Err(Error::invalid("name: must not be empty"));
    }
    if row.description.trim().is_empty() {
        return Err(Error::invalid("description: must not be empty"));
    }
    Ok(())
}

pub async fn create(db: &Db, caller: &Caller, fields: StudyFields) -> Result<StudySummary> {
    let organization_id = fields.organization.ok_or_else(|| Error::invalid("organization: this field is required"))?;
    authz::require_writer_in(caller, organization_id)?;
    let row = StudyRow {
        id: 0,
        organization_id,
        name: fields.name.ok_or_else(|| Error::invalid("name: this field is required"))?,
        description: fields.description.ok_or_else(|| Error::invalid("description: this field is required"))?,
        icon_url: fields.icon_url.flatten(),
        last_updated: 0,
    };
    check_fields(&row)?;
    let mut tx = db.begin().await?;
    if organizations::by_id(tx.conn(), organization_id).await?.is_none() {
        return Err(Error::invalid(format!("organization: organization {organization_id} does not exist")));
    }
    let id = rows::insert(tx.conn(), organization_id, row.name.trim(), row.description.trim(), row.icon_url.as_deref(), time::now()).await?;
    let created = rows::by_id(tx.conn(), id).await?.ok_or_else(forbidden_study)?;
    tx.commit().await?;
    Ok(StudySummary::from(&created))
}

pub async fn update(db: &Db, caller: &Caller, id: i64, fields: StudyFields) -> Result<StudySummary> {
    let mut tx = db.begin().await?;
    let mut row = writable(tx.conn(), caller, id).await?;
    if let Some(organization_id) = fields.organization.filter(|o| *o != row.organization_id) {
        // Moving a study needs the right to write in its new organization too.
        authz::require_writer_in(caller, organization_id)?;
        if organizations::by_id(tx.conn(), organization_id).await?.is_none() {
            return Err(Error::invalid(format!("organization: organization {organization_id} does not exist")));
        }
        row.organization_id = organization_id;
    }
    if let Some(name) = fields.name {
        row.name = name.trim().to_owned();
    }
    if let Some(description) = fields.description {
        row.description = description.trim().to_owned();
    }
    if let Some(icon_url) = fields.icon_url {
        row.icon_url = icon_url;
    }
    check_fields(&row)?;
    rows::update(tx.conn(), &row, time::now()).await?;
    let updated = rows::by_id(tx.conn(), id).await?.ok_or_else(forbidden_study)?;
    tx.commit().await?;
    Ok(StudySummary::from(&updated))
}

/// Deletes a study with its enrolments, consents, scope requests and links.
pub async fn delete(db: &Db, caller: &Caller, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    writable(tx.conn(), caller, id).await?;
    rows::delete(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn data_sources(db: &Db, caller: &Caller, id: i64) -> Result<Vec<StudyDataSource>> {
    let mut tx = db.begin_read().await?;
    let row = readable(tx.conn(), caller, id).await?;
    let links = rows::data_source_links(tx.conn(), id).await?;
    tx.commit().await?;
    let study = StudyRef::from(&row);
    Ok(links
        .into_iter()
        .map(|(link, source)| StudyDataSource { id: link, study: study.clone(), data_source: source.into() })
        .collect())
}

pub async fn add_data_source(db: &Db, caller: &Caller, id: i64, data_source_id: i64) -> Result<StudyDataSource> {
    let mut tx = db.begin().await?;
    let row = writable(tx.conn(), caller, id).await?;
    let source = store::data_sources::by_id(tx.conn(), data_source_id)
        .await?
        .ok_or_else(|| Error::invalid(format!("dataSourceId: data source {data_source_id} does not exist")))?;
    let link = match rows::add_data_source(tx.conn(), id, data_source_id).await {
        Ok(link) => link,
        Err(StoreError::Unique(_)) => {
            return Err(Error::Conflict(format!("study {id} already uses data source {data_source_id}")));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(StudyDataSource { id: link, study: StudyRef::from(&row), data_source: source.into() })
}

pub async fn remove_data_source(db: &Db, caller: &Caller, id: i64, data_source_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    writable(tx.conn(), caller, id).await?;
    if !rows::remove_data_source(tx.conn(), id, data_source_id).await? {
        return Err(Error::NotFound(format!("study {id} does not use data source {data_source_id}")));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn scope_requests(db: &Db, caller: &Caller, id: i64) -> Result<Vec<ScopeRequest>> {
    let mut tx = db.begin_read().await?;
    let row = readable(tx.conn(), caller, id).await?;
    let links = rows::scope_request_links(tx.conn(), id).await?;
    tx.commit().await?;
    let study = StudyRef::from(&row);
    Ok(links
        .into_iter()
        .map(|(link, data_type)| ScopeRequest { id: link, study: study.clone(), scope_code: data_type.into() })
        .collect())
}

pub async fn add_scope_request(db: &Db, caller: &Caller, id: i64, data_type_id: i64) -> Result<ScopeRequest> {
    let mut tx = db.begin().await?;
    let row = writable(tx.conn(), caller, id).await?;
    let data_type = store::data_types::by_id(tx.conn(), data_type_id)
        .await?
        .ok_or_else(|| Error::invalid(format!("scopeCodeId: data type {data_type_id} does not exist")))?;
    let link = match rows::add_scope_request(tx.conn(), id, data_type_id).await {
        Ok(link) => link,
        Err(StoreError::Unique(_)) => {
            return Err(Error::Conflict(format!("study {id} already requests {}", data_type.coding_code)));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(ScopeRequest { id: link, study: StudyRef::from(&row), scope_code: data_type.into() })
}

/// Stops requesting a data type; the patients' answers for it go too.
pub async fn remove_scope_request(db: &Db, caller: &Caller, id: i64, data_type_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    writable(tx.conn(), caller, id).await?;
    if !rows::remove_scope_request(tx.conn(), id, data_type_id).await? {
        return Err(Error::NotFound(format!("study {id} does not request data type {data_type_id}")));
    }
    tx.commit().await?;
    Ok(())
}

/// The study's enrolled patients, by id (members of its organization only).
pub async fn patients(db: &Db, caller: &Caller, id: i64, request: &PageRequest) -> Result<Page<Patient>> {
    let mut tx = db.begin_read().await?;
    readable(tx.conn(), caller, id).await?;
    let filter = PatientFilter { study_id: Some(id), ..PatientFilter::default() };
    let count = store::patients::count(tx.conn(), &filter).await?;
    let resolved = request.resolve(count)?;
    let found = store::patients::list(tx.conn(), &filter, resolved.offset, resolved.limit).await?;
    let mut items = Vec::with_capacity(found.len());
    for row in found {
        items.push(patients::render(tx.conn(), row).await?);
    }
    tx.commit().await?;
    Ok(Page { count, number: resolved.number, has_next: resolved.has_next, items })
}

/// Enrols patients of the study's organization; all or none.
pub async fn enrol(db: &Db, caller: &Caller, id: i64, patient_ids: &[i64]) -> Result<Vec<Enrolment>> {
    if patient_ids.is_empty() {
        return Err(Error::invalid("patientIds: give at least one patient id"));
    }
    let mut tx = db.begin().await?;
    let row = writable(tx.conn(), caller, id).await?;
    let mut enrolments = Vec::with_capacity(patient_ids.len());
    for patient_id in patient_ids {
        if store::patients::by_id(tx.conn(), *patient_id).await?.is_none() {
            return Err(Error::invalid(format!("patientIds: patient {patient_id} does not exist")));
        }
        if !store::patients::organization_ids(tx.conn(), *patient_id).await?.contains(&row.organization_id) {
            return Err(Error::invalid(format!(
                "patientIds: patient {patient_id} is not in the study's organization ({})",
                row.organization_id
            )));
        }
        match rows::enrol(tx.conn(), id, *patient_id).await {
            Ok(enrolment) => enrolments.push(Enrolment { id: enrolment, study: id, patient: *patient_id }),
            Err(StoreError::Unique(_)) => {
                return Err(Error::Conflict(format!("patient {patient_id} is already enrolled in study {id}")));
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(enrolments)
}

/// Ends enrolments (their consents go with them; observations stay).
pub async fn unenrol(db: &Db, caller: &Caller, id: i64, patient_ids: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    writable(tx.conn(), caller, id).await?;
    for patient_id in patient_ids {
        rows::unenrol(tx.conn(), id, *patient_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The studies of one organization, by name (`organizations/{id}/studies`),
/// for its members and super users: a study is not for outsiders to read,
/// so neither is the list of them.
pub async fn of_organization(db: &Db, caller: &Caller, organization_id: i64) -> Result<Vec<StudySummary>> {
    let mut tx = db.begin_read().await?;
    if organizations::by_id(tx.conn(), organization_id).await?.is_none() {
        return Err(Error::NotFound("No Organization matches the given query.".into()));
    }
    if !caller.is_superuser && !authz::is_member_of(caller, organization_id) {
        return Err(authz::forbidden("Current User does not have authorization to access this Organization's studies."));
    }
    let found = rows::for_organization(tx.conn(), organization_id).await?;
    tx.commit().await?;
    Ok(found.iter().map(StudySummary::from).collect())
}
