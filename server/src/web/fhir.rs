//! `/FHIR/R5` (and `/fhir/r5`): Observation create, read and search,
//! Bundles, Patient read and search, and the CapabilityStatement. Bodies may
//! be `application/json` or `application/fhir+json`; every error is an
//! OperationOutcome.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jhe_core::fhir::{self, FhirError, bundle, catalog, observation, patient, search};
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use super::guard::ApiCaller;

const FHIR_JSON: &str = "application/fhir+json";

/// A FHIR resource with the FHIR media type.
fn resource(status: StatusCode, body: &Value) -> Response {
    serialized(status, body)
}

fn serialized<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let Ok(bytes) = serde_json::to_vec(body) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the response could not be written as JSON").into_response();
    };
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

/// `ETag` (`W/"<versionId>"`) and `Last-Modified` from a resource's `meta`,
/// as FHIR's read and create answer them.
fn versioned(mut response: Response, resource: &Value) -> Response {
    let meta = &resource["meta"];
    let headers = response.headers_mut();
    if let Some(version) = meta["versionId"].as_str().and_then(|v| HeaderValue::from_str(&format!("W/\"{v}\"")).ok()) {
        headers.insert(header::ETAG, version);
    }
    let modified = meta["lastUpdated"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    if let Some(modified) = modified.and_then(|t| HeaderValue::from_str(&t.to_utc().format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()) {
        headers.insert(header::LAST_MODIFIED, modified);
    }
    response
}

pub fn refused(error: &FhirError) -> Response {
    resource(StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST), &error.outcome())
}

/// The JSON body of a write, from `application/json` or `application/fhir+json`.
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, FhirError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if media != "application/json" && media != FHIR_JSON {
        return Err(FhirError::new(
            415,
            "not-supported",
            format!("Unsupported media type \"{content_type}\": send application/fhir+json or application/json."),
            None,
        ));
    }
    serde_json::from_slice(body).map_err(|e| FhirError::new(400, "invalid", format!("JSON parse error - {e}"), None))
}

fn base(state: &AppState) -> String {
    format!("{}/FHIR/R5", state.oidc.site_url)
}

/// `POST /Observation`: 201 with the stored resource, `Location` and `ETag`.
pub async fn create_observation(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let value = json_body(&headers, &body)?;
        observation::create(&state.db, &caller, &value).await
    }
    .await;
    match result {
        Ok(created) => {
            let mut response = resource(StatusCode::CREATED, &created.resource);
            let location = format!("{}/Observation/{}/_history/1", base(&state), created.id);
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            versioned(response, &created.resource)
        }
        Err(error) => refused(&error),
    }
}

/// `POST [base]`: a batch or transaction Bundle.
pub async fn process_bundle(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let value = json_body(&headers, &body)?;
        bundle::process(&state.db, &caller, &value).await
    }
    .await;
    match result {
        Ok(response) => resource(StatusCode::OK, &response),
        Err(error) => refused(&error),
    }
}

fn query_pairs(uri: &axum::http::Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

fn link(state: &AppState, path: &str, pairs: &[(String, String)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    let path = path.replacen("/fhir/r5", "/FHIR/R5", 1);
    if query.is_empty() { format!("{}{path}", state.oidc.site_url) } else { format!("{}{path}?{query}", state.oidc.site_url) }
}

#[derive(Serialize)]
struct Link {
    relation: &'static str,
    url: String,
}

#[derive(Serialize)]
struct SearchMode {
    mode: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a, R> {
    full_url: String,
    resource: &'a R,
    search: SearchMode,
}

/// A searchset Bundle, serialized straight from the found resources.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Searchset<'a, R> {
    resource_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<i64>,
    link: Vec<Link>,
    entry: Vec<Entry<'a, R>>,
}

fn searchset<R: search::Found>(state: &AppState, path: &str, pairs: &[(String, String)], page: search::SearchPage<R>, kind: &str) -> Response {
    let mut link = vec![Link { relation: "self", url: self::link(state, path, pairs) }];
    if let Some(cursor) = &page.next {
        let mut next: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "_cursor").cloned().collect();
        next.push(("_cursor".into(), cursor.clone()));
        link.push(Link { relation: "next", url: self::link(state, path, &next) });
    }
    let base = base(state);
    let entry = page
        .resources
        .iter()
        .map(|resource| Entry { full_url: format!("{base}/{kind}/{}", resource.id()), resource, search: SearchMode { mode: "match" } })
        .collect();
    let bundle = Searchset { resource_type: "Bundle", kind: "searchset", total: page.total, link, entry };
    serialized(StatusCode::OK, &bundle)
}

/// `GET /Observation?...`.
pub async fn search_observations(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, OriginalUri(uri): OriginalUri) -> Response {
    let pairs = query_pairs(&uri);
    match search::observations(&state.db, &caller, &pairs).await {
        Ok(page) => searchset(&state, uri.path(), &pairs, page, "Observation"),
        Err(error) => refused(&error),
    }
}

/// `POST /Observation/_search` with form parameters (and any in the URL).
pub async fn search_observations_post(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    let mut pairs = query_pairs(&uri);
    pairs.extend(url::form_urlencoded::parse(&body).into_owned());
    let path = uri.path().trim_end_matches("/_search").to_owned();
    match search::observations(&state.db, &caller, &pairs).await {
        Ok(page) => searchset(&state, &path, &pairs, page, "Observation"),
        Err(error) => refused(&error),
    }
}

pub async fn read_observation(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<String>) -> Response {
    match search::observation(&state.db, &caller, &id).await {
        Ok(found) => versioned(resource(StatusCode::OK, &found), &found),
        Err(error) => refused(&error),
    }
}

pub async fn search_patients(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, OriginalUri(uri): OriginalUri) -> Response {
    let pairs = query_pairs(&uri);
    match patient::search(&state.db, &caller, &pairs).await {
        Ok((total, resources)) => searchset(&state, uri.path(), &pairs, search::with_total(&pairs, total, resources), "Patient"),
        Err(error) => refused(&error),
    }
}

pub async fn read_patient(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, Path(id): Path<String>) -> Response {
    match patient::read(&state.db, &caller, &id).await {
        Ok(found) => versioned(resource(StatusCode::OK, &found), &found),
        Err(error) => refused(&error),
    }
}

/// The resource type of a catalogue route (`/FHIR/R5/Device/...`).
fn kind_of(uri: &axum::http::Uri) -> String {
    uri.path().split('/').nth(3).unwrap_or_default().to_owned()
}

/// `Device`, `Group` and `Consent`: search.
pub async fn search_catalog(State(state): State<AppState>, ApiCaller { caller, .. }: ApiCaller, OriginalUri(uri): OriginalUri) -> Response {
    let kind = kind_of(&uri);
    let pairs = query_pairs(&uri);
    let found = match kind.as_str() {
        "Device" => catalog::devices(&state.db, &pairs).await,
        "Group" => catalog::groups(&state.db, &caller, &pairs).await,
        "Consent" => catalog::consents(&state.db, &caller, &pairs).await,
        _ => return unsupported(Path(kind)).await,
    };
    match found {
        Ok((total, resources)) => searchset(&state, uri.path(), &pairs, search::with_total(&pairs, total, resources), &kind),
        Err(error) => refused(&error),
    }
}

/// `Device`, `Group` and `Consent`: read.
pub async fn read_catalog(
    State(state): State<AppState>,
    ApiCaller { caller, .. }: ApiCaller,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let kind = kind_of(&uri);
    let found = match kind.as_str() {
        "Device" => catalog::device_by_id(&state.db, &id).await,
        "Group" => catalog::group_by_id(&state.db, &caller, &id).await,
        "Consent" => catalog::consent_by_id(&state.db, &caller, &id).await,
        _ => return unsupported(Path(kind)).await,
    };
    match found {
        Ok(found) => versioned(resource(StatusCode::OK, &found), &found),
        Err(error) => refused(&error),
    }
}

/// Any other resource type.
pub async fn unsupported(Path(kind): Path<String>) -> Response {
    refused(&FhirError::not_found(format!("Unsupported FHIR resource type: {kind}.")))
}

pub async fn unsupported_instance(Path((kind, _)): Path<(String, String)>) -> Response {
    unsupported(Path(kind)).await
}

fn search_params(params: &[(&str, &str)]) -> Vec<Value> {
    params.iter().map(|(name, kind)| json!({"name": name, "type": kind})).collect()
}

/// `GET /metadata`: exactly what this server implements.
pub async fn capability_statement(State(state): State<AppState>) -> Response {
    let site = &state.oidc.site_url;
    let statement = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": fhir::instant(jhe_core::time::now()),
        "kind": "instance",
        "software": {"name": "jhe", "version": jhe_core::VERSION},
        "implementation": {"description": "jhe health-data exchange", "url": format!("{site}/FHIR/R5")},
        "fhirVersion": "5.0.0",
        "format": ["application/fhir+json", "application/json"],
        "rest": [{
            "mode": "server",
            "documentation": "Observations carry an Open mHealth data point as a base64 JSON valueAttachment; \
                              practitioners read only data patients have consented to share with their studies. \
                              Searches page with opaque cursors (follow the next link).",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}]}],
                "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris", "extension": [
                    {"url": "authorize", "valueUri": format!("{site}/o/authorize/")},
                    {"url": "token", "valueUri": format!("{site}/o/token/")}
                ]}]
            },
            "interaction": [{"code": "batch"}, {"code": "transaction"}],
            "resource": [
                {
                    "type": "Observation",
                    "interaction": [{"code": "create"}, {"code": "read"}, {"code": "search-type"}],
                    "searchParam": search_params(&search::OBSERVATION_PARAMS),
                },
                {
                    "type": "Patient",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": search_params(&patient::PATIENT_PARAMS),
                },
                {
                    "type": "Device",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": search_params(&[("_id", "token"), ("_total", "string"), ("_summary", "string")]),
                },
                {
                    "type": "Group",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": search_params(&[("_id", "token"), ("_total", "string"), ("_summary", "string")]),
                },
                {
                    "type": "Consent",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": search_params(&[("_id", "token"), ("patient", "reference"), ("grantee", "reference"), ("_total", "string"), ("_summary", "string")]),
                }
            ]
        }]
    });
    let mut response = resource(StatusCode::OK, &statement);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
