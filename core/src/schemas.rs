//! The schema registry and Open mHealth validation.
//!
//! Built-in OMH and IEEE 1752 schemas (`data/schemas`, embedded at build
//! time) are served under their canonical URIs, with `-M.x` aliases naming
//! the latest `M.n`; nothing is ever fetched over the network. A custom data
//! type's schema, stored with it, is compiled against the same registry, so
//! it may `$ref` the built-ins. Compiled validators are cached by schema.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jsonschema::{Registry, Validator};
use serde::Serialize;
use serde_json::{Value, json};

include!(concat!(env!("OUT_DIR"), "/builtin_schemas.rs"));

pub const OMH_BASE: &str = "https://w3id.org/openmhealth/schemas/omh/";
pub const IEEE_BASE: &str = "https://w3id.org/ieee/ieee-1752-schema/";
/// Every data point's header is checked against the IEEE 1752 header.
pub const HEADER_URI: &str = "https://w3id.org/ieee/ieee-1752-schema/header-1.0.json";

/// Most issues reported for one document.
pub const MAX_ISSUES: usize = 20;

/// One reason a document is invalid: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

struct Builtins {
    /// Canonical URI → schema.
    documents: HashMap<String, Value>,
    registry: Registry<'static>,
}

static BUILTINS: LazyLock<Result<Builtins, String>> = LazyLock::new(load_builtins);
static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<Validator>>>> = LazyLock::new(Default::default);

/// Cache keys of custom data types' schemas (by the hash of their text).
const STORED: &str = "stored:";

/// Most validators the cache holds. The built-ins are a fixed set, but every
/// custom schema and every edit of one is a new key: past this, a custom
/// schema's validator makes room by dropping another (it is recompiled when
/// next needed).
const MAX_VALIDATORS: usize = 512;

fn uri_of(path: &str) -> Option<String> {
    let (dir, file) = path.split_once('/')?;
    let base = match dir {
        "omh" => OMH_BASE,
        "ieee" => IEEE_BASE,
        _ => return None,
    };
    Some(format!("{base}{file}"))
}

/// `heart-rate-2.0.json` → `("heart-rate", 2, 0)`.
fn split_version(file: &str) -> Option<(&str, u32, u32)> {
    let stem = file.strip_suffix(".json")?;
    let (name, version) = stem.rsplit_once('-')?;
    let (major, minor) = version.split_once('.')?;
    Some((name, major.parse().ok()?, minor.parse().ok()?))
}

fn load_builtins() -> Result<Builtins, String> {
    let mut documents = HashMap::new();
    // (base, name, major) → (minor, uri): the target of the `-M.x` alias.
    let mut latest: HashMap<(String, String, u32), (u32, String)> = HashMap::new();
    for (path, text) in BUILTIN_SCHEMAS {
        let uri = uri_of(path).ok_or_else(|| format!("built-in schema {path} is outside omh/ and ieee/"))?;
        let schema: Value = serde_json::from_str(text).map_err(|e| format!("built-in schema {path} is not JSON: {e}"))?;
        let base = uri.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or_default();
        if let Some((name, major, minor)) = uri.rsplit('/').next().and_then(split_version) {
            let entry = latest.entry((base, name.to_owned(), major)).or_insert((minor, uri.clone()));
            if minor >= entry.0 {
                *entry = (minor, uri.clone());
            }
        }
        documents.insert(uri, schema);
    }
    let mut resources: Vec<(String, Value)> = documents.iter().map(|(u, s)| (u.clone(), s.clone())).collect();
    for ((base, name, major), (_, target)) in &latest {
        resources.push((format!("{base}/{name}-{major}.x.json"), json!({ "$ref": target })));
    }
    let registry = Registry::new()
        .extend(resources)
        .and_then(|builder| builder.prepare())
        .map_err(|e| format!("the built-in schema registry does not resolve: {e}"))?;
    Ok(Builtins { documents, registry })
}

fn builtins() -> Result<&'static Builtins, SchemaError> {
    BUILTINS.as_ref().map_err(|e| SchemaError::Registry(e.clone()))
}

/// Why a schema cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    /// The data type has no schema: neither a stored one nor a built-in for its code.
    #[error("no schema is known for {0}")]
    Unknown(String),
    /// A schema that is not a valid JSON Schema, or whose references do not resolve.
    #[error("{0}")]
    Invalid(String),
    #[error("schema registry: {0}")]
    Registry(String),
}

/// The canonical URI of the built-in schema for a code (`omh:heart-rate:2.0`).
pub fn builtin_uri(code: &str) -> Option<String> {
    let mut parts = code.split(':');
    let (namespace, name, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let base = match namespace {
        "omh" => OMH_BASE,
        "ieee" => IEEE_BASE,
        _ => return None,
    };
    let uri = format!("{base}{name}-{version}.json");
    builtins().ok()?.documents.contains_key(&uri).then_some(uri)
}

/// The built-in schema document at a canonical URI.
pub fn builtin_schema(uri: &str) -> Option<&'static Value> {
    builtins().ok()?.documents.get(uri)
}

fn uuid_format(text: &str) -> bool {
    uuid::Uuid::try_parse(text).is_ok()
}

/// Compiles a schema against the registry; relative references in a schema
/// without `$id` resolve against the OMH base, as in OMH's own schemas.
fn compile(schema: &Value) -> Result<Validator, SchemaError> {
    let builtins = builtins()?;
    jsonschema::options()
        .with_registry(&builtins.registry)
        .with_base_uri(OMH_BASE)
        .should_validate_formats(true)
        .with_format("uuid", uuid_format)
        .offline()
        .build(schema)
        .map_err(|e| SchemaError::Invalid(e.to_string()))
}

fn cached(key: String, schema: impl FnOnce() -> Result<Value, SchemaError>) -> Result<Arc<Validator>, SchemaError> {
    if let Some(validator) = VALIDATORS.lock().map_err(|_| SchemaError::Registry("cache poisoned".into()))?.get(&key) {
        return Ok(validator.clone());
    }
    let validator = Arc::new(compile(&schema()?)?);
    let mut validators = VALIDATORS.lock().map_err(|_| SchemaError::Registry("cache poisoned".into()))?;
    if validators.len() >= MAX_VALIDATORS {
        if let Some(evicted) = validators.keys().find(|k| k.starts_with(STORED)).cloned() {
            validators.remove(&evicted);
        }
    }
    validators.insert(key, validator.clone());
    Ok(validator)
}

/// Checks that a custom data type's schema is a JSON Schema whose references
/// all resolve (to built-ins or within itself).
pub fn check_schema(schema: &Value) -> Result<(), SchemaError> {
    if !schema.is_object() && !schema.is_boolean() {
        return Err(SchemaError::Invalid("a JSON Schema must be an object".into()));
    }
    jsonschema::meta::validate(schema).map_err(|e| {
        let at = e.instance_path().to_string();
        let at = if at.is_empty() { String::new() } else { format!(" at {at}") };
        SchemaError::Invalid(format!("not a valid JSON Schema{at}: {e}"))
    })?;
    compile(schema).map(|_| ())
}

/// The validator for a data type's body: its stored schema, or the built-in for its code.
pub fn body_validator(code: &str, stored_schema: Option<&str>) -> Result<Arc<Validator>, SchemaError> {
    match stored_schema {
        Some(text) => {
            let key = format!("{STORED}{}", crate::secret::hash(text));
            cached(key, || serde_json::from_str(text).map_err(|e| SchemaError::Invalid(format!("stored schema is not JSON: {e}"))))
        }
        None => {
            let uri = builtin_uri(code).ok_or_else(|| SchemaError::Unknown(code.to_owned()))?;
            cached(uri.clone(), || Ok(json!({ "$ref": uri })))
        }
    }
}

fn header_validator() -> Result<Arc<Validator>, SchemaError> {
    cached(HEADER_URI.to_owned(), || Ok(json!({ "$ref": HEADER_URI })))
}

/// Validates a document against a built-in schema by its canonical URI.
pub fn validate_builtin(uri: &str, instance: &Value) -> Result<Vec<Issue>, SchemaError> {
    if builtin_schema(uri).is_none() {
        return Err(SchemaError::Unknown(uri.to_owned()));
    }
    let validator = cached(uri.to_owned(), || Ok(json!({ "$ref": uri })))?;
    let mut issues = Vec::new();
    collect(&validator, instance, "", &mut issues);
    Ok(issues)
}

/// `/body/heart_rate/unit` → `body.heart_rate.unit`; `/a/0` → `a[0]`.
fn dotted(prefix: &str, pointer: &str) -> String {
    let mut path = prefix.to_owned();
    if pointer.is_empty() && path.is_empty() {
        return "(root)".into();
    }
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.chars().all(|c| c.is_ascii_digit()) && !segment.is_empty() {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

fn collect(validator: &Validator, instance: &Value, prefix: &str, issues: &mut Vec<Issue>) {
    for error in validator.iter_errors(instance) {
        let message = match error.kind() {
            // The allowed values as a JSON list, even when there is one.
            jsonschema::error::ValidationErrorKind::Enum { options } => {
                let allowed = match options.as_ref() {
                    Value::Array(_) => options.to_string(),
                    single => Value::Array(vec![single.clone()]).to_string(),
                };
                format!("{} is not one of {allowed}", error.instance())
            }
            _ => error.to_string(),
        };
        issues.push(Issue { path: dotted(prefix, &error.instance_path().to_string()), message });
    }
}

/// Validates an OMH data point (`{"header", "body"}`) for a data type: the
/// header against the IEEE 1752 header, the body against the type's schema,
/// and the header's `schema_id` against the type's code. Returns every issue
/// (at most [`MAX_ISSUES`]); an empty list means valid.
pub fn validate_data_point(code: &str, stored_schema: Option<&str>, point: &Value) -> Result<Vec<Issue>, SchemaError> {
    let body_validator = body_validator(code, stored_schema)?;
    let mut issues = Vec::new();
    let Some(object) = point.as_object() else {
        return Ok(vec![Issue { path: "(root)".into(), message: "a data point must be an object with header and body".into() }]);
    };
    match object.get("header") {
        Some(header) => {
            collect(header_validator()?.as_ref(), header, "header", &mut issues);
            check_schema_id(code, header, &mut issues);
        }
        None => issues.push(Issue { path: "header".into(), message: "is required".into() }),
    }
    match object.get("body") {
        Some(body) => collect(&body_validator, body, "body", &mut issues),
        None => issues.push(Issue { path: "body".into(), message: "is required".into() }),
    }
    if issues.len() > MAX_ISSUES {
        let more = issues.len() - MAX_ISSUES;
        issues.truncate(MAX_ISSUES);
        issues.push(Issue { path: "(document)".into(), message: format!("and {more} more issues") });
    }
    Ok(issues)
}

/// The header must name the data type's code: `namespace:name:version`.
fn check_schema_id(code: &str, header: &Value, issues: &mut Vec<Issue>) {
    let parts: Vec<&str> = code.split(':').collect();
    let [namespace, name, version] = parts[..] else { return };
    let id = &header["schema_id"];
    for (field, expected) in [("namespace", namespace), ("name", name), ("version", version)] {
        let found = id.get(field).and_then(Value::as_str);
        if found.is_some() && found != Some(expected) {
            issues.push(Issue {
                path: format!("header.schema_id.{field}"),
                message: format!("{} does not match the data type {code} (expected \"{expected}\")", id[field]),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_schema_loads_and_aliases_resolve() {
        assert!(BUILTINS.as_ref().is_ok(), "{:?}", BUILTINS.as_ref().err());
        assert!(builtin_uri("omh:heart-rate:2.0").is_some());
        assert!(builtin_uri("ieee:sleep-stage-summary:1.0").is_some());
        assert!(builtin_uri("omh:unknown:1.0").is_none());
        for (path, _) in BUILTIN_SCHEMAS {
            let uri = uri_of(path).unwrap();
            cached(uri.clone(), || Ok(json!({ "$ref": uri }))).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }

    #[test]
    fn custom_schemas_cannot_grow_the_validator_cache_past_its_bound() {
        let point = json!({"value": 1});
        for n in 0..MAX_VALIDATORS + 40 {
            let schema = json!({"type": "object", "required": ["value"], "title": format!("custom {n}")}).to_string();
            let validator = body_validator("custom", Some(&schema)).unwrap();
            assert!(validator.is_valid(&point));
            assert!(VALIDATORS.lock().unwrap().len() <= MAX_VALIDATORS);
        }
        // Built-ins stay; an evicted custom schema compiles again when used.
        assert!(body_validator("omh:heart-rate:2.0", None).is_ok());
        let first = json!({"type": "object", "required": ["value"], "title": "custom 0"}).to_string();
        assert!(!body_validator("custom", Some(&first)).unwrap().is_valid(&json!({})));
        assert!(VALIDATORS.lock().unwrap().len() <= MAX_VALIDATORS);
    }

    #[test]
    fn issues_name_the_path_and_the_fault() {
        let point = json!({
            "header": {"uuid": "not-a-uuid", "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                       "source_creation_date_time": "2024-01-01T00:00:00Z"},
            "body": {"heart_rate": {"value": 60, "unit": "bpm"}, "effective_time_frame": {"date_time": "2024-01-01T00:00:00Z"}}
        });
        let issues = validate_data_point("omh:heart-rate:2.0", None, &point).unwrap();
        let texts: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert!(texts.contains(&r#"body.heart_rate.unit: "bpm" is not one of ["beats/min"]"#.to_owned()), "{texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("header.uuid:")), "{texts:?}");
        assert_eq!(dotted("body", "/a/0/b~1c"), "body.a[0].b/c");
    }
}
