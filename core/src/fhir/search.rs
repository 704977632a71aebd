//! Observation search: parameters, authorization, consent gate, keyset
//! paging with opaque cursors.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;

use super::observation::ObservationResource;
use super::{FhirError, effective::parse_instant};
use crate::caller::Caller;
use crate::db::Db;
use crate::store::observations::{self as rows, Bound, ObservationQuery, SortKey};
use crate::store::{self, data_types, patients};
use crate::time::{Micros, from_datetime};

pub const DEFAULT_COUNT: i64 = 20;
pub const MAX_COUNT: i64 = 1000;

/// A resource a search finds: it serializes as itself and knows its id
/// (for the entry's `fullUrl`).
pub trait Found: serde::Serialize {
    fn id(&self) -> String;
}

impl Found for Value {
    fn id(&self) -> String {
        self["id"].as_str().unwrap_or_default().to_owned()
    }
}

impl Found for ObservationResource {
    fn id(&self) -> String {
        self.row.id.to_string()
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchPage<R = Value> {
    /// Only when asked for (`_total=accurate` or `_summary=count`).
    pub total: Option<i64>,
    pub resources: Vec<R>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// `_summary=count`: the total only.
    pub count_only: bool,
}

/// The search parameters this server understands (for the CapabilityStatement).
pub const OBSERVATION_PARAMS: [(&str, &str); 10] = [
    ("patient", "reference"),
    ("subject", "reference"),
    ("patient._has:Group:member:_id", "token"),
    ("code", "token"),
    ("date", "date"),
    ("identifier", "token"),
    ("_id", "token"),
    ("_lastUpdated", "date"),
    ("_sort", "string"),
    ("_total", "string"),
];

fn invalid(parameter: &str, message: impl Into<String>) -> FhirError {
    FhirError::new(400, "invalid", message.into(), Some(parameter))
}

/// `123` or `Patient/123`.
fn patient_reference(parameter: &str, value: &str) -> Result<i64, FhirError> {
    value
        .strip_prefix("Patient/")
        .unwrap_or(value)
        .parse()
        .map_err(|_| invalid(parameter, format!("{parameter}: '{value}' is not a patient id (use 123 or Patient/123)")))
}

/// A FHIR date search value (`ge2025-03-01`, `lt2025-03-01T08:00:00Z`, `2025`, `2025-03`)
/// as bounds on an instant.
fn date_bounds(parameter: &str, raw: &str) -> Result<Vec<Bound>, FhirError> {
    let (prefix, value) = match raw.get(..2) {
        Some(p @ ("eq" | "ne" | "gt" | "ge" | "lt" | "le" | "sa" | "eb" | "ap")) => (p, &raw[2..]),
        _ => ("eq", raw),
    };
    let bad = || invalid(parameter, format!("{parameter}: '{raw}' is not a date, a month, a year or an instant (with an optional ge/gt/le/lt/eq prefix)"));
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| from_datetime(Utc.from_utc_datetime(&t)));
    // [start, end) of the value at its precision.
    let (start, end): (Micros, Micros) = if value.len() == 4 {
        let year: i32 = value.parse().map_err(|_| bad())?;
        (day(year, 1, 1).ok_or_else(bad)?, day(year + 1, 1, 1).ok_or_else(bad)?)
    } else if value.len() == 7 {
        let (y, m) = value.split_once('-').ok_or_else(bad)?;
        let (year, month): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        let next = if month == 12 { day(year + 1, 1, 1) } else { day(year, month + 1, 1) };
        (day(year, month, 1).ok_or_else(bad)?, next.ok_or_else(bad)?)
    } else if value.len() == 10 {
        let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?;
        let start = from_datetime(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).ok_or_else(bad)?));
        (start, start + 86_400_000_000)
    } else {
        let at = from_datetime(parse_instant(value).ok_or_else(bad)?);
        (at, at + 1)
    };
    Ok(match prefix {
        "eq" => vec![Bound::From(start), Bound::Before(end)],
        "ge" => vec![Bound::From(start)],
        "gt" => vec![Bound::From(end)],
        "lt" => vec![Bound::Before(start)],
        "le" => vec![Bound::Before(end)],
        other => return Err(invalid(parameter, format!("{parameter}: the '{other}' prefix is not supported (use eq, ge, gt, le or lt)"))),
    })
}

/// `system|code`, `|code`, `system|` or a bare code; comma-separated alternatives.
async fn code_filter(db: &Db, value: &str) -> Result<Vec<i64>, FhirError> {
    let mut tx = db.begin_read().await?;
    let all = data_types::list(tx.conn()).await?;
    tx.commit().await?;
    let mut ids = Vec::new();
    for alternative in value.split(',') {
        let (system, code) = match alternative.split_once('|') {
            Some((system, code)) => (Some(system).filter(|s| !s.is_empty()), Some(code).filter(|c| !c.is_empty())),
            None => (None, Some(alternative)),
        };
        ids.extend(
            all.iter()
                .filter(|t| system.is_none_or(|s| s == t.coding_system) && code.is_none_or(|c| c == t.coding_code))
                .map(|t| t.id),
        );
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn encode_cursor(sort: SortKey, descending: bool, key: i64, id: i64) -> String {
    let sort = match sort {
        SortKey::LastUpdated => "u",
        SortKey::Effective => "e",
    };
    URL_SAFE_NO_PAD.encode(format!("1:{sort}:{}:{key}:{id}", u8::from(descending)))
}

fn decode_cursor(cursor: &str, sort: SortKey, descending: bool) -> Result<(i64, i64), FhirError> {
    let bad = || invalid("_cursor", "_cursor is not a cursor of this search; follow the next link as given");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split(':').collect();
    let [version, s, d, key, id] = parts[..] else { return Err(bad()) };
    let expected_sort = if sort == SortKey::LastUpdated { "u" } else { "e" };
    if version != "1" || s != expected_sort || d != if descending { "1" } else { "0" } {
        return Err(bad());
    }
    Ok((key.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// A search's parameters, read and checked without any lookup.
#[derive(Debug, Clone)]
pub struct SearchParams {
    /// The query, before authorization and before `code` is resolved.
    pub query: ObservationQuery,
    /// The `code` filter as given: only the database resolves it to data types.
    pub code: Option<String>,
    /// `_total=accurate`.
    pub with_total: bool,
    /// `_summary=count`.
    pub count_only: bool,
}

/// Reads Observation search parameters; unknown ones are ignored, as FHIR
/// servers may. A repeated parameter narrows (`date`, `_lastUpdated`) or
/// replaces (the others) the earlier one.
pub fn parse_params(params: &[(String, String)]) -> Result<SearchParams, FhirError> {
    let mut query = ObservationQuery {
        practitioner_id: None,
        patient_id: None,
        study_id: None,
        data_type_ids: None,
        observation_id: None,
        identifier: None,
        effective: Vec::new(),
        last_updated: Vec::new(),
        sort: SortKey::LastUpdated,
        descending: true,
        after: None,
        limit: DEFAULT_COUNT,
    };
    let (mut code, mut cursor, mut with_total, mut count_only) = (None, None, false, false);
    for (key, value) in params {
        match key.as_str() {
            "patient" | "subject" => query.patient_id = Some(patient_reference(key, value)?),
            "patient._has:Group:member:_id" | "patient._has:group:member:_id" | "_has:Group:member:_id" => {
                query.study_id = Some(value.parse().map_err(|_| invalid(key, format!("{key}: '{value}' is not a study id")))?);
            }
            "code" => code = Some(value.clone()),
            "date" => query.effective.extend(date_bounds(key, value)?),
            "_lastUpdated" => query.last_updated.extend(date_bounds(key, value)?),
            "_id" => query.observation_id = Some(value.parse().map_err(|_| invalid(key, format!("_id: '{value}' is not an observation id")))?),
            "identifier" => {
                query.identifier = Some(match value.split_once('|') {
                    Some((system, value)) => (Some(system.to_owned()).filter(|s| !s.is_empty()), value.to_owned()),
                    None => (None, value.clone()),
                })
            }
            "_count" => {
                let count: i64 = value.parse().map_err(|_| invalid(key, format!("_count: '{value}' is not a number")))?;
                if count < 1 {
                    return Err(invalid(key, "_count: must be at least 1"));
                }
                query.limit = count.min(MAX_COUNT);
            }
            "_sort" => {
                (query.sort, query.descending) = match value.as_str() {
                    "date" => (SortKey::Effective, false),
                    "-date" => (SortKey::Effective, true),
                    "_lastUpdated" | "lastUpdated" => (SortKey::LastUpdated, false),
                    "-_lastUpdated" | "-lastUpdated" => (SortKey::LastUpdated, true),
                    other => return Err(invalid(key, format!("_sort: '{other}' is not one of date, -date, _lastUpdated, -_lastUpdated"))),
                }
            }
            "_total" => with_total = value == "accurate",
            "_summary" => match value.as_str() {
                "count" => count_only = true,
                "false" => {}
                other => return Err(invalid(key, format!("_summary: '{other}' is not supported (use count)"))),
            },
            "_cursor" => cursor = Some(value),
            _ => {}
        }
    }
    // The cursor belongs to one sort order, known only once every parameter is read.
    if let Some(cursor) = cursor {
        query.after = Some(decode_cursor(cursor, query.sort, query.descending)?);
    }
    Ok(SearchParams { query, code, with_total, count_only })
}

/// One rule for every searchset: `total` only when asked for, with
/// `_total=accurate`, or `_summary=count` (then the total alone).
pub fn with_total<R>(params: &[(String, String)], total: i64, resources: Vec<R>) -> SearchPage<R> {
    let asked = |key: &str, wanted: &str| params.iter().any(|(k, v)| k == key && v == wanted);
    let count_only = asked("_summary", "count");
    let total = (count_only || asked("_total", "accurate")).then_some(total);
    let resources = if count_only { Vec::new() } else { resources };
    SearchPage { total, resources, next: None, count_only }
}

/// Runs a search for the caller. Practitioners see only consented data of
/// patients in their organizations' studies; patients see their own.
pub async fn observations(db: &Db, caller: &Caller, params: &[(String, String)]) -> Result<SearchPage<ObservationResource>, FhirError> {
    let SearchParams { mut query, code, with_total, count_only } = parse_params(params)?;
    if let Some(code) = code {
        query.data_type_ids = Some(code_filter(db, &code).await?);
    }
    authorize(db, caller, &mut query).await?;

    let mut tx = db.begin_read().await?;
    let total = if with_total || count_only { Some(rows::count_search(tx.conn(), &query).await?) } else { None };
    if count_only {
        tx.commit().await?;
        return Ok(SearchPage { total, resources: Vec::new(), next: None, count_only: true });
    }
    // One extra row tells whether there is a next page.
    let page_size = query.limit;
    query.limit = page_size + 1;
    let mut found = rows::search(tx.conn(), &query).await?;
    let more = found.len() as i64 > page_size;
    found.truncate(page_size as usize);
    let ids: Vec<i64> = found.iter().map(|r| r.id).collect();
    let identifiers = rows::identifiers_of(tx.conn(), &ids).await?;
    tx.commit().await?;
    crate::audit::record_observation_reads(db, caller, "FHIR search", found.iter().map(|row| row.patient_id)).await?;
    let next = match (more, found.last()) {
        (true, Some(last)) => Some(encode_cursor(query.sort, query.descending, last.sort_key, last.id)),
        _ => None,
    };
    let mut identifiers_by_id: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (id, system, value) in identifiers {
        identifiers_by_id.entry(id).or_default().push((system, value));
    }
    let resources = found
        .into_iter()
        .map(|row| {
            let identifiers = identifiers_by_id.remove(&row.id).unwrap_or_default();
            ObservationResource { row, identifiers }
        })
        .collect();
    Ok(SearchPage { total, resources, next, count_only: false })
}

/// Narrows a query to what the caller may see, refusing explicit filters
/// outside it.
async fn authorize(db: &Db, caller: &Caller, query: &mut ObservationQuery) -> Result<(), FhirError> {
    match (caller.practitioner_id, caller.patient_id) {
        (Some(practitioner_id), _) => {
            let mut tx = db.begin_read().await?;
            if let Some(patient_id) = query.patient_id {
                if !patients::shares_organization(tx.conn(), patient_id, practitioner_id).await? {
                    return Err(FhirError::forbidden(format!("Current user is not authorized to access Patient/{patient_id}.")));
                }
            }
            if let Some(study_id) = query.study_id {
                let study = store::studies::by_id(tx.conn(), study_id).await?;
                if !study.is_some_and(|s| caller.role_in(s.organization_id).is_some()) {
                    return Err(FhirError::forbidden(format!("Current user is not authorized to access Group/{study_id}.")));
                }
            }
            tx.commit().await?;
            query.practitioner_id = Some(practitioner_id);
        }
        (None, Some(patient_id)) => {
            if query.patient_id.is_some_and(|p| p != patient_id) {
                return Err(FhirError::forbidden("The Subject Patient does not match the current user."));
            }
            query.patient_id = Some(patient_id);
        }
        (None, None) => return Err(FhirError::forbidden("Only practitioners and patients read observations.")),
    }
    Ok(())
}

/// `GET /Observation/{id}`: the same visibility as search.
pub async fn observation(db: &Db, caller: &Caller, id: &str) -> Result<Value, FhirError> {
    let not_found = || FhirError::not_found(format!("Observation/{id} not found."));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let page = observations(db, caller, &[("_id".into(), id.to_string())]).await?;
    page.resources.first().map(ObservationResource::to_json).ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_bounds_at_their_precision() {
        let at = |s: &str| from_datetime(parse_instant(s).unwrap());
        assert_eq!(date_bounds("date", "ge2025-03-01").unwrap(), vec![Bound::From(at("2025-03-01T00:00:00Z"))]);
        assert_eq!(date_bounds("date", "lt2025-03").unwrap(), vec![Bound::Before(at("2025-03-01T00:00:00Z"))]);
        assert_eq!(
            date_bounds("date", "2025").unwrap(),
            vec![Bound::From(at("2025-01-01T00:00:00Z")), Bound::Before(at("2026-01-01T00:00:00Z"))]
        );
        assert_eq!(date_bounds("date", "le2025-12").unwrap(), vec![Bound::Before(at("2026-01-01T00:00:00Z"))]);
        assert!(date_bounds("date", "ge2025-13-01").is_err());
        assert!(date_bounds("date", "ne2025-01-01").is_err());
        assert!(date_bounds("date", "yesterday").is_err());
    }

    #[test]
    fn cursors_round_trip_and_refuse_other_searches() {
        let cursor = encode_cursor(SortKey::LastUpdated, true, 1_700_000_000_000_000, 60_001);
        assert_eq!(decode_cursor(&cursor, SortKey::LastUpdated, true).unwrap(), (1_700_000_000_000_000, 60_001));
        assert!(decode_cursor(&cursor, SortKey::Effective, true).is_err());
        assert!(decode_cursor("garbage", SortKey::LastUpdated, true).is_err());
    }
}
