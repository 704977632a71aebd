//! Reading observations. What a practitioner sees is gated by consent: an
//! observation shows only when its patient is enrolled in a study of one of
//! the practitioner's organizations that requests its data type, and has
//! consented to it there. Revoking consent hides the data at once; nothing
//! is deleted. Patients always see their own.

use serde::Serialize;

use crate::caller::Caller;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::paging::{Page, PageRequest};
use crate::store::observations::{self as rows, ListedObservationRow, ObservationFilter};

/// JHE's admin Observation object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListedObservation {
    pub id: i64,
    pub subject_patient_id: i64,
    pub patient_name_family: Option<String>,
    pub patient_name_given: Option<String>,
    pub jhe_user_id: Option<i64>,
    pub codeable_concept_id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub coding_text: String,
    pub last_updated: String,
    /// The OMH data point, keys as uploaded.
    pub omh_data: serde_json::Value,
    /// Not in JHE's object: the console shows them.
    #[serde(skip)]
    pub data_source_name: Option<String>,
    #[serde(skip)]
    pub effective_start: Option<crate::time::Micros>,
}

impl From<ListedObservationRow> for ListedObservation {
    fn from(row: ListedObservationRow) -> Self {
        ListedObservation {
            id: row.id,
            subject_patient_id: row.patient_id,
            patient_name_family: row.name_family,
            patient_name_given: row.name_given,
            jhe_user_id: row.user_id,
            codeable_concept_id: row.data_type_id,
            coding_system: row.coding_system,
            coding_code: row.coding_code,
            coding_text: row.text,
            last_updated: crate::time::to_iso(row.last_updated),
            omh_data: serde_json::from_str(&row.omh_data).unwrap_or(serde_json::Value::Null),
            data_source_name: row.data_source_name,
            effective_start: row.effective_start,
        }
    }
}

/// The observations the caller may see, newest first.
pub async fn list(db: &Db, caller: &Caller, filter: ObservationFilter, request: &PageRequest) -> Result<Page<ListedObservation>> {
    read(db, caller, filter, request, "observation list").await
}

/// One observation, when the caller may see it (the same gate as [`list`]).
pub async fn get(db: &Db, caller: &Caller, id: i64) -> Result<ListedObservation> {
    let filter = ObservationFilter { observation_id: Some(id), ..ObservationFilter::default() };
    let page = read(db, caller, filter, &PageRequest { number: Some(1), size: 1 }, "observation read").await?;
    page.items.into_iter().next().ok_or_else(|| Error::NotFound("No Observation matches the given query.".into()))
}

/// A page of what the caller may see, with the read recorded under `route`.
async fn read(db: &Db, caller: &Caller, mut filter: ObservationFilter, request: &PageRequest, route: &str) -> Result<Page<ListedObservation>> {
    match (caller.practitioner_id, caller.patient_id) {
        (Some(practitioner_id), _) => filter.practitioner_id = Some(practitioner_id),
        (None, Some(patient_id)) => {
            if filter.patient_id.is_some_and(|p| p != patient_id) {
                return Page::of(Vec::new(), request);
            }
            filter = ObservationFilter {
                patient_id: Some(patient_id),
                practitioner_id: None,
                organization_id: None,
                study_id: None,
                ..filter
            };
        }
        (None, None) => return Page::of(Vec::new(), request),
    }
    let mut tx = db.begin_read().await?;
    let count = rows::count_listed(tx.conn(), &filter).await?;
    let resolved = request.resolve(count)?;
    let found = rows::list(tx.conn(), &filter, resolved.offset, resolved.limit).await?;
    tx.commit().await?;
    crate::audit::record_observation_reads(db, caller, route, found.iter().map(|row| row.patient_id)).await?;
    Ok(Page { count, number: resolved.number, has_next: resolved.has_next, items: found.into_iter().map(Into::into).collect() })
}
