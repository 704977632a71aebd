//! Input that must never reach a 5xx, a silent no-op or a dropped
//! connection: NUL characters, bodies that are not objects, mistyped
//! settings, malformed console server-function arguments and early
//! refusals; and FHIR's read headers and `GET /api/v1/observations/{id}`.
//! Each runs on the database the environment picks (SQLite or PostgreSQL).

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{PASSWORD, Server, call, seeded, token_for};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const OMH: &str = "https://w3id.org/openmhealth";

fn heart_rate(at: &str, identifier: &str, data_point: Option<String>) -> Value {
    let point = data_point.unwrap_or_else(|| {
        json!({
            "header": {"uuid": "2d3e9f1c-5b6a-4c1d-8e2f-3a4b5c6d7e8f", "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                       "source_creation_date_time": at, "modality": "sensed"},
            "body": {"heart_rate": {"value": 70, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}}
        })
        .to_string()
    });
    json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": OMH, "code": "omh:heart-rate:2.0"}]},
        "subject": {"reference": "Patient/40002"},
        "device": {"reference": "Device/70001"},
        "identifier": [{"system": "https://test.example.com", "value": identifier}],
        "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(point)}
    })
}

async fn send(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, String) {
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

async fn count(server: &Server, token: &str, path: &str) -> i64 {
    let (status, body) = call(server, Method::GET, path, Some(token), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["count"].as_i64().or(body["total"].as_i64()).unwrap()
}

#[tokio::test]
async fn a_nul_character_is_refused_naming_the_field_and_stores_nothing() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (sam, mary) = (token_for(&test, "sam@example.com"), token_for(&test, "mary@example.com"));
    let client = reqwest::Client::new();
    let studies = count(&server, &mary, "/api/v1/studies").await;

    // A JSON field, a nested one, a query parameter, a form field, a path.
    let (status, body) = call(&server, Method::POST, "/api/v1/studies", Some(&mary),
        Some(json!({"name": "nul\u{0}", "description": "d", "organization": 20003}))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["detail"], "name: contains a NUL character (U+0000), which is not allowed");
    let (status, body) = call(&server, Method::PATCH, "/api/v1/patients/40001", Some(&mary),
        Some(json!({"identifiers": [{"system": "s", "value": "a\u{0}"}]}))).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap().starts_with("identifiers[0].value: contains a NUL"), "{body}");
    let (status, body) = call(&server, Method::GET, "/api/v1/patients/global_lookup?email=a%00@example.com", Some(&mary), None).await;
    assert_eq!((status, body["detail"].as_str().unwrap().starts_with("email: contains a NUL")), (400, true), "{body}");
    let (status, body) = call(&server, Method::GET, "/FHIR/R5/Observation?identifier=a%00b", Some(&mary), None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!((body["resourceType"].as_str(), body["issue"][0]["expression"][0].as_str()), (Some("OperationOutcome"), Some("identifier")));
    let (status, _, text) = send(client.post(server.url("/o/token/")).form(&[("grant_type", "client_credentials"), ("client_id", "\0")])).await;
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{body}");
    assert!(body["error_description"].as_str().unwrap().starts_with("client_id: contains a NUL"), "{body}");
    let (status, body) = call(&server, Method::POST, "/api/v1/invitation/abc%00def", None, None).await;
    assert_eq!((status, body["detail"].as_str().unwrap().starts_with("path: contains a NUL")), (400, true), "{body}");
    assert_eq!(count(&server, &mary, "/api/v1/studies").await, studies, "nothing was stored");
    let (_, peter) = call(&server, Method::GET, "/api/v1/patients/40001", Some(&mary), None).await;
    assert!(!peter.to_string().contains("\\u0000"), "{peter}");

    // A console server function's argument.
    let browser = server.browser();
    assert_eq!(server.log_in(&browser, "sam@example.com", PASSWORD).await.status(), 200);
    let sources = count(&server, &sam, "/api/v1/data_sources").await;
    let (status, _, text) = send(browser.post(server.url("/console/api/add_data_source")).header("Origin", &server.base)
        .form(&[("name", "Watch\0"), ("kind", "personal_device")])).await;
    assert_eq!((status, text.as_str()), (400, "ServerError|name: contains a NUL character (U+0000), which is not allowed"));
    assert_eq!(count(&server, &sam, "/api/v1/data_sources").await, sources);

    // A batch refuses only the entry holding the NUL; the others are stored.
    let before = count(&server, &mary, "/FHIR/R5/Observation?patient=40002&_total=accurate").await;
    let entry = |resource: Value| json!({"request": {"method": "POST", "url": "Observation"}, "resource": resource});
    let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        entry(heart_rate("2025-04-01T08:01:00Z", "nul-1", None)),
        entry(heart_rate("2025-04-01T08:02:00Z", "nul-\u{0}-2", None)),
        entry(heart_rate("2025-04-01T08:03:00Z", "nul-3", None)),
    ]});
    let (status, response) = call(&server, Method::POST, "/FHIR/R5", Some(&mary), Some(batch)).await;
    assert_eq!(status, 200, "{response}");
    let statuses: Vec<&str> = response["entry"].as_array().unwrap().iter().map(|e| e["response"]["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["201 Created", "400 Bad Request", "201 Created"]);
    assert_eq!(response["entry"][1]["response"]["outcome"]["issue"][0]["expression"][0], "Bundle.entry[1].resource.identifier[0].value");
    assert_eq!(count(&server, &mary, "/FHIR/R5/Observation?patient=40002&_total=accurate").await, before + 2);
    // A transaction holding one is refused whole.
    let transaction = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        entry(heart_rate("2025-04-01T08:04:00Z", "nul-4", None)),
        entry(heart_rate("2025-04-01T08:05:00Z", "nul-\u{0}-5", None)),
    ]});
    let (status, outcome) = call(&server, Method::POST, "/FHIR/R5", Some(&mary), Some(transaction)).await;
    assert_eq!((status, outcome["issue"][0]["expression"][0].as_str()), (400, Some("Bundle.entry[1].resource.identifier[0].value")));
    assert_eq!(count(&server, &mary, "/FHIR/R5/Observation?patient=40002&_total=accurate").await, before + 2);

    // Inside the OMH data point an escaped NUL is data: stored and read back as sent.
    let point = r#"{"header":{"uuid":"7d3e9f1c-5b6a-4c1d-8e2f-3a4b5c6d7e8f","schema_id":{"namespace":"omh","name":"heart-rate","version":"2.0"},"source_creation_date_time":"2025-04-01T09:00:00Z","modality":"sensed"},"body":{"heart_rate":{"value":71,"unit":"beats/min"},"effective_time_frame":{"date_time":"2025-04-01T09:00:00Z"},"descriptive_statistic_note":"a\u0000b"}}"#;
    let (status, created) = call(&server, Method::POST, "/FHIR/R5/Observation", Some(&mary), Some(heart_rate("", "nul-omh", Some(point.to_owned())))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (_, read) = call(&server, Method::GET, &format!("/FHIR/R5/Observation/{id}"), Some(&mary), None).await;
    let stored = STANDARD.decode(read["valueAttachment"]["data"].as_str().unwrap()).unwrap();
    assert_eq!(String::from_utf8(stored).unwrap(), point, "the data point comes back byte for byte");
    test.remove().await;
}

#[tokio::test]
async fn a_body_that_is_not_an_object_or_has_a_mistyped_field_is_refused() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (sam, mary) = (token_for(&test, "sam@example.com"), token_for(&test, "mary@example.com"));
    let (_, settings) = call(&server, Method::GET, "/api/v1/jhe_settings?page_size=100", Some(&sam), None).await;
    let setting = |key: &str| settings["results"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap()["id"].as_i64().unwrap();
    let (title, days) = (setting("site.ui.title"), setting("auth.patient.invitation_expiration_days"));
    let (_, before) = call(&server, Method::GET, "/api/v1/studies/30001", Some(&mary), None).await;
    let patches = [
        ("/api/v1/studies/30001".to_owned(), &mary),
        ("/api/v1/organizations/20003".to_owned(), &mary),
        ("/api/v1/patients/40001".to_owned(), &mary),
        ("/api/v1/data_sources/70001".to_owned(), &sam),
        ("/api/v1/data_types/50001".to_owned(), &sam),
        ("/api/v1/clients/1".to_owned(), &sam),
        (format!("/api/v1/jhe_settings/{title}"), &sam),
        ("/api/v1/practitioners/80001".to_owned(), &sam),
    ];
    for (path, token) in &patches {
        for (body, kind) in [(json!(null), "null"), (json!([]), "a list"), (json!(1), "a number"), (json!("s"), "a string"), (json!(true), "a boolean")] {
            let (status, answer) = call(&server, Method::PATCH, path, Some(token), Some(body)).await;
            assert_eq!(status, 400, "PATCH {path} with {kind}: {answer}");
            assert_eq!(answer["detail"], format!("The body must be a JSON object, not {kind}."), "{path}");
        }
    }
    let (_, after) = call(&server, Method::GET, "/api/v1/studies/30001", Some(&mary), None).await;
    assert_eq!(before, after, "nothing changed");

    // No key is made from a list.
    let keys = |body: Value| body.as_array().map_or_else(|| body["results"].as_array().unwrap().len(), Vec::len);
    let (_, listed) = call(&server, Method::GET, "/api/v1/practitioner_clients", Some(&mary), None).await;
    let (status, answer) = call(&server, Method::POST, "/api/v1/practitioner_clients", Some(&mary), Some(json!([]))).await;
    assert_eq!((status, answer["detail"].as_str()), (400, Some("The body must be a JSON object, not a list.")));
    let (_, relisted) = call(&server, Method::GET, "/api/v1/practitioner_clients", Some(&mary), None).await;
    assert_eq!(keys(listed), keys(relisted));

    // Fields are named: a missing one, a mistyped one, a nested one; both spellings work.
    for (path, body, detail) in [
        ("/api/v1/studies", json!({"description": "d", "organization": 20003}), "name: this field is required"),
        ("/api/v1/studies", json!({"name": 5, "description": "d", "organization": 20003}), "name: invalid type: integer `5`, expected a string"),
        ("/api/v1/studies", json!({"name": "n", "description": "d", "organization": "twenty"}), "organization: \"twenty\" is not an integer"),
        ("/api/v1/studies/30001/patients", json!({"patientIds": [40001, "x"]}), "patientIds: \"x\" is not an integer"),
        ("/api/v1/patients/40001/consents", json!({"studyScopeConsents": [{"studyId": 30001, "scopeConsents": [{"codingCode": "c"}]}]}),
            "studyScopeConsents[0].scopeConsents[0].codingSystem: this field is required"),
    ] {
        let (status, answer) = call(&server, Method::POST, path, Some(&mary), Some(body)).await;
        assert_eq!((status, answer["detail"].as_str()), (400, Some(detail)), "{path}");
    }
    let (status, created) = call(&server, Method::POST, "/api/v1/studies", Some(&mary),
        Some(json!({"name": "Spelled", "description": "d", "organization": "20003", "icon_url": "https://example.com/i.png"}))).await;
    assert_eq!((status, created["iconUrl"].as_str()), (201, Some("https://example.com/i.png")), "{created}");

    // Typed settings take only values of their type.
    for value in [json!({"a": [1, 2]}), json!(true), json!(1.5), json!([]), json!(null)] {
        let (status, answer) = call(&server, Method::PATCH, &format!("/api/v1/jhe_settings/{title}"), Some(&sam), Some(json!({"value": value}))).await;
        assert_eq!(status, 400, "a string setting refuses {value}: {answer}");
        assert!(answer["detail"].as_str().unwrap().starts_with("value: "), "{answer}");
    }
    for value in [json!(1.5), json!("seven"), json!(true)] {
        let (status, _) = call(&server, Method::PATCH, &format!("/api/v1/jhe_settings/{days}"), Some(&sam), Some(json!({"value": value}))).await;
        assert_eq!(status, 400, "an int setting refuses {value}");
    }
    let (_, unchanged) = call(&server, Method::GET, &format!("/api/v1/jhe_settings/{title}"), Some(&sam), None).await;
    assert_eq!(unchanged["resolvedValue"], "JupyterHealth Exchange");
    let (status, changed) = call(&server, Method::PATCH, &format!("/api/v1/jhe_settings/{days}"), Some(&sam), Some(json!({"value": "9"}))).await;
    assert_eq!((status, changed["resolvedValue"].as_i64()), (200, Some(9)));
    test.remove().await;
}

#[tokio::test]
async fn fhir_reads_and_creates_carry_their_version_and_searchsets_count_only_when_asked() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let client = reqwest::Client::new();
    let (status, headers, text) = send(client.post(server.url("/FHIR/R5/Observation")).bearer_auth(&mary)
        .header("Content-Type", "application/fhir+json").body(heart_rate("2025-04-02T08:00:00Z", "headers-1", None).to_string())).await;
    assert_eq!(status, 201, "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(headers["etag"], "W/\"1\"");
    let last_modified = headers["last-modified"].to_str().unwrap().to_owned();
    let parsed = chrono::DateTime::parse_from_rfc2822(&last_modified.replace("GMT", "+0000")).unwrap();
    let stated = chrono::DateTime::parse_from_rfc3339(created["meta"]["lastUpdated"].as_str().unwrap()).unwrap();
    assert!((stated - parsed).num_seconds().abs() < 1, "{last_modified} vs {stated}");
    let id = created["id"].as_str().unwrap();
    let (status, headers, _) = send(client.get(server.url(&format!("/FHIR/R5/Observation/{id}"))).bearer_auth(&mary)).await;
    assert_eq!((status, headers["etag"].to_str().unwrap()), (200, "W/\"1\""));
    assert_eq!(headers["last-modified"].to_str().unwrap(), last_modified);

    for path in ["/FHIR/R5/Consent?patient=40001", "/FHIR/R5/Patient", "/FHIR/R5/Device", "/FHIR/R5/Group", "/FHIR/R5/Observation?patient=40002"] {
        let (_, searchset) = call(&server, Method::GET, path, Some(&mary), None).await;
        assert!(searchset.get("total").is_none(), "{path} has no total unasked: {searchset}");
        assert!(!searchset["entry"].as_array().unwrap().is_empty(), "{path}");
        let separator = if path.contains('?') { '&' } else { '?' };
        let (_, counted) = call(&server, Method::GET, &format!("{path}{separator}_summary=count"), Some(&mary), None).await;
        assert!(counted["total"].as_i64().unwrap() > 0, "{path}: {counted}");
        assert_eq!(counted["entry"].as_array().map(Vec::len), Some(0), "{path}");
    }
    test.remove().await;
}

#[tokio::test]
async fn one_observation_is_read_by_id_under_the_same_consent_gate_as_the_list() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (mary, mark, peter, pamela) = (
        token_for(&test, "mary@example.com"),
        token_for(&test, "mark@example.com"),
        token_for(&test, "peter@example.com"),
        token_for(&test, "pamela@example.com"),
    );
    let (_, own) = call(&server, Method::GET, "/api/v1/observations", Some(&peter), None).await;
    let listed = &own["results"][0];
    let id = listed["id"].as_i64().unwrap();
    let path = format!("/api/v1/observations/{id}");
    for token in [&peter, &mary] {
        let (status, read) = call(&server, Method::GET, &path, Some(token), None).await;
        assert_eq!((status, &read), (200, listed));
    }
    for token in [&mark, &pamela] {
        let (status, refused) = call(&server, Method::GET, &path, Some(token), None).await;
        assert_eq!((status, refused["detail"].as_str()), (404, Some("No Observation matches the given query.")));
    }
    assert_eq!(call(&server, Method::GET, "/api/v1/observations/999999", Some(&mary), None).await.0, 404);
    assert_eq!(call(&server, Method::GET, "/api/v1/observations/x", Some(&mary), None).await.0, 400);
    // Revoking consent hides it from Mary at once.
    let code = listed["codingCode"].as_str().unwrap();
    let study = {
        let (_, consents) = call(&server, Method::GET, "/api/v1/patients/40001/consents", Some(&peter), None).await;
        consents["studies"].as_array().unwrap().iter()
            .find(|s| s["scopeConsents"].as_array().unwrap().iter().any(|c| c["code"]["codingCode"] == code && c["consented"] == true))
            .map(|s| s["id"].as_i64().unwrap())
            .unwrap()
    };
    let (status, _) = call(&server, Method::PATCH, "/api/v1/patients/40001/consents", Some(&peter),
        Some(json!({"studyScopeConsents": [{"studyId": study, "scopeConsents": [{"codingSystem": OMH, "codingCode": code, "consented": false}]}]}))).await;
    assert_eq!(status, 200);
    assert_eq!(call(&server, Method::GET, &path, Some(&mary), None).await.0, 404);
    assert_eq!(call(&server, Method::GET, &path, Some(&peter), None).await.0, 200);
    let (_, document) = call(&server, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert!(document["paths"]["/api/v1/observations/{id}"]["get"].is_object());
    test.remove().await;
}

/// A console server function as declared in the app's source.
struct ServerFn {
    endpoint: String,
    json: bool,
    /// `(name, type)` of each argument.
    arguments: Vec<(String, String)>,
}

fn server_functions() -> Vec<ServerFn> {
    let mut found = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (at, _) in source.match_indices("#[server(") {
                let attribute = &source[at..at + source[at..].find(")]").unwrap()];
                let endpoint = attribute.split("endpoint = \"").nth(1).unwrap().split('"').next().unwrap().to_owned();
                let signature = &source[at..];
                let open = signature.find("pub async fn ").unwrap();
                let signature = &signature[open..];
                let arguments = &signature[signature.find('(').unwrap() + 1..signature.find(") -> ").unwrap()];
                let mut depth = 0;
                let mut parts = vec![String::new()];
                for ch in arguments.chars() {
                    match ch {
                        '<' | '(' => depth += 1,
                        '>' | ')' => depth -= 1,
                        ',' if depth == 0 => {
                            parts.push(String::new());
                            continue;
                        }
                        _ => {}
                    }
                    parts.last_mut().unwrap().push(ch);
                }
                let arguments = parts
                    .iter()
                    .filter_map(|part| part.split_once(':'))
                    .map(|(name, kind)| (name.trim().to_owned(), kind.trim().to_owned()))
                    .collect();
                found.push(ServerFn { endpoint, json: attribute.contains("args::Json"), arguments });
            }
        }
    }
    found
}

#[tokio::test]
async fn every_console_server_function_refuses_bad_arguments_with_400_naming_them() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let functions = server_functions();
    assert!(functions.len() >= 60, "found only {} server functions", functions.len());
    let client = reqwest::Client::new();
    let post = |endpoint: &str, content_type: &'static str, body: String| {
        client.post(server.url(&format!("/console/api/{endpoint}"))).header("Content-Type", content_type).body(body)
    };
    let mut checked = 0;
    for function in &functions {
        let name = &function.endpoint;
        let required: Vec<&(String, String)> = function.arguments.iter().filter(|(_, kind)| !kind.starts_with("Option<")).collect();
        if function.json {
            // A form where JSON is expected, and JSON missing an argument.
            let (status, _, text) = send(post(name, "application/x-www-form-urlencoded", "a=1".into())).await;
            assert_eq!(status, 400, "{name}: {text}");
            assert!(text.starts_with(&format!("ServerError|Bad arguments to {name}: the arguments are not JSON")), "{name}: {text}");
            if let Some((argument, _)) = required.first() {
                let (status, _, text) = send(post(name, "application/json", "{}".into())).await;
                assert_eq!((status, text.contains(&format!("{argument}: this argument is required"))), (400, true), "{name}: {text}");
            }
            checked += 1;
            continue;
        }
        // Nothing sent: the first required argument is named as missing.
        if let Some((argument, _)) = required.first() {
            let (status, _, text) = send(post(name, "application/x-www-form-urlencoded", String::new())).await;
            assert_eq!(status, 400, "{name}: {text}");
            assert_eq!(text, format!("ServerError|Bad arguments to {name}: {argument}: this argument is required"), "{name}");
            checked += 1;
        }
        // Every argument present, each number or flag in turn not one.
        for (index, (argument, kind)) in function.arguments.iter().enumerate() {
            let scalar = kind.trim_start_matches("Option<").trim_end_matches('>');
            if !["i64", "bool", "f64", "u32"].contains(&scalar) {
                continue;
            }
            let form: Vec<(String, String)> = function
                .arguments
                .iter()
                .enumerate()
                .map(|(other, (name, kind))| {
                    let value = if other == index { "maybe" } else if kind.contains("bool") { "true" } else if kind.contains("String") { "x" } else { "1" };
                    (name.clone(), value.to_owned())
                })
                .collect();
            let body = serde_urlencoded_pairs(&form);
            let (status, _, text) = send(post(name, "application/x-www-form-urlencoded", body)).await;
            assert_eq!(status, 400, "{name}({argument}=maybe): {text}");
            assert!(text.starts_with(&format!("ServerError|Bad arguments to {name}: {argument}: ")), "{name}({argument}=maybe): {text}");
            checked += 1;
        }
    }
    assert!(checked >= 60, "checked {checked} calls");
    test.remove().await;
}

fn serde_urlencoded_pairs(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// Sends `head`, reads the answer, then sends `body` (as a client does that
/// streams its upload), then a second request on the same connection.
async fn refused_then_reused(server: &Server, head: String, body: &[u8]) -> (String, String) {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let first = read_response(&mut stream).await;
    stream.write_all(body).await.unwrap();
    let second = if first.to_ascii_lowercase().contains("connection: close") {
        String::from("(closed, as announced)")
    } else {
        stream.write_all(format!("GET /health HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes()).await.unwrap();
        read_response(&mut stream).await
    };
    (first, second)
}

async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await.expect("an answer within 10 s").unwrap();
        assert!(read > 0, "the connection closed before a whole answer: {}", String::from_utf8_lossy(&received));
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn a_connection_stays_usable_after_a_request_is_refused_before_its_body_is_read() {
    let test = seeded().await;
    let server = Server::start_with(&test, &[("JHE_BODY_LIMIT", "2000"), ("JHE_AUTH_RATE_LIMIT", "1")]).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    // The one attempt at a secret this minute: the next is throttled (429).
    let invitation = format!("/api/v1/invitation/{}", "a".repeat(32));
    assert_eq!(call(&server, Method::POST, &invitation, None, None).await.0, 404);
    let form = b"name=Watch&kind=personal_device";
    let json = br#"{"name": "x", "description": "d", "organization": 20003}"#;
    let large = vec![b'a'; 5000];
    let cases: Vec<(&str, String, &[u8])> = vec![
        ("CSRF", format!("POST /console/api/add_data_source HTTP/1.1\r\nHost: {address}\r\nCookie: jhe_session=x\r\nOrigin: https://evil.example\r\n\
            Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n", form.len()), form),
        ("401", format!("POST /api/v1/studies HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", json.len()), json),
        ("413", format!("POST /api/v1/studies HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\n\
            Content-Length: {}\r\n\r\n", token_for(&test, "mary@example.com"), large.len()), &large),
        ("429", format!("POST {invitation} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", json.len()), json),
    ];
    for (label, head, body) in cases {
        let (first, second) = refused_then_reused(&server, head, body).await;
        let status = &first[9..12];
        assert_eq!(status, label.parse::<u16>().map_or("403".to_owned(), |s| s.to_string()), "{label}: {first}");
        assert!(second.starts_with("HTTP/1.1 200"), "{label}: the next request on the connection failed: {second}");
    }
    test.remove().await;
}
