//! Observation ingest: every check, in order, inside the caller's
//! transaction; and the Observation resource as jhe renders it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{FhirError, SOURCE, USER_ID_SYSTEM, effective, instant};
use crate::caller::Caller;
use crate::db::Conn;
use crate::schemas;
use crate::store::observations::{self as rows, FoundObservationRow, NewObservation};
use crate::store::{consents, data_sources, data_types, patients};
use crate::time;

/// The FHIR R5 `ObservationStatus` value set.
pub const STATUSES: [&str; 9] =
    ["registered", "preliminary", "final", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown"];

/// Data sources that produce observations (apps do not).
const PRODUCING_KINDS: [&str; 2] = ["personal_device", "medical_device"];

/// An observation just stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub id: i64,
    pub resource: Value,
}

fn reference_id<'a>(resource: &'a Value, element: &str, prefix: &str) -> Result<&'a str, FhirError> {
    let expression = format!("Observation.{element}.reference");
    let reference = resource[element]["reference"].as_str().ok_or_else(|| {
        FhirError::invalid(format!("{element} is required and must be a reference like '{prefix}/<id>'"), &expression)
    })?;
    reference
        .strip_prefix(&format!("{prefix}/"))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| FhirError::invalid(format!("{element} must reference a {prefix}, like '{prefix}/<id>', not '{reference}'"), &expression))
}

fn parse_id(text: &str, expression: &str) -> Result<i64, FhirError> {
    text.parse::<i64>().map_err(|_| FhirError::invalid(format!("'{text}' is not a valid id: ids are integers"), expression))
}

/// Checks and stores one Observation, in order: shape, subject and the
/// caller's right to upload for them, device, data type, consent, payload,
/// OMH validation, identifiers. Nothing is written unless every check passes
/// (the caller commits the transaction).
pub async fn create(mut conn: Conn<'_>, caller: &Caller, resource: &Value) -> Result<Created, FhirError> {
    // 1. Shape.
    if !resource.is_object() {
        return Err(FhirError::invalid("the body must be a JSON object (an Observation resource)", "Observation"));
    }
    match resource["resourceType"].as_str() {
        Some("Observation") => {}
        Some(other) => return Err(FhirError::invalid(format!("resourceType must be Observation, not {other}"), "Observation.resourceType")),
        None => return Err(FhirError::invalid("resourceType is required and must be Observation", "Observation.resourceType")),
    }
    let status = resource["status"].as_str().ok_or_else(|| FhirError::invalid("status is required", "Observation.status"))?;
    if !STATUSES.contains(&status) {
        return Err(FhirError::invalid(format!("status '{status}' is not one of {}", STATUSES.join(", ")), "Observation.status"));
    }
    let codings = resource["code"]["coding"].as_array().map(Vec::as_slice).unwrap_or_default();
    let [coding] = codings else {
        return Err(FhirError::invalid(
            format!("Exactly one Code must be provided (found {}).", codings.len()),
            "Observation.code.coding",
        ));
    };
    let system = coding["system"].as_str().unwrap_or_default();
    let code = coding["code"].as_str().unwrap_or_default();
    if system.is_empty() || code.is_empty() {
        return Err(FhirError::invalid("the coding needs a system and a code", "Observation.code.coding[0]"));
    }

    // 2. Subject, and who may upload for them.
    let patient_id = parse_id(reference_id(resource, "subject", "Patient")?, "Observation.subject.reference")?;
    let patient = patients::by_id(conn.reborrow(), patient_id)
        .await?
        .ok_or_else(|| FhirError::invalid(format!("Patient id={patient_id} can not be found."), "Observation.subject.reference"))?;
    if caller.patient_id != Some(patient.id) {
        let organizations = patients::organization_ids(conn.reborrow(), patient.id).await?;
        if !caller.writes_in_any(&organizations) {
            let message = if caller.practitioner_id.is_some() && organizations.iter().any(|o| caller.role_in(*o).is_some()) {
                "Viewers may not upload observations."
            } else if caller.practitioner_id.is_some() {
                "Current user doesn't have access to the Patient."
            } else {
                "The Subject Patient does not match the current user."
            };
            return Err(FhirError::forbidden(message));
        }
    }

    // 3. Device.
    let device_id = parse_id(reference_id(resource, "device", "Device")?, "Observation.device.reference")?;
    let device = data_sources::by_id(conn.reborrow(), device_id)
        .await?
        .filter(|d| PRODUCING_KINDS.contains(&d.kind.as_str()))
        .ok_or_else(|| FhirError::invalid(format!("Device Data Source id={device_id} can not be found."), "Observation.device.reference"))?;

    // 4. Data type.
    let data_type = data_types::by_code(conn.reborrow(), system, code)
        .await?
        .ok_or_else(|| FhirError::invalid(format!("Code not found: system={system} code={code}"), "Observation.code.coding[0]"))?;

    // 5. Consent, in a study the patient is enrolled in.
    if !consents::consented_type_ids(conn.reborrow(), patient.id).await?.contains(&data_type.id) {
        return Err(FhirError::new(
            403,
            "forbidden",
            format!("Observation data with coding_system={system} coding_code={code} has not been consented for any studies by this Patient."),
            Some("Observation.code.coding[0]"),
        ));
    }

    // 6. Payload: base64 of JSON (any UTF-8).
    let payload = decode_payload(resource)?;
    let point: Value = serde_json::from_str(&payload).map_err(|e| {
        FhirError::invalid(format!("valueAttachment.data must be Base 64 Encoded Binary JSON: {e}"), "Observation.valueAttachment.data")
    })?;

    // 7. The OMH data point.
    let issues = schemas::validate_data_point(&data_type.coding_code, data_type.json_schema.as_deref(), &point).map_err(|e| {
        FhirError::new(422, "processing", e.to_string(), Some("Observation.code.coding[0]"))
    })?;
    if !issues.is_empty() {
        let summary: Vec<String> = issues.iter().map(ToString::to_string).collect();
        let mut error = FhirError::new(
            422,
            "processing",
            format!("The OMH data point does not validate: {}", summary.join("; ")),
            Some("Observation.valueAttachment.data"),
        );
        error.issues = issues;
        return Err(error);
    }

    // 8. Identifiers, unique across all observations.
    let identifiers = identifiers_of(resource)?;
    for (i, (system, value)) in identifiers.iter().enumerate() {
        let repeated = identifiers[..i].iter().any(|(s, v)| s == system && v == value);
        if repeated || rows::identifier_exists(conn.reborrow(), system, value).await? {
            return Err(FhirError::new(
                409,
                "duplicate",
                format!("Identifier already exists: system={system} value={value}"),
                Some(&format!("Observation.identifier[{i}]")),
            ));
        }
    }

    let effective = effective::effective_of(&point["body"]);
    let now = time::now();
    let new = NewObservation {
        patient_id: patient.id,
        data_type_id: data_type.id,
        data_source_id: Some(device.id),
        status,
        omh_data: &payload,
        effective,
    };
    let id = rows::insert(conn.reborrow(), &new, now).await?;
    for (system, value) in &identifiers {
        rows::add_identifier(conn.reborrow(), id, system, value).await?;
    }
    let stored = FoundObservationRow {
        id,
        patient_id: patient.id,
        user_id: patient.user_id,
        coding_system: data_type.coding_system.clone(),
        coding_code: data_type.coding_code.clone(),
        text: data_type.text.clone(),
        data_source_id: Some(device.id),
        status: status.to_owned(),
        omh_data: payload,
        effective_date_time: match effective {
            crate::store::observations::Effective::At(at) => Some(at),
            _ => None,
        },
        effective_period_start: match effective {
            crate::store::observations::Effective::Period { start, .. } => start,
            _ => None,
        },
        effective_period_end: match effective {
            crate::store::observations::Effective::Period { end, .. } => end,
            _ => None,
        },
        version_id: 1,
        last_updated: now,
        sort_key: 0,
    };
    Ok(Created { id, resource: render(&stored, &identifiers) })
}

/// The decoded `valueAttachment.data` as text.
fn decode_payload(resource: &Value) -> Result<String, FhirError> {
    let expression = "Observation.valueAttachment.data";
    let data = resource["valueAttachment"]["data"]
        .as_str()
        .ok_or_else(|| FhirError::invalid("valueAttachment.data is required: the OMH data point as Base 64 Encoded Binary JSON", expression))?;
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| FhirError::invalid(format!("valueAttachment.data must be Base 64 Encoded Binary JSON: {e}"), expression))?;
    String::from_utf8(bytes).map_err(|_| FhirError::invalid("valueAttachment.data must be Base 64 Encoded Binary JSON: the decoded bytes are not UTF-8", expression))
}

fn identifiers_of(resource: &Value) -> Result<Vec<(String, String)>, FhirError> {
    let Some(list) = resource.get("identifier") else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| FhirError::invalid("identifier must be a list", "Observation.identifier"))?;
    list.iter()
        .enumerate()
        .map(|(i, identifier)| {
            let part = |key: &str| identifier[key].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
            part("system").zip(part("value")).ok_or_else(|| {
                FhirError::invalid("each identifier needs a system and a value", &format!("Observation.identifier[{i}]"))
            })
        })
        .collect()
}

/// The Observation resource of a stored row.
pub fn render(row: &FoundObservationRow, identifiers: &[(String, String)]) -> Value {
    let mut resource = json!({
        "resourceType": "Observation",
        "id": row.id.to_string(),
        "meta": {"versionId": row.version_id.to_string(), "lastUpdated": instant(row.last_updated), "source": SOURCE},
        "status": row.status,
        "code": {"coding": [{"system": row.coding_system, "code": row.coding_code, "display": row.text}]},
        "subject": {"reference": format!("Patient/{}", row.patient_id)},
        "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(row.omh_data.as_bytes())},
    });
    if !identifiers.is_empty() {
        resource["identifier"] = identifiers.iter().map(|(system, value)| json!({"system": system, "value": value})).collect();
    }
    if let Some(user_id) = row.user_id {
        resource["subject"]["identifier"] = json!({"system": USER_ID_SYSTEM, "value": user_id.to_string()});
    }
    if let Some(device) = row.data_source_id {
        resource["device"] = json!({"reference": format!("Device/{device}")});
    }
    match (row.effective_date_time, row.effective_period_start, row.effective_period_end) {
        (Some(at), _, _) => resource["effectiveDateTime"] = instant(at).into(),
        (None, start, end) if start.is_some() || end.is_some() => {
            let mut period = json!({});
            if let Some(start) = start {
                period["start"] = instant(start).into();
            }
            if let Some(end) = end {
                period["end"] = instant(end).into();
            }
            resource["effectivePeriod"] = period;
        }
        _ => {}
    }
    resource
}
