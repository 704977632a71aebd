//! Observation ingest: every check, in order, inside the caller's
//! transaction; and the Observation resource as jhe renders it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{FhirError, SOURCE, USER_ID_SYSTEM, effective, instant};
use crate::caller::Caller;
use crate::db::{Conn, Db};
use crate::schemas;
use crate::store::data_sources::DataSourceRow;
use crate::store::data_types::DataTypeRow;
use crate::store::observations::{self as rows, Effective, FoundObservationRow, NewObservation};
use crate::store::patients::PatientRow;
use crate::store::{consents, data_sources, data_types, patients};
use crate::time::{self, Micros};

/// The FHIR R5 `ObservationStatus` value set.
pub const STATUSES: [&str; 9] =
    ["registered", "preliminary", "final", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown"];

/// Data sources that produce observations (apps do not).
const PRODUCING_KINDS: [&str; 2] = ["personal_device", "medical_device"];

/// An observation just stored, as FHIR renders it.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub id: i64,
    pub resource: Value,
}

/// Where and when an observation was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub last_updated: Micros,
}

/// An Observation that passed every check but the identifiers' uniqueness,
/// ready to store.
#[derive(Debug, Clone)]
pub struct Checked {
    patient: PatientRow,
    data_type: Arc<DataTypeRow>,
    device_id: i64,
    status: String,
    payload: String,
    effective: Effective,
    identifiers: Vec<(String, String)>,
}

/// What ingest looks up, remembered for the rest of one request: the entries
/// of a Bundle mostly share their patient, device and data type.
#[derive(Debug, Default)]
pub struct Lookups {
    patients: HashMap<i64, Option<PatientRow>>,
    organizations: HashMap<i64, Vec<i64>>,
    devices: HashMap<i64, Option<DataSourceRow>>,
    data_types: HashMap<(String, String), Option<Arc<DataTypeRow>>>,
    consented: HashMap<i64, Vec<i64>>,
}

impl Lookups {
    async fn patient(&mut self, conn: Conn<'_>, id: i64) -> Result<Option<PatientRow>, FhirError> {
        if !self.patients.contains_key(&id) {
            self.patients.insert(id, patients::by_id(conn, id).await?);
        }
        Ok(self.patients[&id].clone())
    }

    async fn organizations(&mut self, conn: Conn<'_>, patient_id: i64) -> Result<&[i64], FhirError> {
        if !self.organizations.contains_key(&patient_id) {
            self.organizations.insert(patient_id, patients::organization_ids(conn, patient_id).await?);
        }
        Ok(&self.organizations[&patient_id])
    }

    async fn device(&mut self, conn: Conn<'_>, id: i64) -> Result<Option<&DataSourceRow>, FhirError> {
        if !self.devices.contains_key(&id) {
            self.devices.insert(id, data_sources::by_id(conn, id).await?);
        }
        Ok(self.devices[&id].as_ref())
    }

    async fn data_type(&mut self, conn: Conn<'_>, system: &str, code: &str) -> Result<Option<Arc<DataTypeRow>>, FhirError> {
        let key = (system.to_owned(), code.to_owned());
        if !self.data_types.contains_key(&key) {
            let found = data_types::by_code(conn, system, code).await?.map(Arc::new);
            self.data_types.insert(key.clone(), found);
        }
        Ok(self.data_types[&key].clone())
    }

    async fn consented(&mut self, conn: Conn<'_>, patient_id: i64) -> Result<&[i64], FhirError> {
        if !self.consented.contains_key(&patient_id) {
            self.consented.insert(patient_id, consents::consented_type_ids(conn, patient_id).await?);
        }
        Ok(&self.consented[&patient_id])
    }
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

/// Checks and stores one Observation. The checks read outside any
/// transaction (each lookup stands alone; the write lock is not held); the
/// write re-checks consent, the one answer that may change in between, and
/// claims the identifiers.
pub async fn create(db: &Db, caller: &Caller, resource: &Value) -> Result<Created, FhirError> {
    let mut conn = db.acquire().await?;
    let checked = check(conn.conn(), caller, &mut Lookups::default(), resource).await?;
    drop(conn);
    let mut tx = db.begin().await?;
    let stored = store(tx.conn(), std::slice::from_ref(&checked)).await?.remove(0)?;
    tx.commit().await?;
    let resource = ObservationResource { row: checked.as_row(stored), identifiers: checked.identifiers.clone() };
    Ok(Created { id: stored.id, resource: resource.to_json() })
}

/// What an Observation says about itself, read without any lookup: its
/// shape and its subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<'a> {
    pub status: &'a str,
    pub system: &'a str,
    pub code: &'a str,
    pub patient_id: i64,
}

/// The first checks of an Observation, which need no lookup: resource type,
/// status, exactly one coding, and a subject that names a Patient by id.
pub fn parse(resource: &Value) -> Result<Parsed<'_>, FhirError> {
    if !resource.is_object() {
        return Err(FhirError::invalid("the body must be a JSON object (an Observation resource)", "Observation"));
    }
    if let Some(path) = crate::input::nul_path(resource, "Observation") {
        return Err(FhirError::invalid(crate::input::nul_message(&path), &path));
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
    let patient_id = parse_id(reference_id(resource, "subject", "Patient")?, "Observation.subject.reference")?;
    Ok(Parsed { status, system, code, patient_id })
}

/// The id of the Device an Observation names.
pub fn device_id(resource: &Value) -> Result<i64, FhirError> {
    parse_id(reference_id(resource, "device", "Device")?, "Observation.device.reference")
}

/// The OMH data point in `valueAttachment.data` (base64 of JSON, any UTF-8):
/// its text, as stored, and its value.
pub fn payload(resource: &Value) -> Result<(String, Value), FhirError> {
    let expression = "Observation.valueAttachment.data";
    let data = resource["valueAttachment"]["data"]
        .as_str()
        .ok_or_else(|| FhirError::invalid("valueAttachment.data is required: the OMH data point as Base 64 Encoded Binary JSON", expression))?;
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| FhirError::invalid(format!("valueAttachment.data must be Base 64 Encoded Binary JSON: {e}"), expression))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| FhirError::invalid("valueAttachment.data must be Base 64 Encoded Binary JSON: the decoded bytes are not UTF-8", expression))?;
    let point = serde_json::from_str(&text)
        .map_err(|e| FhirError::invalid(format!("valueAttachment.data must be Base 64 Encoded Binary JSON: {e}"), expression))?;
    Ok((text, point))
}

/// The Observation's identifiers, `(system, value)`: each with both parts,
/// none repeated within the resource.
pub fn identifiers(resource: &Value) -> Result<Vec<(String, String)>, FhirError> {
    let Some(list) = resource.get("identifier") else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| FhirError::invalid("identifier must be a list", "Observation.identifier"))?;
    let identifiers = list
        .iter()
        .enumerate()
        .map(|(i, identifier)| {
            let part = |key: &str| identifier[key].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
            part("system").zip(part("value")).ok_or_else(|| {
                FhirError::invalid("each identifier needs a system and a value", &format!("Observation.identifier[{i}]"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (i, (system, value)) in identifiers.iter().enumerate() {
        if identifiers[..i].iter().any(|(s, v)| s == system && v == value) {
            return Err(duplicate_identifier(i, system, value));
        }
    }
    Ok(identifiers)
}

/// Every check but the identifiers' uniqueness, in order: shape, subject and
/// the caller's right to upload for them, device, data type, consent,
/// payload, OMH validation, identifiers' form. Writes nothing.
pub async fn check(mut conn: Conn<'_>, caller: &Caller, lookups: &mut Lookups, resource: &Value) -> Result<Checked, FhirError> {
    // 1. Shape, and the subject's id.
    let Parsed { status, system, code, patient_id } = parse(resource)?;

    // 2. Subject, and who may upload for them.
    let patient = lookups
        .patient(conn.reborrow(), patient_id)
        .await?
        .ok_or_else(|| FhirError::invalid(format!("Patient id={patient_id} can not be found."), "Observation.subject.reference"))?;
    if caller.patient_id != Some(patient.id) {
        let organizations = lookups.organizations(conn.reborrow(), patient.id).await?;
        if !caller.writes_in_any(organizations) {
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
    let device_id = device_id(resource)?;
    lookups
        .device(conn.reborrow(), device_id)
        .await?
        .filter(|d| PRODUCING_KINDS.contains(&d.kind.as_str()))
        .ok_or_else(|| FhirError::invalid(format!("Device Data Source id={device_id} can not be found."), "Observation.device.reference"))?;

    // 4. Data type.
    let data_type = lookups
        .data_type(conn.reborrow(), system, code)
        .await?
        .ok_or_else(|| FhirError::invalid(format!("Code not found: system={system} code={code}"), "Observation.code.coding[0]"))?;

    // 5. Consent, in a study the patient is enrolled in.
    if !lookups.consented(conn.reborrow(), patient.id).await?.contains(&data_type.id) {
        return Err(not_consented(&data_type));
    }

    // 6. Payload.
    let (payload, point) = payload(resource)?;

    // 7. The OMH data point.
    let issues = schemas::validate_data_point(&data_type.coding_code, data_type.json_schema.as_deref(), &point).map_err(|e| {
        FhirError::new(422, "processing", e.to_string(), Some("Observation.code.coding[0]"))
    })?;
    if !issues.is_empty() {
        return Err(invalid_data_point(issues));
    }

    // 8. Identifiers' form, and none repeated within the resource.
    let identifiers = identifiers(resource)?;

    Ok(Checked {
        patient,
        data_type,
        device_id,
        status: status.to_owned(),
        effective: effective::effective_of(&point["body"]),
        payload,
        identifiers,
    })
}

/// The refusal of a data point that does not validate, listing every issue.
pub fn invalid_data_point(issues: Vec<schemas::Issue>) -> FhirError {
    let summary: Vec<String> = issues.iter().map(ToString::to_string).collect();
    let mut error = FhirError::new(
        422,
        "processing",
        format!("The OMH data point does not validate: {}", summary.join("; ")),
        Some("Observation.valueAttachment.data"),
    );
    error.issues = issues;
    error
}

fn not_consented(data_type: &DataTypeRow) -> FhirError {
    FhirError::new(
        403,
        "forbidden",
        format!(
            "Observation data with coding_system={} coding_code={} has not been consented for any studies by this Patient.",
            data_type.coding_system, data_type.coding_code
        ),
        Some("Observation.code.coding[0]"),
    )
}

fn duplicate_identifier(index: usize, system: &str, value: &str) -> FhirError {
    FhirError::new(
        409,
        "duplicate",
        format!("Identifier already exists: system={system} value={value}"),
        Some(&format!("Observation.identifier[{index}]")),
    )
}

/// Of checked Observations, refuses (409) those whose identifiers an earlier
/// one of them or a stored observation already holds. Reads only.
pub async fn claim_identifiers(conn: Conn<'_>, checked: &[&Checked]) -> Result<Vec<Option<FhirError>>, FhirError> {
    let pairs: Vec<(&str, &str)> =
        checked.iter().flat_map(|c| c.identifiers.iter().map(|(s, v)| (s.as_str(), v.as_str()))).collect();
    // Each identifier taken, with the stored observation and patient holding
    // it (none when an earlier Observation of this request claims it).
    let mut taken: HashMap<(String, String), Option<(i64, i64)>> = rows::existing_identifiers(conn, &pairs)
        .await?
        .into_iter()
        .map(|held| ((held.system, held.value), Some((held.observation_id, held.patient_id))))
        .collect();
    Ok(checked
        .iter()
        .map(|c| {
            let clash = c.identifiers.iter().enumerate().find_map(|(i, pair)| taken.get(pair).map(|holder| (i, *holder)));
            if let Some((i, holder)) = clash {
                let (system, value) = &c.identifiers[i];
                let mut error = duplicate_identifier(i, system, value);
                error.existing = holder.filter(|(_, patient_id)| *patient_id == c.patient.id).map(|(id, _)| id);
                return Some(error);
            }
            taken.extend(c.identifiers.iter().map(|pair| (pair.clone(), None)));
            None
        })
        .collect())
}

/// Stores checked Observations with multi-row inserts; answers each one's
/// outcome, in order. An identifier already held (by a stored observation,
/// an earlier one of these, or a concurrent request that got there first)
/// refuses its Observation with 409 and leaves nothing of it stored.
pub async fn store(mut conn: Conn<'_>, checked: &[Checked]) -> Result<Vec<Result<Stored, FhirError>>, FhirError> {
    // Consent is checked again here, in the writing transaction, so that a
    // revocation that landed after the checks still refuses the upload.
    let mut consented = Lookups::default();
    let mut refusals = Vec::with_capacity(checked.len());
    for c in checked {
        let allowed = consented.consented(conn.reborrow(), c.patient.id).await?.contains(&c.data_type.id);
        refusals.push((!allowed).then(|| not_consented(&c.data_type)));
    }
    // Only observations still allowed claim their identifiers.
    let allowed: Vec<&Checked> = checked.iter().zip(&refusals).filter(|(_, r)| r.is_none()).map(|(c, _)| c).collect();
    let mut clashes = claim_identifiers(conn.reborrow(), &allowed).await?.into_iter();
    for refusal in refusals.iter_mut().filter(|r| r.is_none()) {
        *refusal = clashes.next().flatten();
    }
    let accepted: Vec<&Checked> = checked.iter().zip(&refusals).filter(|(_, r)| r.is_none()).map(|(c, _)| c).collect();
    let new: Vec<NewObservation> = accepted
        .iter()
        .map(|c| NewObservation {
            patient_id: c.patient.id,
            data_type_id: c.data_type.id,
            data_source_id: Some(c.device_id),
            status: &c.status,
            omh_data: &c.payload,
            effective: c.effective,
        })
        .collect();
    let now = time::now();
    let ids = rows::insert_many(conn.reborrow(), &new, now).await?;
    let identifiers: Vec<(i64, &str, &str)> = accepted
        .iter()
        .zip(&ids)
        .flat_map(|(c, id)| c.identifiers.iter().map(move |(s, v)| (*id, s.as_str(), v.as_str())))
        .collect();
    let stored: HashSet<(String, String)> = rows::add_identifiers(conn.reborrow(), &identifiers).await?.into_iter().collect();
    // A concurrent request took an identifier between the claim and the insert.
    let mut lost = Vec::new();
    let mut ids = ids.into_iter();
    let outcomes = checked
        .iter()
        .zip(refusals)
        .map(|(c, refusal)| {
            if let Some(error) = refusal {
                return Err(error);
            }
            let id = ids.next().expect("one id per accepted observation");
            match c.identifiers.iter().position(|pair| !stored.contains(pair)) {
                Some(i) => {
                    lost.push(id);
                    Err(duplicate_identifier(i, &c.identifiers[i].0, &c.identifiers[i].1))
                }
                None => Ok(Stored { id, last_updated: now }),
            }
        })
        .collect();
    rows::delete_many(conn, &lost).await?;
    Ok(outcomes)
}

impl Checked {
    fn as_row(&self, stored: Stored) -> FoundObservationRow {
        let (at, start, end) = self.effective.columns();
        FoundObservationRow {
            id: stored.id,
            patient_id: self.patient.id,
            user_id: self.patient.user_id,
            coding_system: self.data_type.coding_system.clone(),
            coding_code: self.data_type.coding_code.clone(),
            text: self.data_type.text.clone(),
            data_source_id: Some(self.device_id),
            status: self.status.clone(),
            omh_data: self.payload.clone(),
            effective_date_time: at,
            effective_period_start: start,
            effective_period_end: end,
            version_id: 1,
            last_updated: stored.last_updated,
            sort_key: 0,
        }
    }
}

/// A stored observation with its identifiers; serializes straight to the
/// FHIR Observation resource, so that a page of thousands is written without
/// building a JSON tree first.
#[derive(Debug, Clone)]
pub struct ObservationResource {
    pub row: FoundObservationRow,
    pub identifiers: Vec<(String, String)>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    version_id: String,
    last_updated: String,
    source: &'static str,
}

#[derive(Serialize)]
struct Coding<'a> {
    system: &'a str,
    code: &'a str,
    display: &'a str,
}

#[derive(Serialize)]
struct Code<'a> {
    coding: [Coding<'a>; 1],
}

#[derive(Serialize)]
struct Identifier<'a> {
    system: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct Subject<'a> {
    reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<Identifier<'a>>,
}

#[derive(Serialize)]
struct Reference {
    reference: String,
}

#[derive(Serialize)]
struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
}

/// Text serialized as its Base 64 encoding, without an intermediate copy.
struct Base64<'a>(&'a str);

impl Serialize for Base64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&base64::display::Base64Display::new(self.0.as_bytes(), &STANDARD))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Attachment<'a> {
    content_type: &'static str,
    data: Base64<'a>,
}

impl Serialize for ObservationResource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let row = &self.row;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("resourceType", "Observation")?;
        map.serialize_entry("id", &row.id.to_string())?;
        map.serialize_entry("meta", &Meta { version_id: row.version_id.to_string(), last_updated: instant(row.last_updated), source: SOURCE })?;
        if !self.identifiers.is_empty() {
            let identifiers: Vec<Identifier> = self.identifiers.iter().map(|(system, value)| Identifier { system, value }).collect();
            map.serialize_entry("identifier", &identifiers)?;
        }
        map.serialize_entry("status", &row.status)?;
        map.serialize_entry("code", &Code { coding: [Coding { system: &row.coding_system, code: &row.coding_code, display: &row.text }] })?;
        let user = row.user_id.map(|id| id.to_string());
        let identifier = user.as_deref().map(|value| Identifier { system: USER_ID_SYSTEM, value });
        map.serialize_entry("subject", &Subject { reference: format!("Patient/{}", row.patient_id), identifier })?;
        if let Some(device) = row.data_source_id {
            map.serialize_entry("device", &Reference { reference: format!("Device/{device}") })?;
        }
        match (row.effective_date_time, row.effective_period_start, row.effective_period_end) {
            (Some(at), _, _) => map.serialize_entry("effectiveDateTime", &instant(at))?,
            (None, start, end) if start.is_some() || end.is_some() => {
                map.serialize_entry("effectivePeriod", &Period { start: start.map(instant), end: end.map(instant) })?
            }
            _ => {}
        }
        map.serialize_entry("valueAttachment", &Attachment { content_type: "application/json", data: Base64(&row.omh_data) })?;
        map.end()
    }
}

impl ObservationResource {
    /// The resource as a JSON value.
    pub fn to_json(&self) -> Value {
        // Serializing this type into a value cannot fail: every key is text.
        serde_json::to_value(self).unwrap_or_default()
    }
}
