//! The FHIR R5 API over HTTP: the guide's upload and retrieval, every row
//! of the error table, Bundles, search and paging.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, call, seeded, token_for};
use jhe_core::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

const OMH: &str = "https://w3id.org/openmhealth";

/// Python's `json.dumps` spacing, as the guide encodes its data point.
fn python_dumps(value: &Value) -> String {
    serde_json::to_string(value).unwrap().replace("\":", "\": ").replace(",\"", ", \"")
}

fn step_count_point(steps: i64) -> Value {
    json!({
        "header": {
            "uuid": "d9c46d90-4e36-4c3e-a331-28d7c2b84c4d",
            "schema_id": {"namespace": "omh", "name": "step-count", "version": "2.0"},
            "creation_date_time": "2024-10-25T21:13:31.438Z",
            "source_creation_date_time": "2024-05-02T00:00:00Z"
        },
        "body": {
            "effective_time_frame": {"time_interval": {"start_date_time": "2024-05-02T00:00:00Z", "end_date_time": "2024-05-02T23:59:59Z"}},
            "step_count": steps
        }
    })
}

fn heart_rate_point(bpm: f64, at: &str) -> Value {
    json!({
        "header": {"uuid": "2d3e9f1c-5b6a-4c1d-8e2f-3a4b5c6d7e8f", "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                   "source_creation_date_time": at, "modality": "sensed"},
        "body": {"heart_rate": {"value": bpm, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}}
    })
}

fn observation(code: &str, patient: i64, device: i64, data: &str, identifier: Option<&str>) -> Value {
    let mut resource = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": OMH, "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "device": {"reference": format!("Device/{device}")},
        "valueAttachment": {"contentType": "application/json", "data": data}
    });
    if let Some(value) = identifier {
        resource["identifier"] = json!([{"system": "https://test.example.com", "value": value}]);
    }
    resource
}

async fn post_fhir(server: &Server, path: &str, token: Option<&str>, content_type: &str, body: String) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new().post(server.url(path)).header("Content-Type", content_type).body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    let text = response.text().await.unwrap();
    (status, headers, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}")))
}

/// The guide's set-up: Apple Watch with step count 2.0, on study 30001.
async fn guide_setup(test: &TestDatabase, server: &Server) {
    let (sam, mary) = (token_for(test, "sam@example.com"), token_for(test, "mary@example.com"));
    assert_eq!(call(server, Method::POST, "/api/v1/data_sources", Some(&sam), Some(json!({"name": "Apple Watch"}))).await.0, 201);
    let (status, _) = call(server, Method::POST, "/api/v1/data_types", Some(&sam),
        Some(json!({"codingSystem": OMH, "codingCode": "omh:step-count:2.0", "text": "Step count"}))).await;
    assert_eq!(status, 201);
    assert_eq!(call(server, Method::POST, "/api/v1/data_sources/70007/supported_scopes", Some(&sam), Some(json!({"scope_code_id": 50017}))).await.0, 201);
    assert_eq!(call(server, Method::POST, "/api/v1/studies/30001/data_sources", Some(&mary), Some(json!({"data_source_id": 70007}))).await.0, 201);
    assert_eq!(call(server, Method::POST, "/api/v1/studies/30001/scope_requests", Some(&mary), Some(json!({"scope_code_id": 50017}))).await.0, 201);
}

fn consent(code: &str, consented: bool) -> Value {
    json!({"studyScopeConsents": [{"studyId": 30001, "scopeConsents": [{"codingSystem": OMH, "codingCode": code, "consented": consented}]}]})
}

#[tokio::test]
async fn the_guides_upload_and_retrieval_with_consent_gating() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    guide_setup(&test, &server).await;
    let (peter, mary) = (token_for(&test, "peter@example.com"), token_for(&test, "mary@example.com"));
    let json_text = python_dumps(&step_count_point(8725));
    let encoded = STANDARD.encode(json_text.as_bytes());
    let upload = observation("omh:step-count:2.0", 40001, 70007, &encoded, Some("test-step-count-001")).to_string();

    // Before consent: refused.
    let (status, _, outcome) = post_fhir(&server, "/fhir/r5/Observation", Some(&peter), "application/json", upload.clone()).await;
    assert_eq!(status, 403, "{outcome}");
    assert!(outcome["issue"][0]["diagnostics"].as_str().unwrap().contains("has not been consented"));

    // Consent, upload as the guide does, read it back as the guide does.
    assert_eq!(call(&server, Method::POST, "/api/v1/patients/40001/consents", Some(&peter), Some(consent("omh:step-count:2.0", true))).await.0, 201);
    let (status, headers, created) = post_fhir(&server, "/fhir/r5/Observation", Some(&peter), "application/json", upload.clone()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], server.url(&format!("/FHIR/R5/Observation/{id}/_history/1")).as_str());
    assert_eq!(headers["etag"], "W/\"1\"");
    assert_eq!(created["meta"]["versionId"], "1");
    assert_eq!(created["effectivePeriod"], json!({"start": "2024-05-02T00:00:00Z", "end": "2024-05-02T23:59:59Z"}));
    assert_eq!(created["valueAttachment"]["data"], encoded.as_str(), "the data point comes back as uploaded");

    let query = format!("/fhir/r5/Observation?patient=40001&code={}", urlencode(&format!("{OMH}|omh:step-count:2.0")));
    let (status, bundle) = call(&server, Method::GET, &query, Some(&mary), None).await;
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(bundle["type"], "searchset");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["resource"]["id"], id.as_str());
    assert_eq!(entries[0]["fullUrl"], server.url(&format!("/FHIR/R5/Observation/{id}")).as_str());
    let decoded = STANDARD.decode(entries[0]["resource"]["valueAttachment"]["data"].as_str().unwrap()).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&decoded).unwrap(), step_count_point(8725));

    // The same identifier again is a conflict (and the guide's retry stores
    // nothing); a retry is told which stored observation holds it.
    let (status, _, outcome) = post_fhir(&server, "/FHIR/R5/Observation", Some(&peter), "application/fhir+json", upload.clone()).await;
    assert_eq!(status, 409);
    assert_eq!(outcome["issue"][0]["expression"][0], "Observation.identifier[0]");
    assert_eq!(outcome["issue"][1]["severity"], "information");
    assert_eq!(outcome["issue"][1]["details"]["coding"][0]["display"], format!("Observation/{id}"));
    // Another patient's upload with that identifier learns nothing of the holder.
    let pamela = token_for(&test, "pamela@example.com");
    let point = STANDARD.encode(heart_rate_point(70.0, "2024-05-02T10:00:00Z").to_string());
    let other = observation("omh:heart-rate:2.0", 40002, 70001, &point, Some("test-step-count-001"));
    let (status, _, outcome) = post_fhir(&server, "/FHIR/R5/Observation", Some(&pamela), "application/fhir+json", other.to_string()).await;
    assert_eq!(status, 409, "{outcome}");
    assert_eq!(outcome["issue"].as_array().unwrap().len(), 1, "{outcome}");

    // Revoked: the practitioner's search no longer shows it; the patient still does.
    assert_eq!(call(&server, Method::PATCH, "/api/v1/patients/40001/consents", Some(&peter), Some(consent("omh:step-count:2.0", false))).await.0, 200);
    let (_, bundle) = call(&server, Method::GET, &query, Some(&mary), None).await;
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 0);
    let (_, own) = call(&server, Method::GET, &query, Some(&peter), None).await;
    assert_eq!(own["entry"].as_array().unwrap().len(), 1);
    let (status, _) = call(&server, Method::GET, &format!("/FHIR/R5/Observation/{id}"), Some(&mary), None).await;
    assert_eq!(status, 404);
    test.remove().await;
}

/// `_summary=count` of a search.
async fn total(server: &Server, token: &str, query: &str) -> i64 {
    let (_, counted) = call(server, Method::GET, &format!("/FHIR/R5/Observation?{query}&_summary=count"), Some(token), None).await;
    counted["total"].as_i64().unwrap()
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn every_row_of_the_error_table() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (mary, peter, pamela, victor, mark) = (
        token_for(&test, "mary@example.com"),
        token_for(&test, "peter@example.com"),
        token_for(&test, "pamela@example.com"),
        token_for(&test, "victor@example.com"),
        token_for(&test, "mark@example.com"),
    );
    let good = STANDARD.encode(heart_rate_point(72.0, "2025-03-01T08:00:00-08:00").to_string());
    let hr = |patient: i64, device: i64, data: &str| observation("omh:heart-rate:2.0", patient, device, data, None);
    let with = |mut value: Value, pointer: &str, replacement: Value| {
        *value.pointer_mut(pointer).unwrap() = replacement;
        value
    };
    let bad_schema = STANDARD.encode(json!({
        "header": {"uuid": "not-a-uuid", "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                   "source_creation_date_time": "2025-01-01T00:00:00Z"},
        "body": {"heart_rate": {"value": 60, "unit": "bpm"}, "effective_time_frame": {"date_time": "2025-01-01T00:00:00Z"}}
    }).to_string());
    let two_codings = with(hr(40001, 70001, &good), "/code/coding", json!([{"system": OMH, "code": "a"}, {"system": OMH, "code": "b"}]));
    let cases: Vec<(&str, String, &str, &str, u16, &str)> = vec![
        ("malformed JSON", "{\"resourceType\": ".into(), "application/json", &mary, 400, "JSON parse error"),
        ("wrong content type", hr(40001, 70001, &good).to_string(), "text/plain", &mary, 415, "Unsupported media type"),
        ("not an Observation", json!({"resourceType": "Patient"}).to_string(), "application/json", &mary, 400, "resourceType must be Observation"),
        ("bad status", with(hr(40001, 70001, &good), "/status", json!("bogus")).to_string(), "application/json", &mary, 400, "status 'bogus'"),
        ("two codings", two_codings.to_string(), "application/json", &mary, 400, "Exactly one Code"),
        ("no subject", with(hr(40001, 70001, &good), "/subject", json!({})).to_string(), "application/json", &mary, 400, "subject is required"),
        ("subject not a patient", with(hr(40001, 70001, &good), "/subject/reference", json!("Group/30001")).to_string(), "application/json", &mary, 400, "must reference a Patient"),
        ("unknown subject", hr(49999, 70001, &good).to_string(), "application/json", &mary, 400, "Patient id=49999 can not be found."),
        ("subject id not a number", with(hr(40001, 70001, &good), "/subject/reference", json!("Patient/abc")).to_string(), "application/json", &mary, 400, "not a valid id"),
        ("other organization", hr(40001, 70001, &good).to_string(), "application/json", &mark, 403, "doesn't have access to the Patient"),
        ("another patient", hr(40001, 70001, &good).to_string(), "application/json", &pamela, 403, "does not match the current user"),
        ("viewer", hr(40001, 70001, &good).to_string(), "application/json", &victor, 403, "Viewers may not upload"),
        ("no device", with(hr(40001, 70001, &good), "/device", json!(null)).to_string(), "application/json", &mary, 400, "device is required"),
        ("app as device", hr(40001, 70005, &good).to_string(), "application/json", &mary, 400, "Device Data Source id=70005 can not be found."),
        ("unknown code", observation("omh:heart-rate:9.9", 40001, 70001, &good, None).to_string(), "application/json", &mary, 400, "Code not found: system=https://w3id.org/openmhealth code=omh:heart-rate:9.9"),
        ("not consented", observation("omh:body-weight:3.0", 40001, 70001, &good, None).to_string(), "application/json", &mary, 403, "has not been consented"),
        ("not base64", hr(40001, 70001, "%%%not base64%%%").to_string(), "application/json", &mary, 400, "Base 64"),
        ("not JSON", hr(40001, 70001, &STANDARD.encode("just text")).to_string(), "application/json", &mary, 400, "Base 64 Encoded Binary JSON"),
        ("no attachment", with(hr(40001, 70001, &good), "/valueAttachment", json!(null)).to_string(), "application/json", &mary, 400, "valueAttachment.data is required"),
        ("schema failure", hr(40001, 70001, &bad_schema).to_string(), "application/json", &mary, 422, "does not validate"),
    ];
    for (name, body, content_type, token, status, needle) in cases {
        for path in ["/FHIR/R5/Observation", "/fhir/r5/Observation"] {
            let (got, headers, outcome) = post_fhir(&server, path, Some(token), content_type, body.clone()).await;
            assert_eq!(got, status, "{name} at {path}: {outcome}");
            assert_eq!(headers["content-type"], "application/fhir+json", "{name}");
            assert_eq!(outcome["resourceType"], "OperationOutcome", "{name}");
            let diagnostics = outcome["issue"][0]["diagnostics"].as_str().unwrap();
            assert!(diagnostics.contains(needle), "{name}: {diagnostics}");
        }
    }
    // The schema failure lists every error with its path.
    let (_, _, outcome) = post_fhir(&server, "/FHIR/R5/Observation", Some(&mary), "application/json", hr(40001, 70001, &bad_schema).to_string()).await;
    let expressions: Vec<&str> = outcome["issue"].as_array().unwrap()[1..].iter().map(|i| i["expression"][0].as_str().unwrap()).collect();
    assert_eq!(expressions, ["Observation.valueAttachment.data.header.uuid", "Observation.valueAttachment.data.body.heart_rate.unit"]);

    // No token: 401 with a challenge, as an OperationOutcome.
    let (status, headers, outcome) = post_fhir(&server, "/FHIR/R5/Observation", None, "application/json", hr(40001, 70001, &good).to_string()).await;
    assert_eq!(status, 401);
    assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    assert_eq!(outcome["resourceType"], "OperationOutcome");

    // Nothing was stored by any refusal; both content types and spellings store when valid.
    let before: Value = call(&server, Method::GET, "/FHIR/R5/Observation?patient=40001&_summary=count", Some(&peter), None).await.1;
    assert_eq!(before["total"], 2);
    for (path, content_type) in [("/FHIR/R5/Observation", "application/fhir+json"), ("/fhir/r5/Observation", "application/json; charset=utf-8")] {
        let (status, _, created) = post_fhir(&server, path, Some(&peter), content_type, hr(40001, 70001, &good).to_string()).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["effectiveDateTime"], "2025-03-01T16:00:00Z");
    }
    // Any UTF-8 in the payload is kept.
    let mut unicode = heart_rate_point(64.0, "2025-03-02T08:00:00Z");
    unicode["header"]["external_datasheets"] = json!([{"datasheet_type": "manufacturer", "datasheet_reference": "Café-Médical-❤"}]);
    let (status, _, created) = post_fhir(&server, "/FHIR/R5/Observation", Some(&peter), "application/json",
        hr(40001, 70001, &STANDARD.encode(unicode.to_string())).to_string()).await;
    assert_eq!(status, 201, "{created}");
    let decoded = STANDARD.decode(created["valueAttachment"]["data"].as_str().unwrap()).unwrap();
    assert!(String::from_utf8(decoded).unwrap().contains("Café-Médical-❤"));
    test.remove().await;
}

#[tokio::test]
async fn batch_entries_stand_alone_and_a_transaction_is_all_or_nothing() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let hr = |minute: u32, identifier: &str| {
        let at = format!("2025-04-01T08:{minute:02}:00Z");
        json!({"request": {"method": "POST", "url": "Observation"},
               "resource": observation("omh:heart-rate:2.0", 40002, 70001, &STANDARD.encode(heart_rate_point(70.0, &at).to_string()), Some(identifier))})
    };
    let batch = json!({"resourceType": "Bundle", "type": "batch", "entry": [
        hr(1, "b-1"), hr(2, "b-1"),
        {"request": {"method": "PUT", "url": "Observation/1"}, "resource": {"resourceType": "Observation"}},
        hr(3, "b-3"),
    ]});
    let (status, _, response) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/fhir+json", batch.to_string()).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["type"], "batch-response");
    let statuses: Vec<&str> = response["entry"].as_array().unwrap().iter().map(|e| e["response"]["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["201 Created", "409 Conflict", "400 Bad Request", "201 Created"]);
    assert!(response["entry"][0]["response"]["location"].as_str().unwrap().starts_with("Observation/"));
    assert_eq!(response["entry"][2]["response"]["outcome"]["issue"][0]["expression"][0], "Bundle.entry[2].request.method");

    let before = total(&server, &mary, "patient=40002").await;
    let transaction = json!({"resourceType": "Bundle", "type": "transaction", "entry": [hr(10, "t-1"), hr(11, "t-2"), hr(12, "b-3")]});
    let (status, _, outcome) = post_fhir(&server, "/FHIR/R5/", Some(&mary), "application/json", transaction.to_string()).await;
    assert_eq!(status, 409, "{outcome}");
    assert_eq!(outcome["issue"][0]["expression"][0], "Bundle.entry[2].resource.identifier[0]");
    assert_eq!(total(&server, &mary, "patient=40002").await, before, "nothing of a failed transaction is stored");
    // The first fault is named, even when a later entry fails an earlier check.
    let transaction = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        hr(13, "t-3"), hr(14, "b-3"), {"request": {"method": "POST", "url": "Observation"}, "resource": {"resourceType": "Observation"}},
    ]});
    let (status, _, outcome) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/json", transaction.to_string()).await;
    assert_eq!(status, 409, "{outcome}");
    assert_eq!(outcome["issue"][0]["expression"][0], "Bundle.entry[1].resource.identifier[0]");
    assert_eq!(total(&server, &mary, "patient=40002").await, before);
    let transaction = json!({"resourceType": "Bundle", "type": "transaction", "entry": [hr(10, "t-1"), hr(11, "t-2")]});
    let (status, _, response) = post_fhir(&server, "/fhir/r5", Some(&mary), "application/json", transaction.to_string()).await;
    assert_eq!((status, response["type"].as_str()), (200, Some("transaction-response")));
    assert_eq!(total(&server, &mary, "patient=40002").await, before + 2);

    for (body, needle) in [
        (json!({"resourceType": "Bundle", "type": "collection"}).to_string(), "batch or transaction"),
        (json!({"resourceType": "Observation"}).to_string(), "resourceType must be Bundle"),
        (json!({"resourceType": "Bundle", "type": "batch", "entry": {"not": "a list"}}).to_string(), "entry must be a list"),
        ("[1, 2".to_owned(), "JSON parse error"),
    ] {
        let (status, _, outcome) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/json", body).await;
        assert_eq!(status, 400);
        assert!(outcome["issue"][0]["diagnostics"].as_str().unwrap().contains(needle), "{outcome}");
    }
    test.remove().await;
}

#[tokio::test]
async fn search_parameters_filter_sort_and_count() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let entries = (0..6)
        .map(|day| json!({"request": {"method": "POST", "url": "Observation"}, "resource": observation(
            "omh:heart-rate:2.0", 40002, 70001,
            &STANDARD.encode(heart_rate_point(60.0 + f64::from(day), &format!("2025-05-0{}T12:00:00Z", day + 1)).to_string()),
            Some(&format!("s-{day}")))}))
        .collect::<Vec<_>>();
    let (status, _, _) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/json",
        json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}).to_string()).await;
    assert_eq!(status, 200);
    let ids = |bundle: &Value| -> Vec<String> {
        bundle["entry"].as_array().unwrap().iter().map(|e| e["resource"]["effectiveDateTime"].as_str().unwrap_or("-").to_owned()).collect()
    };
    let search = |query: String| {
        let (server, mary) = (&server, mary.clone());
        async move { call(server, Method::GET, &format!("/FHIR/R5/Observation?{query}"), Some(&mary), None).await }
    };
    let hr_code = urlencode(&format!("{OMH}|omh:heart-rate:2.0"));
    let (_, ranged) = search(format!("subject=Patient/40002&code={hr_code}&date=ge2025-05-02&date=lt2025-05-05&_sort=date")).await;
    assert_eq!(ids(&ranged), ["2025-05-02T12:00:00Z", "2025-05-03T12:00:00Z", "2025-05-04T12:00:00Z"]);
    let (_, newest) = search(format!("patient=40002&code={hr_code}&_sort=-date&_count=2&_total=accurate&date=lt2025-12-31")).await;
    assert_eq!(ids(&newest), ["2025-05-06T12:00:00Z", "2025-05-05T12:00:00Z"]);
    assert_eq!(newest["total"], 6, "the six uploads (the seeded one is later)");
    let (_, either) = search(format!("patient=40002&code={},{}", urlencode("|omh:heart-rate:2.0"), urlencode("omh:blood-pressure:4.0"))).await;
    assert_eq!(either["entry"].as_array().unwrap().len(), 9, "7 heart rate and 2 blood pressure");
    let (_, counted) = search("patient=40002&_summary=count".into()).await;
    assert_eq!((counted["total"].as_i64(), counted["entry"].as_array().map(Vec::len)), (Some(9), Some(0)));
    let (_, by_identifier) = search(urlencode("identifier") + "=" + &urlencode("https://test.example.com|s-3")).await;
    assert_eq!(ids(&by_identifier), ["2025-05-04T12:00:00Z"]);
    let (_, in_study) = search("patient._has:Group:member:_id=30002".into()).await;
    let codes: Vec<&str> = in_study["entry"].as_array().unwrap().iter().map(|e| e["resource"]["code"]["coding"][0]["code"].as_str().unwrap()).collect();
    assert!(codes.iter().all(|c| *c == "omh:blood-pressure:4.0"), "study 30002 requests BP only: {codes:?}");
    for (query, status) in [
        ("date=sometime".to_owned(), 400),
        ("_count=many".to_owned(), 400),
        ("_sort=colour".to_owned(), 400),
        ("patient=Group/1".to_owned(), 400),
        ("_cursor=bogus".to_owned(), 400),
        ("patient=40003".to_owned(), 403),
        ("patient._has:Group:member:_id=30004".to_owned(), 403),
    ] {
        let (got, outcome) = search(query.clone()).await;
        assert_eq!(got, status, "{query}: {outcome}");
    }
    // POST _search takes form parameters.
    let response = reqwest::Client::new().post(server.url("/FHIR/R5/Observation/_search")).bearer_auth(&mary)
        .form(&[("patient", "40002"), ("_summary", "count")]).send().await.unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["total"], 9);
    // Patient read and search.
    let (status, pamela) = call(&server, Method::GET, "/FHIR/R5/Patient/40002", Some(&mary), None).await;
    assert_eq!(status, 200);
    assert_eq!(pamela["name"][0]["given"][0], "Pamela");
    let (_, patients) = call(&server, Method::GET, "/FHIR/R5/Patient?organization=20003", Some(&mary), None).await;
    assert_eq!((patients.get("total"), patients["entry"].as_array().map(Vec::len)), (None, Some(2)), "no total unasked");
    let (_, patients) = call(&server, Method::GET, "/FHIR/R5/Patient?organization=20003&_total=accurate", Some(&mary), None).await;
    assert_eq!(patients["total"], 2);
    let (_, counted) = call(&server, Method::GET, "/FHIR/R5/Patient?organization=20003&_summary=count", Some(&mary), None).await;
    assert_eq!((counted["total"].as_i64(), counted.get("entry").and_then(Value::as_array).map(Vec::len)), (Some(2), Some(0)));
    let (status, _) = call(&server, Method::GET, "/FHIR/R5/Patient/40003", Some(&mary), None).await;
    assert_eq!(status, 404);
    let (status, metadata) = call(&server, Method::GET, "/FHIR/R5/metadata", None, None).await;
    assert_eq!((status, metadata["resourceType"].as_str()), (200, Some("CapabilityStatement")));
    let observation_params: Vec<&str> = metadata["rest"][0]["resource"][0]["searchParam"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(observation_params.contains(&"patient._has:Group:member:_id") && observation_params.contains(&"_lastUpdated"));
    test.remove().await;
}

#[tokio::test]
async fn paging_returns_every_observation_exactly_once_while_data_arrives() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let bundle = |start: usize, count: usize, prefix: &str| {
        let entries: Vec<Value> = (start..start + count)
            .map(|i| json!({"request": {"method": "POST", "url": "Observation"}, "resource": observation(
                "omh:heart-rate:2.0", 40002, 70001,
                &STANDARD.encode(heart_rate_point(60.0, &format!("2025-06-01T{:02}:{:02}:{:02}Z", i / 3600 % 24, i / 60 % 60, i % 60)).to_string()),
                Some(&format!("{prefix}-{i}")))}))
            .collect();
        json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}).to_string()
    };
    for chunk in 0..5 {
        let (status, _, _) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/json", bundle(chunk * 1000, 1000, "p")).await;
        assert_eq!(status, 200);
    }
    let (_, counted) = call(&server, Method::GET, "/FHIR/R5/Observation?patient=40002&code=|omh:heart-rate:2.0&_summary=count", Some(&mary), None).await;
    let existing = counted["total"].as_i64().unwrap();
    assert_eq!(existing, 5001);

    // Another client keeps uploading while this one pages.
    let writer = {
        let (base, mary) = (server.base.clone(), mary.clone());
        let bodies: Vec<String> = (0..5).map(|round| bundle(100_000 + round * 50, 50, "w")).collect();
        tokio::spawn(async move {
            for body in bodies {
                let response = reqwest::Client::new().post(format!("{base}/FHIR/R5")).bearer_auth(&mary)
                    .header("Content-Type", "application/json").body(body).send().await.unwrap();
                assert_eq!(response.status(), 200);
            }
        })
    };
    let mut seen = std::collections::HashSet::new();
    let mut next = Some(server.url("/FHIR/R5/Observation?patient=40002&code=%7Comh%3Aheart-rate%3A2.0&_count=1000"));
    let mut pages = 0;
    while let Some(url) = next {
        let page: Value = reqwest::Client::new().get(&url).bearer_auth(&mary).send().await.unwrap().json().await.unwrap();
        for entry in page["entry"].as_array().unwrap() {
            assert!(seen.insert(entry["resource"]["id"].as_str().unwrap().to_owned()), "an id came twice");
        }
        next = page["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next").map(|l| l["url"].as_str().unwrap().to_owned());
        pages += 1;
    }
    writer.await.unwrap();
    assert!(pages >= 6);
    // Every observation that existed when paging began was returned.
    assert!(seen.len() as i64 >= existing, "{} of {existing}", seen.len());
    let (_, after) = call(&server, Method::GET, "/FHIR/R5/Observation?patient=40002&code=|omh:heart-rate:2.0&_sort=_lastUpdated&_count=1000&_total=accurate", Some(&mary), None).await;
    assert_eq!(after["total"], 5251);
    test.remove().await;
}

#[tokio::test]
async fn devices_groups_and_consents_read_and_search() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (mary, peter, mark) = (token_for(&test, "mary@example.com"), token_for(&test, "peter@example.com"), token_for(&test, "mark@example.com"));
    let (status, devices) = call(&server, Method::GET, "/FHIR/R5/Device?_total=accurate", Some(&peter), None).await;
    assert_eq!((status, devices["total"].as_i64()), (200, Some(6)));
    let (_, carex) = call(&server, Method::GET, "/FHIR/R5/Device/70001", Some(&peter), None).await;
    assert_eq!(carex["displayName"], "CareX");

    let (_, groups) = call(&server, Method::GET, "/FHIR/R5/Group", Some(&mary), None).await;
    let names: Vec<&str> = groups["entry"].as_array().unwrap().iter().map(|e| e["resource"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Lifespan Study on BP", "Lifespan Study on BP & HR"]);
    assert_eq!(call(&server, Method::GET, "/FHIR/R5/Group/30001", Some(&mark), None).await.0, 404);

    // Peter's decisions: three in 30001, none yet in 30002.
    let (_, consents) = call(&server, Method::GET, "/FHIR/R5/Consent?patient=Patient/40001&_total=accurate", Some(&mary), None).await;
    assert_eq!(consents["total"], 3, "{consents}");
    let first = &consents["entry"][0]["resource"];
    assert_eq!((first["decision"].as_str(), first["grantee"][0]["reference"].as_str()), (Some("permit"), Some("Group/30001")));
    let id = first["id"].as_str().unwrap().to_owned();
    let (status, read) = call(&server, Method::GET, &format!("/FHIR/R5/Consent/{id}"), Some(&peter), None).await;
    assert_eq!((status, read["subject"]["reference"].as_str()), (200, Some("Patient/40001")));
    let (_, others) = call(&server, Method::GET, "/FHIR/R5/Consent?patient=40001&_total=accurate", Some(&mark), None).await;
    assert_eq!(others["total"], 0, "another organization sees none of Peter's decisions");
    let (_, revoked) = call(&server, Method::PATCH, "/api/v1/patients/40001/consents", Some(&peter),
        Some(json!({"studyScopeConsents": [{"studyId": 30001, "scopeConsents": [{"codingSystem": OMH, "codingCode": "omh:heart-rate:2.0", "consented": false}]}]}))).await;
    assert_eq!(revoked["studyScopeConsents"][0]["consented"], false);
    let (_, after) = call(&server, Method::GET, "/FHIR/R5/Consent?patient=40001&grantee=Group/30001", Some(&peter), None).await;
    let decisions: Vec<&str> = after["entry"].as_array().unwrap().iter().map(|e| e["resource"]["decision"].as_str().unwrap()).collect();
    assert_eq!(decisions.iter().filter(|d| **d == "deny").count(), 1);
    test.remove().await;
}

fn heart_rate_bundle(kind: &str, count: usize, prefix: &str) -> String {
    let entries: Vec<Value> = (0..count)
        .map(|i| json!({"request": {"method": "POST", "url": "Observation"}, "resource": observation(
            "omh:heart-rate:2.0", 40002, 70001,
            &STANDARD.encode(heart_rate_point(50.0 + (i % 60) as f64, &format!("2025-07-{:02}T{:02}:{:02}:00Z", 1 + i / 1440, i / 60 % 24, i % 60)).to_string()),
            Some(&format!("{prefix}-{i}")))}))
        .collect();
    json!({"resourceType": "Bundle", "type": kind, "entry": entries}).to_string()
}

#[tokio::test]
async fn a_ten_thousand_entry_bundle_ingests_in_one_request() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let body = heart_rate_bundle("batch", 10_000, "big");
    let (status, _, response) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/fhir+json", body).await;
    assert_eq!((status, response["type"].as_str()), (200, Some("batch-response")));
    let entries = response["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 10_000);
    let refused = entries.iter().find(|e| !e["response"]["status"].as_str().unwrap().starts_with("201"));
    assert!(refused.is_none(), "{refused:?}");
    let (_, counted) = call(&server, Method::GET, "/FHIR/R5/Observation?patient=40002&code=|omh:heart-rate:2.0&date=ge2025-07-01&date=lt2025-07-31&_summary=count", Some(&mary), None).await;
    assert_eq!(counted["total"], 10_000);
    test.remove().await;
}

#[tokio::test]
async fn body_limits_are_configurable_and_refuse_with_413() {
    let test = seeded().await;
    let server = Server::start_with(&test, &[("JHE_BODY_LIMIT", "4096"), ("JHE_BUNDLE_BODY_LIMIT", "65536")]).await;
    let mary = token_for(&test, "mary@example.com");
    // 50 entries fit in 64 KiB; 200 do not, and nothing of them is stored.
    let (status, _, _) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/json", heart_rate_bundle("transaction", 50, "fits")).await;
    assert_eq!(status, 200);
    let (status, _, outcome) = post_fhir(&server, "/FHIR/R5", Some(&mary), "application/json", heart_rate_bundle("transaction", 200, "big")).await;
    assert_eq!((status, outcome["resourceType"].as_str()), (413, Some("OperationOutcome")));
    assert_eq!(outcome["issue"][0]["code"], "too-costly");
    assert!(outcome["issue"][0]["diagnostics"].as_str().unwrap().contains("65536 bytes"), "{outcome}");
    let (_, counted) = call(&server, Method::GET, "/FHIR/R5/Observation?patient=40002&code=|omh:heart-rate:2.0&date=ge2025-07-01&date=lt2025-07-31&_summary=count", Some(&mary), None).await;
    assert_eq!(counted["total"], 50);
    // A single observation and an API body have the general limit.
    let padded = json!({"name": "x".repeat(5000)});
    let (status, detail) = call(&server, Method::POST, "/api/v1/data_sources", Some(&token_for(&test, "sam@example.com")), Some(padded)).await;
    assert_eq!(status, 413);
    assert!(detail["detail"].as_str().unwrap().contains("4096 bytes"), "{detail}");
    test.remove().await;
}
