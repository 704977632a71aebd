//! The FHIR Patient view of jhe's patients.

use serde_json::{Value, json};

use super::{FhirError, SOURCE};
use crate::caller::Caller;
use crate::db::Db;
use crate::patients::{self, Patient};
use crate::paging::PageRequest;
use crate::store::patients::PatientFilter;

/// The search parameters this server understands for Patient.
pub const PATIENT_PARAMS: [(&str, &str); 7] = [
    ("_id", "token"),
    ("identifier", "token"),
    ("organization", "reference"),
    ("_has:Group:member:_id", "token"),
    ("_count", "number"),
    ("_total", "string"),
    ("_summary", "string"),
];

pub fn render(patient: &Patient) -> Value {
    let mut resource = json!({
        "resourceType": "Patient",
        "id": patient.id.to_string(),
        "meta": {"source": SOURCE},
    });
    if !patient.identifiers.is_empty() {
        resource["identifier"] = patient.identifiers.iter().map(|i| json!({"system": i.system, "value": i.value})).collect();
    }
    if patient.name_family.is_some() || patient.name_given.is_some() {
        let mut name = json!({});
        if let Some(family) = &patient.name_family {
            name["family"] = family.clone().into();
        }
        if let Some(given) = &patient.name_given {
            name["given"] = json!([given]);
        }
        resource["name"] = json!([name]);
    }
    if let Some(birth_date) = &patient.birth_date {
        resource["birthDate"] = birth_date.clone().into();
    }
    let mut telecom = Vec::new();
    if let Some(phone) = &patient.telecom_phone {
        telecom.push(json!({"system": "phone", "value": phone, "use": "mobile"}));
    }
    if let Some(email) = &patient.telecom_email {
        telecom.push(json!({"system": "email", "value": email, "use": "home"}));
    }
    if !telecom.is_empty() {
        resource["telecom"] = telecom.into();
    }
    resource
}

pub async fn read(db: &Db, caller: &Caller, id: &str) -> Result<Value, FhirError> {
    let not_found = || FhirError::not_found(format!("Patient/{id} not found."));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let patient = patients::get(db, caller, id).await.map_err(|_| not_found())?;
    Ok(render(&patient))
}

/// Patients the caller may see: their own record, or those sharing an organization.
pub async fn search(db: &Db, caller: &Caller, params: &[(String, String)]) -> Result<(i64, Vec<Value>), FhirError> {
    let mut filter = PatientFilter::default();
    let mut size = super::search::DEFAULT_COUNT;
    for (key, value) in params {
        let number = |v: &str| v.parse::<i64>().map_err(|_| FhirError::new(400, "invalid", format!("{key}: '{v}' is not a number"), Some(key.as_str())));
        match key.as_str() {
            "_id" => filter.patient_id = Some(number(value)?),
            "identifier" => filter.identifier_value = Some(value.rsplit('|').next().unwrap_or(value).to_owned()),
            "organization" => filter.organization_id = Some(number(value.strip_prefix("Organization/").unwrap_or(value))?),
            "_has:Group:member:_id" | "patient._has:Group:member:_id" => filter.study_id = Some(number(value)?),
            "_count" => size = number(value)?.clamp(1, super::search::MAX_COUNT),
            _ => {}
        }
    }
    if caller.practitioner_id.is_none() {
        return match caller.patient_id {
            Some(own) if filter.patient_id.is_none_or(|p| p == own) => {
                let patient = patients::get(db, caller, own).await?;
                Ok((1, vec![render(&patient)]))
            }
            _ => Ok((0, Vec::new())),
        };
    }
    let page = patients::list(db, caller, filter, &PageRequest { number: Some(1), size }).await?;
    Ok((page.count, page.items.iter().map(render).collect()))
}
