//! What the fuzz targets in `fuzz/` run on arbitrary input, and what the
//! corpus test replays: the reading and validation of what clients send
//! that comes before any lookup. Whatever the input, nothing panics and
//! every refusal is one a client can act on.

use serde_json::Value;

use crate::fhir::{FhirError, bundle, effective, observation, search};
use crate::schemas::{self, Issue, SchemaError};
use crate::time::{from_datetime, to_datetime};

/// Every target: its name (the fuzz target's and its corpus folder's) and what it runs.
pub const TARGETS: [(&str, fn(&[u8])); 4] =
    [("observation", observation), ("bundle", bundle), ("data_point", data_point), ("search", search)];

/// An Observation resource (JSON) through the checks of
/// [`observation::check`] that need no lookup, in its order, as if every
/// lookup found what it looks for.
pub fn observation(data: &[u8]) {
    let Ok(resource) = serde_json::from_slice::<Value>(data) else { return };
    if let Err(error) = observation_checks(&resource) {
        assert_refusal(&error);
    }
}

/// A Bundle (JSON) read as [`bundle::process`] reads it, and each entry's
/// Observation through the same checks as [`observation`].
pub fn bundle(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let parsed = match bundle::parse(&value) {
        Ok(parsed) => parsed,
        Err(error) => return assert_refusal(&error),
    };
    assert_eq!(parsed.entries.len(), value["entry"].as_array().map_or(0, Vec::len));
    for (index, entry) in parsed.entries.into_iter().enumerate() {
        let refusal = match entry {
            Ok(resource) => observation_checks(resource).err().map(|e| e.within(&format!("Bundle.entry[{index}].resource"))),
            Err(error) => Some(error),
        };
        if let Some(error) = refusal {
            assert_refusal(&error);
            let at = format!("Bundle.entry[{index}]");
            assert!(error.expression.as_deref().is_some_and(|e| e.starts_with(&at)), "{error:?} is not about {at}");
        }
    }
}

/// A data type's code on the first line, then a JSON document: the document
/// as a body of that type (as the OMH conformance documents are), as a data
/// point of that type, and as a custom data type's schema.
pub fn data_point(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (code, json) = text.split_once('\n').unwrap_or(("omh:heart-rate:2.0", text));
    let Ok(document) = serde_json::from_str::<Value>(json) else { return };
    match schemas::builtin_uri(code) {
        Some(uri) => {
            let issues = schemas::validate_builtin(&uri, &document).unwrap_or_else(|e| panic!("the built-in {uri} does not load: {e}"));
            assert_issues(&issues);
            let issues = schemas::validate_data_point(code, None, &document).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_data_point_issues(&issues);
            // A custom data type that stores the built-in's schema as its own
            // judges alike. (Stored schemas only of built-ins: the compiled
            // validators are cached by schema, and arbitrary ones would fill
            // the cache.)
            let stored = schemas::builtin_schema(&uri).map(Value::to_string).unwrap_or_default();
            let as_stored = schemas::validate_data_point(code, Some(&stored), &document).unwrap_or_else(|e| panic!("{uri} stored: {e}"));
            assert_eq!(as_stored, issues, "{uri} stored");
        }
        None => assert!(matches!(schemas::validate_data_point(code, None, &document), Err(SchemaError::Unknown(_)))),
    }
    if let Err(error) = schemas::check_schema(&document) {
        assert!(!error.to_string().trim().is_empty(), "{error:?}");
    }
}

/// Observation search parameters, one `name=value` a line, read as
/// [`search::observations`] reads them; every value is also read as an instant.
pub fn search(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let params: Vec<(String, String)> = text
        .lines()
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or((line, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect();
    for (_, value) in &params {
        // An instant is stored as microseconds and must read back from them.
        if let Some(at) = effective::parse_instant(value) {
            let micros = from_datetime(at);
            assert_eq!(from_datetime(to_datetime(micros)), micros, "{value}");
        }
    }
    match search::parse_params(&params) {
        Ok(parsed) => {
            let query = &parsed.query;
            assert!((1..=search::MAX_COUNT).contains(&query.limit), "{query:?}");
            assert!(query.practitioner_id.is_none() && query.data_type_ids.is_none(), "{query:?}");
            assert_eq!(query.after.is_some(), params.iter().any(|(name, _)| name == "_cursor"), "{query:?}");
        }
        Err(error) => assert_refusal(&error),
    }
}

fn observation_checks(resource: &Value) -> Result<(), FhirError> {
    let parsed = observation::parse(resource)?;
    // What holds a NUL outside the data point never gets past the parse.
    assert!(crate::input::nul_path(resource, "").is_none(), "a NUL passed: {resource}");
    assert!(observation::STATUSES.contains(&parsed.status), "{parsed:?}");
    assert!(!parsed.system.is_empty() && !parsed.code.is_empty(), "{parsed:?}");
    observation::device_id(resource)?;
    let (_, point) = observation::payload(resource)?;
    // A custom data type's schema may accept any body, so any body gets this far.
    effective::effective_of(&point["body"]);
    match schemas::validate_data_point(parsed.code, None, &point) {
        Ok(issues) if issues.is_empty() => {}
        Ok(issues) => {
            assert_data_point_issues(&issues);
            return Err(observation::invalid_data_point(issues));
        }
        // Not a built-in type: only a custom one (with its own schema) could take it.
        Err(SchemaError::Unknown(_)) => {}
        Err(error) => panic!("the built-in schema for {} does not load: {error}", parsed.code),
    }
    observation::identifiers(resource)?;
    Ok(())
}

/// A refusal a client can act on: a 4xx status, a code and a diagnostics
/// text, carried by its OperationOutcome.
fn assert_refusal(error: &FhirError) {
    assert!((400..500).contains(&error.status), "{error:?}");
    assert!(!error.code.is_empty() && !error.diagnostics.trim().is_empty(), "{error:?}");
    assert!(error.expression.as_deref().is_none_or(|e| !e.is_empty()), "{error:?}");
    assert_issues(&error.issues);
    let outcome = error.outcome();
    assert_eq!(outcome["issue"][0]["diagnostics"], error.diagnostics.as_str());
    assert_eq!(outcome["issue"].as_array().map(Vec::len), Some(1 + error.issues.len()));
}

fn assert_issues(issues: &[Issue]) {
    for issue in issues {
        assert!(!issue.path.is_empty() && !issue.message.trim().is_empty(), "{issue:?}");
    }
}

/// A data point's issues: at most [`schemas::MAX_ISSUES`], and one that counts the rest.
fn assert_data_point_issues(issues: &[Issue]) {
    assert!(issues.len() <= schemas::MAX_ISSUES + 1, "{} issues", issues.len());
    assert_issues(issues);
}
