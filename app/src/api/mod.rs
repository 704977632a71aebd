//! The console's server functions: each checks the session, calls the
//! domain (which decides who may do what) and returns plain view data.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod args;
pub mod audit;
pub mod clients;
pub mod organizations;
pub mod patients;
pub mod practitioners;
pub mod settings;
pub mod studies;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataTypeView {
    pub id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSourceView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub supported_scopes: Vec<DataTypeView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub organization: String,
    pub organization_id: i64,
    pub data_sources: Vec<DataSourceView>,
    pub scope_requests: Vec<DataTypeView>,
    pub patients: Vec<patients::NamedId>,
    pub clients: Vec<patients::NamedId>,
    /// Whether the signed-in user may change the study (manager or member).
    pub can_write: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeAnswerView {
    pub data_type: DataTypeView,
    pub consented: Option<bool>,
    /// When it was answered, in microseconds since the epoch.
    pub answered_at: Option<i64>,
    /// Who answered: "you", or the email of whoever did.
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyConsentView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub scopes: Vec<ScopeAnswerView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentView {
    pub patient_id: i64,
    pub patient_name: String,
    pub pending: Vec<StudyConsentView>,
    pub answered: Vec<StudyConsentView>,
    /// Whether the signed-in user may answer (the patient, or a manager or member).
    pub can_answer: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationView {
    pub id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub data_type: String,
    pub data_type_code: String,
    /// The data source that uploaded it.
    pub source: String,
    /// The start of its effective time (ISO 8601), and in microseconds.
    pub when: String,
    pub at: Option<i64>,
    /// The data point, pretty-printed.
    pub data_point: String,
    /// The main value, e.g. `8725 steps` or `72 beats/min`.
    pub summary: String,
    /// That value as a number, and its unit, for charts.
    pub value: Option<f64>,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleResult {
    pub valid: bool,
    pub errors: Vec<String>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use jhe_core::caller::Caller;
    use leptos::prelude::*;

    pub use crate::auth::server::{db, refuse, refuse_with};

    /// The signed-in caller, or a 401.
    pub async fn caller() -> Result<(jhe_core::Db, Caller), ServerFnError> {
        let db = db().await?;
        let session = crate::auth::server::session().await?;
        let caller = crate::session::caller(&session, &db).await.map_err(|e| refuse(503, &e))?;
        caller.map(|c| (db, c)).ok_or_else(|| refuse(401, "Sign in first."))
    }

    pub fn data_type(t: jhe_core::data_types::DataType) -> super::DataTypeView {
        super::DataTypeView { id: t.id, coding_system: t.coding_system, coding_code: t.coding_code, text: t.text }
    }

    pub fn data_source(s: jhe_core::data_sources::DataSource) -> super::DataSourceView {
        super::DataSourceView {
            id: s.id,
            name: s.name,
            kind: s.kind,
            supported_scopes: s.supported_scopes.into_iter().map(data_type).collect(),
        }
    }
}

#[server(prefix = "/console/api", endpoint = "data_sources", input = crate::api::args::Form)]
pub async fn data_sources() -> Result<Vec<DataSourceView>, ServerFnError> {
    let (db, _) = server::caller().await?;
    let all = jhe_core::data_sources::list(&db).await.map_err(|e| server::refuse_with(&e))?;
    Ok(all.into_iter().map(server::data_source).collect())
}

#[server(prefix = "/console/api", endpoint = "add_data_source", input = crate::api::args::Form)]
pub async fn add_data_source(name: String, kind: String) -> Result<i64, ServerFnError> {
    let (db, caller) = server::caller().await?;
    let created = jhe_core::data_sources::create(&db, &caller, &name, &kind).await.map_err(|e| server::refuse_with(&e))?;
    Ok(created.id)
}

#[server(prefix = "/console/api", endpoint = "add_supported_scope", input = crate::api::args::Form)]
pub async fn add_supported_scope(data_source_id: i64, data_type_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::data_sources::add_supported_scope(&db, &caller, data_source_id, data_type_id)
        .await
        .map(|_| ())
        .map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "edit_data_source", input = crate::api::args::Form)]
pub async fn edit_data_source(id: i64, name: String, kind: String) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::data_sources::update(&db, &caller, id, Some(&name), Some(&kind))
        .await
        .map(|_| ())
        .map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "delete_data_source", input = crate::api::args::Form)]
pub async fn delete_data_source(id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::data_sources::delete(&db, &caller, id).await.map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "remove_supported_scope", input = crate::api::args::Form)]
pub async fn remove_supported_scope(data_source_id: i64, data_type_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::data_sources::remove_supported_scope(&db, &caller, data_source_id, data_type_id)
        .await
        .map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "data_types", input = crate::api::args::Form)]
pub async fn data_types() -> Result<Vec<DataTypeView>, ServerFnError> {
    let (db, _) = server::caller().await?;
    let all = jhe_core::data_types::list(&db).await.map_err(|e| server::refuse_with(&e))?;
    Ok(all.into_iter().map(server::data_type).collect())
}

/// Adds a data type; `schema` is JSON Schema text (empty for built-in codes).
#[server(prefix = "/console/api", endpoint = "add_data_type", input = crate::api::args::Form)]
pub async fn add_data_type(coding_system: String, coding_code: String, text: String, schema: String) -> Result<i64, ServerFnError> {
    let (db, caller) = server::caller().await?;
    let schema: Option<serde_json::Value> = match schema.trim() {
        "" => None,
        text => Some(serde_json::from_str(text).map_err(|e| server::refuse(400, &format!("schema: not JSON ({e})")))?),
    };
    let new = jhe_core::data_types::NewDataType {
        coding_system: &coding_system,
        coding_code: &coding_code,
        text: &text,
        schema: schema.as_ref(),
    };
    let created = jhe_core::data_types::create(&db, &caller, &new).await.map_err(|e| server::refuse_with(&e))?;
    Ok(created.id)
}

/// Checks pasted JSON Schema text before it is saved: `None` when it can be
/// used, else what is wrong with it.
#[server(prefix = "/console/api", endpoint = "check_schema", input = crate::api::args::Form)]
pub async fn check_schema(schema: String) -> Result<Option<String>, ServerFnError> {
    server::caller().await?;
    let parsed: serde_json::Value = match serde_json::from_str(&schema) {
        Ok(value) => value,
        Err(e) => return Ok(Some(format!("not JSON: {e}"))),
    };
    Ok(jhe_core::schemas::check_schema(&parsed).err().map(|e| e.to_string()))
}

/// "Try a sample": validates a pasted OMH data point against a data type.
#[server(prefix = "/console/api", endpoint = "try_sample", input = crate::api::args::Form)]
pub async fn try_sample(data_type_id: i64, sample: String) -> Result<SampleResult, ServerFnError> {
    let (db, _) = server::caller().await?;
    let point: serde_json::Value =
        serde_json::from_str(&sample).map_err(|e| server::refuse(400, &format!("The sample is not JSON: {e}")))?;
    let check = jhe_core::data_types::validate_sample(&db, data_type_id, &point).await.map_err(|e| server::refuse_with(&e))?;
    Ok(SampleResult { valid: check.valid, errors: check.errors.iter().map(ToString::to_string).collect() })
}

#[server(prefix = "/console/api", endpoint = "studies", input = crate::api::args::Form)]
pub async fn studies() -> Result<Vec<StudyView>, ServerFnError> {
    let (db, caller) = server::caller().await?;
    if caller.practitioner_id.is_none() && !caller.is_superuser {
        return Ok(Vec::new());
    }
    let request = jhe_core::paging::PageRequest { number: Some(1), size: jhe_core::paging::MAX_PAGE_SIZE };
    let visible = jhe_core::studies::visible(&db, &caller).await.map_err(|e| server::refuse_with(&e))?;
    let catalogue = jhe_core::data_sources::list(&db).await.map_err(|e| server::refuse_with(&e))?;
    let mut views = Vec::new();
    for study in visible {
        let sources = jhe_core::studies::data_sources(&db, &caller, study.id).await.map_err(|e| server::refuse_with(&e))?;
        let requests = jhe_core::studies::scope_requests(&db, &caller, study.id).await.map_err(|e| server::refuse_with(&e))?;
        let enrolled = jhe_core::studies::patients(&db, &caller, study.id, &request).await.map_err(|e| server::refuse_with(&e))?;
        let clients = jhe_core::clients::of_study(&db, &caller, study.id).await.map_err(|e| server::refuse_with(&e))?;
        views.push(StudyView {
            id: study.id,
            name: study.name,
            description: study.description,
            organization: study.organization.name,
            organization_id: study.organization.id,
            patients: enrolled
                .items
                .into_iter()
                .map(|p| patients::NamedId {
                    id: p.id,
                    name: full_name(p.name_given.as_deref().unwrap_or_default(), p.name_family.as_deref().unwrap_or_default()),
                })
                .collect(),
            clients: clients.into_iter().map(|c| patients::NamedId { id: c.client.id, name: c.client.name }).collect(),
            can_write: caller.is_superuser || caller.writes_in_any(&[study.organization.id]),
            data_sources: sources
                .iter()
                .filter_map(|link| catalogue.iter().find(|s| s.id == link.data_source.id).cloned())
                .map(server::data_source)
                .collect(),
            scope_requests: requests.into_iter().map(|r| server::data_type(r.scope_code)).collect(),
        });
    }
    Ok(views)
}

#[server(prefix = "/console/api", endpoint = "add_study_data_source", input = crate::api::args::Form)]
pub async fn add_study_data_source(study_id: i64, data_source_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::studies::add_data_source(&db, &caller, study_id, data_source_id)
        .await
        .map(|_| ())
        .map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "add_scope_request", input = crate::api::args::Form)]
pub async fn add_scope_request(study_id: i64, data_type_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::studies::add_scope_request(&db, &caller, study_id, data_type_id)
        .await
        .map(|_| ())
        .map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "remove_study_data_source", input = crate::api::args::Form)]
pub async fn remove_study_data_source(study_id: i64, data_source_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::studies::remove_data_source(&db, &caller, study_id, data_source_id).await.map_err(|e| server::refuse_with(&e))
}

#[server(prefix = "/console/api", endpoint = "remove_scope_request", input = crate::api::args::Form)]
pub async fn remove_scope_request(study_id: i64, data_type_id: i64) -> Result<(), ServerFnError> {
    let (db, caller) = server::caller().await?;
    jhe_core::studies::remove_scope_request(&db, &caller, study_id, data_type_id).await.map_err(|e| server::refuse_with(&e))
}

/// A patient's consents; `None` means the signed-in patient's own.
#[server(prefix = "/console/api", endpoint = "consents", input = crate::api::args::Form)]
pub async fn consents(patient_id: Option<i64>) -> Result<ConsentView, ServerFnError> {
    let (db, caller) = server::caller().await?;
    let patient_id = patient_id.or(caller.patient_id).ok_or_else(|| server::refuse(400, "Choose a patient."))?;
    let overview = jhe_core::consents::overview(&db, &caller, patient_id).await.map_err(|e| server::refuse_with(&e))?;
    let study = |s: &jhe_core::consents::StudyConsents, pending: bool| StudyConsentView {
        id: s.id,
        name: s.name.clone(),
        description: s.description.clone(),
        scopes: if pending { s.pending_scope_consents.clone() } else { s.scope_consents.clone() }
            .unwrap_or_default()
            .into_iter()
            .map(|c| ScopeAnswerView {
                answered_at: c.consented_time.as_deref().and_then(jhe_core::time::parse_iso),
                answered_by: c.consented_by.map(|(user_id, email)| if user_id == caller.user_id { "you".to_owned() } else { email }),
                data_type: server::data_type(c.code),
                consented: c.consented,
            })
            .collect(),
    };
    let organizations: Vec<i64> = overview.patient.organizations.iter().map(|o| o.id).collect();
    let can_answer = caller.patient_id == Some(patient_id) || caller.is_superuser || caller.writes_in_any(&organizations);
    Ok(ConsentView {
        patient_id,
        patient_name: format!(
            "{} {}",
            overview.patient.name_given.clone().unwrap_or_default(),
            overview.patient.name_family.clone().unwrap_or_default()
        )
        .trim()
        .to_owned(),
        pending: overview.studies_pending_consent.iter().map(|s| study(s, true)).collect(),
        answered: overview.studies.iter().map(|s| study(s, false)).collect(),
        can_answer,
    })
}

/// Records answers for one study: `granted` lists the data type ids ticked;
/// every other listed type is declined. Pending scopes are answered (POST),
/// answered ones changed (PATCH).
// JSON, not a form: an empty list of ticked types must still arrive.
#[server(prefix = "/console/api", endpoint = "save_consents", input = crate::api::args::Json)]
pub async fn save_consents(patient_id: i64, study_id: i64, listed: Vec<i64>, granted: Vec<i64>, pending: bool) -> Result<(), ServerFnError> {
    use jhe_core::consents::{Change, ScopeAnswer, StudyAnswers};
    let (db, caller) = server::caller().await?;
    let all = jhe_core::data_types::list(&db).await.map_err(|e| server::refuse_with(&e))?;
    let mut answers = Vec::new();
    for id in listed {
        let data_type = all.iter().find(|t| t.id == id).ok_or_else(|| server::refuse(400, &format!("unknown data type {id}")))?;
        answers.push(ScopeAnswer {
            coding_system: data_type.coding_system.clone(),
            coding_code: data_type.coding_code.clone(),
            consented: granted.contains(&id),
        });
    }
    let change = if pending { Change::Answer } else { Change::Change };
    jhe_core::consents::record(&db, &caller, patient_id, change, &[StudyAnswers { study_id, scope_consents: answers }])
        .await
        .map(|_| ())
        .map_err(|e| server::refuse_with(&e))
}

/// Rows per page of the observations table.
pub const OBSERVATION_PAGE_SIZE: i64 = 25;

/// The observations table's filters; dates are `YYYY-MM-DD`, both inclusive.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ObservationFilters {
    pub organization_id: Option<i64>,
    pub study_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub data_type_id: Option<i64>,
    pub from: String,
    pub to: String,
    pub page: i64,
    #[serde(default)]
    pub sort: ObservationSort,
}

/// How the console orders observations: by when they were taken unless
/// the reader asks otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ObservationSort {
    #[default]
    Newest,
    Oldest,
    Patient,
    DataType,
}

impl ObservationSort {
    /// Its name in the page's address (`?sort=oldest`); the default has none.
    pub fn key(self) -> &'static str {
        match self {
            ObservationSort::Newest => "",
            ObservationSort::Oldest => "oldest",
            ObservationSort::Patient => "patient",
            ObservationSort::DataType => "type",
        }
    }

    pub fn from_key(key: &str) -> Self {
        [ObservationSort::Oldest, ObservationSort::Patient, ObservationSort::DataType]
            .into_iter()
            .find(|sort| sort.key() == key)
            .unwrap_or_default()
    }
}

/// A person's name as the console shows it: given then family, either may be empty.
pub fn full_name(given: &str, family: &str) -> String {
    format!("{given} {family}").trim().to_owned()
}

/// One page of a list paged on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub count: i64,
    pub number: i64,
    pub has_next: bool,
    pub items: Vec<T>,
}

#[cfg(feature = "ssr")]
impl<T> Page<T> {
    /// The console's view of a page the domain returned.
    pub(crate) fn of<U>(page: jhe_core::paging::Page<U>, view: impl FnMut(U) -> T) -> Page<T> {
        Page { count: page.count, number: page.number, has_next: page.has_next, items: page.items.into_iter().map(view).collect() }
    }
}

#[server(prefix = "/console/api", endpoint = "observations", input = crate::api::args::Json)]
pub async fn observations(filters: ObservationFilters) -> Result<Page<ObservationView>, ServerFnError> {
    let (db, caller) = server::caller().await?;
    let day = |text: &str, field: &str| -> Result<Option<i64>, ServerFnError> {
        if text.is_empty() {
            return Ok(None);
        }
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| server::refuse(400, &format!("{field}: \"{text}\" is not a date (YYYY-MM-DD)")))?;
        Ok(Some(jhe_core::time::from_datetime(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())))
    };
    const DAY: i64 = 86_400 * 1_000_000;
    let filter = jhe_core::store::observations::ObservationFilter {
        organization_id: filters.organization_id,
        study_id: filters.study_id,
        patient_id: filters.patient_id,
        data_type_id: filters.data_type_id,
        effective_from: day(&filters.from, "From")?,
        // The "to" day is included: before the next midnight.
        effective_before: day(&filters.to, "To")?.map(|start| start + DAY),
        order: {
            use jhe_core::store::observations::ListOrder;
            match filters.sort {
                ObservationSort::Newest => ListOrder::EffectiveNewest,
                ObservationSort::Oldest => ListOrder::EffectiveOldest,
                ObservationSort::Patient => ListOrder::Patient,
                ObservationSort::DataType => ListOrder::DataType,
            }
        },
        ..Default::default()
    };
    let request = jhe_core::paging::PageRequest { number: Some(filters.page.max(1)), size: OBSERVATION_PAGE_SIZE };
    let page = jhe_core::observations::list(&db, &caller, filter, &request).await.map_err(|e| server::refuse_with(&e))?;
    Ok(Page::of(page, observation_view))
}

/// An observation as the console's tables show it.
#[cfg(feature = "ssr")]
pub(crate) fn observation_view(o: jhe_core::observations::ListedObservation) -> ObservationView {
    let body = &o.omh_data["body"];
    ObservationView {
        id: o.id,
        patient_id: o.subject_patient_id,
        patient_name: full_name(o.patient_name_given.as_deref().unwrap_or_default(), o.patient_name_family.as_deref().unwrap_or_default()),
        data_type: o.coding_text,
        data_type_code: o.coding_code,
        source: o.data_source_name.unwrap_or_default(),
        when: o.effective_start.map(jhe_core::time::to_iso).unwrap_or_default(),
        at: o.effective_start,
        summary: summarize(body),
        value: main_value(body).map(|(value, _)| value),
        unit: main_value(body).map(|(_, unit)| unit).unwrap_or_default(),
        data_point: serde_json::to_string_pretty(&o.omh_data).unwrap_or_default(),
    }
}

/// The number a chart plots and its unit: the first `{value, unit}` of the
/// body, or its first number (named after its field: `step count`).
#[cfg(feature = "ssr")]
fn main_value(body: &serde_json::Value) -> Option<(f64, String)> {
    let fields = body.as_object()?;
    fields.iter().filter(|(key, _)| key.as_str() != "effective_time_frame").find_map(|(key, value)| {
        match value.get("value").and_then(serde_json::Value::as_f64) {
            Some(number) => Some((number, value.get("unit").and_then(|u| u.as_str()).unwrap_or_default().to_owned())),
            None => value.as_f64().map(|number| (number, key.replace('_', " "))),
        }
    })
}

/// The key value of a body: its first `{value, unit}` or number.
#[cfg(feature = "ssr")]
fn summarize(body: &serde_json::Value) -> String {
    let Some(fields) = body.as_object() else { return String::new() };
    let value_of = |key: &str| body[key]["value"].as_f64();
    if let (Some(systolic), Some(diastolic)) = (value_of("systolic_blood_pressure"), value_of("diastolic_blood_pressure")) {
        return format!("{systolic}/{diastolic} mmHg");
    }
    for (key, value) in fields {
        if key == "effective_time_frame" {
            continue;
        }
        if let (Some(v), Some(unit)) = (value.get("value"), value.get("unit").and_then(|u| u.as_str())) {
            return format!("{v} {unit}");
        }
        if value.is_number() {
            return format!("{value} {}", key.replace('_', " "));
        }
    }
    String::new()
}
