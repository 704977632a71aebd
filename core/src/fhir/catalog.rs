//! Read-only FHIR views of the catalogue and of consent: `Device` (data
//! sources), `Group` (studies) and `Consent` (each patient × study × data
//! type decision).

use serde_json::{Value, json};

use super::{FhirError, SOURCE, instant, search::DEFAULT_COUNT};
use crate::caller::Caller;
use crate::db::Db;
use crate::paging::{MAX_PAGE_SIZE, PageRequest};
use crate::store::consents::{self, DecisionRow};

/// What the search parameters of a catalogue type name, with the results.
pub type Found = (i64, Vec<Value>);

fn id_param(params: &[(String, String)]) -> Result<Option<String>, FhirError> {
    Ok(params.iter().find(|(k, _)| k == "_id").map(|(_, v)| v.clone()))
}

fn device(source: &crate::data_sources::DataSource) -> Value {
    json!({
        "resourceType": "Device",
        "id": source.id.to_string(),
        "meta": {"source": SOURCE},
        "displayName": source.name,
        "type": [{"coding": [{"system": "https://jupyterhealth.org/fhir/CodeSystem/data-source-type", "code": source.kind}]}],
    })
}

/// Data sources (any signed-in user may read the catalogue).
pub async fn devices(db: &Db, params: &[(String, String)]) -> Result<Found, FhirError> {
    let wanted = id_param(params)?;
    let all = crate::data_sources::list(db).await?;
    let found: Vec<Value> = all.iter().filter(|s| wanted.as_deref().is_none_or(|id| id == s.id.to_string())).map(device).collect();
    Ok((found.len() as i64, found))
}

pub async fn device_by_id(db: &Db, id: &str) -> Result<Value, FhirError> {
    let (_, found) = devices(db, &[("_id".into(), id.to_owned())]).await?;
    found.into_iter().next().ok_or_else(|| FhirError::not_found(format!("Device/{id} not found.")))
}

fn group(study: &crate::studies::Study) -> Value {
    json!({
        "resourceType": "Group",
        "id": study.id.to_string(),
        "meta": {"source": SOURCE},
        "name": study.name,
        "description": study.description,
        "type": "person",
        "membership": "enumerated",
        "managingEntity": {"reference": format!("Organization/{}", study.organization.id), "display": study.organization.name},
    })
}

/// Studies of the caller's organizations.
pub async fn groups(db: &Db, caller: &Caller, params: &[(String, String)]) -> Result<Found, FhirError> {
    if caller.practitioner_id.is_none() {
        return Ok((0, Vec::new()));
    }
    let wanted = id_param(params)?;
    let page = crate::studies::list(db, caller, None, &PageRequest { number: Some(1), size: MAX_PAGE_SIZE }).await?;
    let found: Vec<Value> = page.items.iter().filter(|s| wanted.as_deref().is_none_or(|id| id == s.id.to_string())).map(group).collect();
    Ok((found.len() as i64, found))
}

pub async fn group_by_id(db: &Db, caller: &Caller, id: &str) -> Result<Value, FhirError> {
    let (_, found) = groups(db, caller, &[("_id".into(), id.to_owned())]).await?;
    found.into_iter().next().ok_or_else(|| FhirError::not_found(format!("Group/{id} not found.")))
}

fn consent(row: &DecisionRow) -> Value {
    json!({
        "resourceType": "Consent",
        "id": format!("{}-{}", row.study_patient_id, row.data_type_id),
        "meta": {"source": SOURCE},
        "status": "active",
        "category": [{"coding": [{"system": "http://loinc.org", "code": "57016-8", "display": "Privacy policy acknowledgement Document"}]}],
        "subject": {"reference": format!("Patient/{}", row.patient_id)},
        "date": instant(row.consented_time).get(..10).unwrap_or_default(),
        "grantee": [{"reference": format!("Group/{}", row.study_id)}],
        "decision": if row.consented { "permit" } else { "deny" },
        "provision": [{
            "period": {"start": instant(row.consented_time)},
            "documentType": [{"system": row.coding_system, "code": row.coding_code, "display": row.text}],
        }],
    })
}

/// Consent decisions the caller may see: their own, or those of patients
/// sharing an organization. `patient` (`123` or `Patient/123`) and
/// `grantee` (`Group/<study>`) narrow them.
pub async fn consents(db: &Db, caller: &Caller, params: &[(String, String)]) -> Result<Found, FhirError> {
    let mut patient = None;
    let mut study = None;
    let wanted = id_param(params)?;
    let mut count = DEFAULT_COUNT;
    for (key, value) in params {
        let bad = || FhirError::new(400, "invalid", format!("{key}: '{value}' is not a valid reference"), Some(key.as_str()));
        match key.as_str() {
            "patient" | "subject" => patient = Some(value.strip_prefix("Patient/").unwrap_or(value).parse::<i64>().map_err(|_| bad())?),
            "grantee" => study = Some(value.strip_prefix("Group/").unwrap_or(value).parse::<i64>().map_err(|_| bad())?),
            "_count" => count = value.parse::<i64>().map_err(|_| bad())?.clamp(1, MAX_PAGE_SIZE),
            _ => {}
        }
    }
    let (patient, practitioner) = match (caller.practitioner_id, caller.patient_id) {
        (Some(practitioner), _) => (patient, Some(practitioner)),
        (None, Some(own)) if patient.is_none_or(|p| p == own) => (Some(own), None),
        _ => return Ok((0, Vec::new())),
    };
    let mut tx = db.begin_read().await?;
    let rows = consents::decisions(tx.conn(), patient, practitioner).await?;
    tx.commit().await?;
    let matching: Vec<&DecisionRow> = rows
        .iter()
        .filter(|r| study.is_none_or(|s| s == r.study_id))
        .filter(|r| wanted.as_deref().is_none_or(|id| id == format!("{}-{}", r.study_patient_id, r.data_type_id)))
        .collect();
    Ok((matching.len() as i64, matching.into_iter().take(count as usize).map(consent).collect()))
}

pub async fn consent_by_id(db: &Db, caller: &Caller, id: &str) -> Result<Value, FhirError> {
    let (_, found) = consents(db, caller, &[("_id".into(), id.to_owned())]).await?;
    found.into_iter().next().ok_or_else(|| FhirError::not_found(format!("Consent/{id} not found.")))
}
