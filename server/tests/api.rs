//! The admin REST API over HTTP: the guide's API steps end to end, consent
//! semantics and the consent gate on reads, and who may write what.

mod common;

use common::{Server, call, seeded, token_for};
use jhe_core::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};

const OMH: &str = "https://w3id.org/openmhealth";

fn consent_body(study: i64, code: &str, consented: bool) -> Value {
    json!({"studyScopeConsents": [{"studyId": study, "scopeConsents": [
        {"codingSystem": OMH, "codingCode": code, "consented": consented}
    ]}]})
}

#[tokio::test]
async fn the_guides_api_steps_end_to_end() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let sam = token_for(&test, "sam@example.com");
    let mary = token_for(&test, "mary@example.com");
    let peter = token_for(&test, "peter@example.com");

    // A super user adds the data source...
    let (status, created) = call(&server, Method::POST, "/api/v1/data_sources", Some(&sam),
        Some(json!({"name": "Apple Watch", "type": "personal_device"}))).await;
    assert_eq!(status, 201);
    assert_eq!(created, json!({"id": 70007, "name": "Apple Watch", "type": "personal_device"}));
    // ...a data type, and the scopes the device supports.
    let (status, step_count) = call(&server, Method::POST, "/api/v1/data_types", Some(&sam), Some(json!({
        "codingSystem": OMH, "codingCode": "omh:step-count:2.0", "text": "Step count",
        "schema": {"type": "object", "required": ["step_count"]}
    }))).await;
    assert_eq!(status, 201, "{step_count}");
    assert_eq!(step_count["id"], 50017);
    assert_eq!(step_count["schema"]["required"], json!(["step_count"]));
    for (key, code) in [("scope_code_id", 50004), ("scopeCodeId", 50017), ("scope_code_id", 50005)] {
        let (status, link) = call(&server, Method::POST, "/api/v1/data_sources/70007/supported_scopes", Some(&sam),
            Some(json!({key: code}))).await;
        assert_eq!(status, 201, "{link}");
        assert_eq!(link["dataSource"]["id"], 70007);
    }
    let (status, listed) = call(&server, Method::GET, "/api/v1/data_sources?include_scopes=true", Some(&mary), None).await;
    assert_eq!(status, 200);
    let apple = listed["results"].as_array().unwrap().iter().find(|s| s["name"] == "Apple Watch").unwrap().clone();
    assert_eq!(apple["type"], "personal_device");
    let codes: Vec<&str> = apple["supportedScopes"].as_array().unwrap().iter().map(|s| s["codingCode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["omh:heart-rate:2.0", "omh:oxygen-saturation:2.0", "omh:step-count:2.0"], "ordered by text");
    assert_eq!(apple["supportedScopes"][0], json!({"id": 50004, "codingSystem": OMH, "codingCode": "omh:heart-rate:2.0", "text": "Heart Rate"}));

    // A manager puts them on a study.
    let (status, _) = call(&server, Method::POST, "/api/v1/studies/30001/data_sources", Some(&mary), Some(json!({"data_source_id": 70007}))).await;
    assert_eq!(status, 201);
    let (status, request) = call(&server, Method::POST, "/api/v1/studies/30001/scope_requests", Some(&mary), Some(json!({"scope_code_id": 50017}))).await;
    assert_eq!(status, 201);
    assert_eq!(request["scopeCode"]["codingCode"], "omh:step-count:2.0");
    let (_, sources) = call(&server, Method::GET, "/api/v1/studies/30001/data_sources", Some(&mary), None).await;
    assert!(sources.as_array().unwrap().iter().any(|s| s["dataSource"]["name"] == "Apple Watch"));

    // The patient sees the new request pending, and consents.
    let (status, overview) = call(&server, Method::GET, "/api/v1/patients/40001/consents", Some(&peter), None).await;
    assert_eq!(status, 200);
    let pending: Vec<i64> = overview["studiesPendingConsent"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(pending, [30001, 30002]);
    let lifespan = &overview["studiesPendingConsent"][0];
    assert_eq!(lifespan["pendingScopeConsents"][0]["code"]["codingCode"], "omh:step-count:2.0");
    assert_eq!(lifespan["pendingScopeConsents"][0]["consented"], Value::Null);
    let (status, recorded) = call(&server, Method::POST, "/api/v1/patients/40001/consents", Some(&peter),
        Some(consent_body(30001, "omh:step-count:2.0", true))).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["studyScopeConsents"][0]["consented"], true);
    assert_eq!(recorded["studyScopeConsents"][0]["studyPatient"]["study"], 30001);
    let (_, overview) = call(&server, Method::GET, "/api/v1/patients/40001/consents", Some(&mary), None).await;
    let pending: Vec<i64> = overview["studiesPendingConsent"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(pending, [30002], "only the demo's pending study is left");
    let consolidated: Vec<&str> = overview["consolidatedConsentedScopes"].as_array().unwrap().iter().map(|s| s["codingCode"].as_str().unwrap()).collect();
    assert!(consolidated.contains(&"omh:step-count:2.0"));
    test.remove().await;
}

#[tokio::test]
async fn consent_answers_changes_and_withdrawals_follow_the_rules_and_are_audited() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (megan, victor, mark, pamela) = (
        token_for(&test, "megan@example.com"),
        token_for(&test, "victor@example.com"),
        token_for(&test, "mark@example.com"),
        token_for(&test, "pamela@example.com"),
    );
    let consents = "/api/v1/patients/40001/consents";
    let bp = consent_body(30002, "omh:blood-pressure:4.0", true);

    // Who may answer for Peter.
    let (status, body) = call(&server, Method::POST, consents, Some(&victor), Some(bp.clone())).await;
    assert_eq!((status, body["detail"].as_str()), (403, Some("Practitioner role is not valid.")));
    let (status, _) = call(&server, Method::POST, consents, Some(&mark), Some(bp.clone())).await;
    assert_eq!(status, 403);
    let (status, body) = call(&server, Method::POST, consents, Some(&pamela), Some(bp.clone())).await;
    assert_eq!((status, body["detail"].as_str()), (403, Some("The Patient does not match the current patient user.")));
    let (status, _) = call(&server, Method::POST, consents, None, Some(bp.clone())).await;
    assert_eq!(status, 401);

    // A member answers on his behalf; a second POST is a conflict.
    let (status, _) = call(&server, Method::POST, consents, Some(&megan), Some(bp.clone())).await;
    assert_eq!(status, 201);
    let (status, body) = call(&server, Method::POST, consents, Some(&megan), Some(bp.clone())).await;
    assert_eq!(status, 409, "{body}");
    // PATCH changes it; PATCH of an unanswered scope is refused.
    let (status, body) = call(&server, Method::PATCH, consents, Some(&megan), Some(consent_body(30002, "omh:blood-pressure:4.0", false))).await;
    assert_eq!(status, 200);
    assert_eq!(body["studyScopeConsents"][0]["consented"], false);
    let qr = json!({"studyScopeConsents": [{"studyId": 30002, "scopeConsents": [
        {"codingSystem": "http://hl7.org/fhir/resource-types", "codingCode": "QuestionnaireResponse", "consented": true}]}]});
    let (status, _) = call(&server, Method::PATCH, consents, Some(&megan), Some(qr)).await;
    assert_eq!(status, 400);

    // Bad requests: unknown study, unknown code, unrequested code, not enrolled, malformed.
    for (body, needle) in [
        (consent_body(39999, "omh:blood-pressure:4.0", true), "study 39999 does not exist"),
        (consent_body(30002, "omh:nothing:1.0", true), "unknown data type"),
        (consent_body(30002, "omh:heart-rate:2.0", true), "does not request omh:heart-rate:2.0"),
        (json!({"studyScopeConsents": "yes"}), "studyScopeConsents: invalid type: string \"yes\", expected a sequence"),
        (json!({}), "studyScopeConsents: this field is required"),
        (json!({"studyScopeConsents": [{"studyId": 30002, "scopeConsents": [{"codingSystem": OMH, "codingCode": "omh:blood-pressure:4.0"}]}]}), "consented"),
    ] {
        let (status, detail) = call(&server, Method::POST, consents, Some(&megan), Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        assert!(detail["detail"].as_str().unwrap().contains(needle), "{body}: {detail}");
    }
    // Percy (40003) is in Neptunian Pulse Lab and not enrolled in Lifespan studies.
    let tom = token_for(&test, "tom@example.com");
    let (status, detail) = call(&server, Method::POST, "/api/v1/patients/40003/consents", Some(&tom),
        Some(consent_body(30004, "omh:body-temperature:4.0", true))).await;
    assert_eq!(status, 409, "Percy already answered BT in 30004: {detail}");

    // DELETE makes the scope pending again.
    let (status, _) = call(&server, Method::DELETE, consents, Some(&megan), Some(consent_body(30002, "omh:blood-pressure:4.0", false))).await;
    assert_eq!(status, 204);
    let (_, overview) = call(&server, Method::GET, consents, Some(&megan), None).await;
    assert_eq!(overview["studiesPendingConsent"][0]["id"], 30002);
    assert_eq!(overview["studiesPendingConsent"][0]["pendingScopeConsents"].as_array().unwrap().len(), 2);

    // Every change is in the audit trail: who, which patient, what.
    let sam = token_for(&test, "sam@example.com");
    let (status, trail) = call(&server, Method::GET, "/api/v1/audit_events?patient_id=40001", Some(&sam), None).await;
    assert_eq!(status, 200, "{trail}");
    let events: Vec<&Value> = trail["results"].as_array().unwrap().iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("consent.")).collect();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["consent.withdraw", "consent.decline", "consent.grant"]);
    assert!(events.iter().all(|e| e["actorUserId"] == 10003 && e["patientId"] == 40001));
    assert_eq!(events[2]["detail"]["code"], "omh:blood-pressure:4.0");
    test.remove().await;
}

#[tokio::test]
async fn practitioners_see_only_consented_observations_and_revocation_hides_them_at_once() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (mary, peter, mark) = (token_for(&test, "mary@example.com"), token_for(&test, "peter@example.com"), token_for(&test, "mark@example.com"));
    let peters_codes = |body: &Value| -> Vec<String> {
        let mut codes: Vec<String> = body["results"].as_array().unwrap().iter()
            .filter(|o| o["subjectPatientId"] == 40001)
            .map(|o| o["codingCode"].as_str().unwrap().to_owned()).collect();
        codes.sort();
        codes
    };
    let (status, before) = call(&server, Method::GET, "/api/v1/observations?patient_id=40001", Some(&mary), None).await;
    assert_eq!(status, 200);
    assert_eq!(peters_codes(&before), ["omh:blood-pressure:4.0", "omh:heart-rate:2.0"]);
    assert_eq!(before["results"][0]["omhData"]["header"]["schema_id"]["namespace"], "omh", "OMH keys stay as uploaded");
    let (_, other_org) = call(&server, Method::GET, "/api/v1/observations?patient_id=40001", Some(&mark), None).await;
    assert_eq!(other_org["count"], 0);

    // Peter revokes heart rate in 30001 (the only study that has it): hidden at once.
    let (status, _) = call(&server, Method::PATCH, "/api/v1/patients/40001/consents", Some(&peter),
        Some(consent_body(30001, "omh:heart-rate:2.0", false))).await;
    assert_eq!(status, 200);
    let (_, after) = call(&server, Method::GET, "/api/v1/observations?patient_id=40001", Some(&mary), None).await;
    assert_eq!(peters_codes(&after), ["omh:blood-pressure:4.0"]);
    assert_eq!(after["count"].as_i64().unwrap() + 1, before["count"].as_i64().unwrap());
    // Peter still sees all his own data; nothing was deleted.
    let (_, own) = call(&server, Method::GET, "/api/v1/observations", Some(&peter), None).await;
    assert_eq!(peters_codes(&own), ["omh:blood-pressure:4.0", "omh:heart-rate:2.0"]);
    // Consent again: visible again.
    let (_, _) = call(&server, Method::PATCH, "/api/v1/patients/40001/consents", Some(&peter),
        Some(consent_body(30001, "omh:heart-rate:2.0", true))).await;
    let (_, again) = call(&server, Method::GET, "/api/v1/observations?patient_id=40001", Some(&mary), None).await;
    assert_eq!(peters_codes(&again), ["omh:blood-pressure:4.0", "omh:heart-rate:2.0"]);
    // A study filter applies the same gate within that study.
    let (_, in_30002) = call(&server, Method::GET, "/api/v1/observations?study_id=30002&patient_id=40001", Some(&mary), None).await;
    assert_eq!(in_30002["count"], 0, "Peter has not consented to anything in 30002");
    test.remove().await;
}

#[tokio::test]
async fn lists_use_jhes_envelope_and_paging() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let (status, page1) = call(&server, Method::GET, "/api/v1/organizations?pageSize=4", Some(&mary), None).await;
    assert_eq!(status, 200);
    assert_eq!(page1["count"], 9);
    assert_eq!(page1["previous"], Value::Null);
    assert_eq!(page1["next"], server.url("/api/v1/organizations?page=2&pageSize=4"));
    let (_, page3) = call(&server, Method::GET, "/api/v1/organizations?page=3&page_size=4", Some(&mary), None).await;
    assert_eq!(page3["results"].as_array().unwrap().len(), 1);
    assert_eq!(page3["previous"], server.url("/api/v1/organizations?page=2&page_size=4"));
    assert_eq!(page3["next"], Value::Null);
    let (status, body) = call(&server, Method::GET, "/api/v1/organizations?page=9", Some(&mary), None).await;
    assert_eq!((status, body["detail"].as_str()), (404, Some("Invalid page.")));
    let (_, last) = call(&server, Method::GET, "/api/v1/organizations?page=last&pageSize=4", Some(&mary), None).await;
    assert_eq!(last["results"], page3["results"]);

    let (_, patients) = call(&server, Method::GET, "/api/v1/patients?organizationId=20003", Some(&mary), None).await;
    let ids: Vec<i64> = patients["results"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [40001, 40002]);
    assert_eq!(patients["results"][0]["telecomEmail"], "peter@example.com");
    assert_eq!(patients["results"][0]["identifiers"][0]["system"], "https://openwearables.io/ns/patient-id");
    let (status, body) = call(&server, Method::GET, "/api/v1/patients?organization_id=abc", Some(&mary), None).await;
    assert_eq!(status, 400, "{body}");
    // Search: part of a name, an email or an identifier, any case; wildcards are literal.
    for (search, expected) in [("PAM", vec![40002]), ("peter@", vec![40001]), ("%", vec![]), ("_", vec![])] {
        let (_, found) = call(&server, Method::GET, &format!("/api/v1/patients?search={}", search.replace('%', "%25")), Some(&mary), None).await;
        let ids: Vec<i64> = found["results"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, expected, "search {search}");
    }
    let (_, studies) = call(&server, Method::GET, "/api/v1/studies", Some(&mary), None).await;
    let names: Vec<&str> = studies["results"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Lifespan Study on BP", "Lifespan Study on BP & HR"]);
    assert_eq!(studies["results"][0]["organization"], json!({"id": 20003, "name": "Lifespan Lab", "type": "laboratory"}));
    let (_, tree) = call(&server, Method::GET, "/api/v1/organizations/20001/tree", Some(&mary), None).await;
    assert_eq!(tree["children"][0]["children"][0]["name"], "Lifespan Lab");
    assert_eq!(tree["children"][0]["children"][0]["currentUserRole"], "manager");
    let (_, users) = call(&server, Method::GET, "/api/v1/organizations/20003/users", Some(&mary), None).await;
    assert_eq!(users.as_array().unwrap().len(), 4);
    test.remove().await;
}

/// The roles of the seed, and who gets what.
struct Role {
    name: &'static str,
    email: Option<&'static str>,
}

const ROLES: [Role; 7] = [
    Role { name: "super user", email: Some("sam@example.com") },
    Role { name: "manager", email: Some("mary@example.com") },
    Role { name: "member", email: Some("megan@example.com") },
    Role { name: "viewer", email: Some("victor@example.com") },
    Role { name: "patient", email: Some("peter@example.com") },
    Role { name: "other organization", email: Some("mark@example.com") },
    Role { name: "anonymous", email: None },
];

/// One write, tried by every role: `(method, path, body for role i, statuses by role)`.
type Case = (Method, &'static str, fn(usize) -> Value, [u16; 7]);

#[tokio::test]
async fn the_permission_matrix_for_writes() {
    let test: TestDatabase = seeded().await;
    let server = Server::start(&test).await;
    let tokens: Vec<Option<String>> = ROLES.iter().map(|r| r.email.map(|e| token_for(&test, e))).collect();
    let cases: Vec<Case> = vec![
        (Method::POST, "/api/v1/data_sources", |i| json!({"name": format!("Device {i}")}), [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/data_types", |i| json!({"codingSystem": "urn:test", "codingCode": format!("t:{i}"), "text": "T", "schema": {"type": "object"}}),
            [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/data_sources/70006/supported_scopes", |i| json!({"scopeCodeId": 50001 + i as i64}),
            [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/studies", |_| json!({"name": "S", "description": "D", "organization": 20003}),
            [201, 201, 201, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/studies/30002/scope_requests", |i| json!({"scope_code_id": 50003 + i as i64}),
            [201, 201, 201, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/studies/30002/data_sources", |i| json!({"data_source_id": 70002 + i as i64}),
            [201, 201, 201, 403, 403, 403, 401]),
        (Method::PATCH, "/api/v1/studies/30002", |_| json!({"description": "Blood Pressure"}), [200, 200, 200, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/organizations", |i| json!({"name": format!("Team {i}"), "type": "team", "partOf": 20003}),
            [201, 201, 403, 403, 403, 403, 401]),
        (Method::PATCH, "/api/v1/organizations/20003", |_| json!({"name": "Lifespan Lab"}), [200, 200, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/organizations", |i| json!({"name": format!("Top {i}"), "type": "edu", "partOf": 0}),
            [201, 403, 403, 403, 403, 403, 401]),
        (Method::PATCH, "/api/v1/data_sources/70006", |_| json!({"name": "Patient Access API"}), [200, 403, 403, 403, 403, 403, 401]),
        (Method::PATCH, "/api/v1/data_types/50016", |_| json!({"text": "Sleep duration"}), [200, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/patients", |i| json!({"telecomEmail": format!("new{i}@example.com"), "organizationId": 20003}),
            [201, 201, 201, 403, 403, 403, 401]),
        (Method::PATCH, "/api/v1/patients/40002", |_| json!({"telecomPhone": "+1-555-0101"}), [200, 200, 200, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/organizations/20003/user", |_| json!({"jheUserId": 10005, "organizationPartitionerRole": "viewer"}),
            [200, 200, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/clients", |i| json!({"name": "App", "clientId": format!("app-{i}"), "invitationUrl": "https://a.example/CODE"}),
            [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/clients/1/data_sources", |i| json!({"dataSourceId": 70002 + i as i64}), [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/studies/30002/clients", |i| json!({"clientId": 2 + (i as i64 % 2)}), [201, 201, 409, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/practitioners", |i| json!({"telecomEmail": format!("doc{i}@example.com")}), [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/jhe_settings", |i| json!({"key": format!("k.{i}"), "valueType": "int", "value": 1}), [201, 403, 403, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/invitation", |_| json!({"patient_id": 40002, "client_id": 1}), [201, 201, 201, 403, 403, 403, 401]),
        (Method::POST, "/api/v1/practitioner_clients", |_| json!({"label": "k"}), [201, 201, 201, 201, 403, 201, 401]),
        (Method::DELETE, "/api/v1/studies/30005", |_| json!({}), [204, 403, 403, 403, 403, 403, 401]),
        (Method::DELETE, "/api/v1/data_sources/70004", |_| json!({}), [204, 403, 403, 403, 403, 403, 401]),
    ];
    for (method, path, body, expected) in cases {
        for (i, role) in ROLES.iter().enumerate() {
            let (status, answer) = call(&server, method.clone(), path, tokens[i].as_deref(), Some(body(i))).await;
            assert_eq!(status, expected[i], "{method} {path} as {}: {answer}", role.name);
            if status >= 400 {
                assert!(answer["detail"].is_string(), "{method} {path} as {}: {answer}", role.name);
            }
        }
    }
    // Reads follow membership: Mark sees none of Lifespan Lab's studies or patients.
    let mark = tokens[5].as_deref();
    let (status, _) = call(&server, Method::GET, "/api/v1/studies/30001", mark, None).await;
    assert_eq!(status, 403);
    let (status, _) = call(&server, Method::GET, "/api/v1/patients/40001", mark, None).await;
    assert_eq!(status, 403);
    let (status, _) = call(&server, Method::GET, "/api/v1/patients/40001/consents", mark, None).await;
    assert_eq!(status, 403);
    let (status, _) = call(&server, Method::GET, "/api/v1/patients/40002", tokens[4].as_deref(), None).await;
    assert_eq!(status, 403, "a patient reads only their own record");
    test.remove().await;
}

#[tokio::test]
async fn enrolment_needs_a_writer_and_a_patient_of_the_studys_organization() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (mary, victor) = (token_for(&test, "mary@example.com"), token_for(&test, "victor@example.com"));
    let (_, study) = call(&server, Method::POST, "/api/v1/studies", Some(&mary),
        Some(json!({"name": "Sleep Study", "description": "Sleep tracking", "organization": 20003}))).await;
    let path = format!("/api/v1/studies/{}/patients", study["id"]);
    let (status, _) = call(&server, Method::POST, &path, Some(&victor), Some(json!({"patientIds": [40001]}))).await;
    assert_eq!(status, 403);
    let (status, body) = call(&server, Method::POST, &path, Some(&mary), Some(json!({"patientIds": [40001, 40003]}))).await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("not in the study's organization"));
    let (status, body) = call(&server, Method::POST, &path, Some(&mary), Some(json!({"patientIds": [40001, 40002]}))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["studyPatients"].as_array().unwrap().len(), 2);
    let (status, _) = call(&server, Method::POST, &path, Some(&mary), Some(json!({"patientIds": [40001]}))).await;
    assert_eq!(status, 409);
    let (_, enrolled) = call(&server, Method::GET, &path, Some(&victor), None).await;
    assert_eq!(enrolled["count"], 2);
    let (status, _) = call(&server, Method::DELETE, &path, Some(&mary), Some(json!({"patientIds": [40002]}))).await;
    assert_eq!(status, 204);
    let (_, enrolled) = call(&server, Method::GET, &path, Some(&mary), None).await;
    assert_eq!(enrolled["count"], 1);
    test.remove().await;
}

#[tokio::test]
async fn super_users_manage_clients_practitioners_and_settings() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (sam, mary) = (token_for(&test, "sam@example.com"), token_for(&test, "mary@example.com"));

    // Patient apps.
    let (_, clients) = call(&server, Method::GET, "/api/v1/clients", Some(&mary), None).await;
    let names: Vec<&str> = clients["results"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Patient Access", "CommonHealth", "CareX"], "patient apps only, newest first");
    let body = json!({"name": "Consent Web", "clientId": "consent-web", "invitationUrl": "http://127.0.0.1/invitation/CODE"});
    let (status, _) = call(&server, Method::POST, "/api/v1/clients", Some(&mary), Some(body.clone())).await;
    assert_eq!(status, 403);
    let (status, created) = call(&server, Method::POST, "/api/v1/clients", Some(&sam), Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["clientId"], "consent-web");
    let (status, _) = call(&server, Method::POST, "/api/v1/clients", Some(&sam), Some(body)).await;
    assert_eq!(status, 409);
    let (status, _) = call(&server, Method::POST, "/api/v1/clients", Some(&sam),
        Some(json!({"name": "X", "clientId": "x", "invitationUrl": "https://no-code.example"}))).await;
    assert_eq!(status, 400);
    let client = created["id"].as_i64().unwrap();
    let (status, link) = call(&server, Method::POST, &format!("/api/v1/clients/{client}/data_sources"), Some(&sam),
        Some(json!({"dataSourceId": 70001}))).await;
    assert_eq!(status, 201);
    assert_eq!(link["client_id"], client.to_string());
    let (status, link) = call(&server, Method::POST, "/api/v1/studies/30002/clients", Some(&mary), Some(json!({"clientId": client}))).await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["client"]["name"], "Consent Web");
    let victor = token_for(&test, "victor@example.com");
    let (status, _) = call(&server, Method::DELETE, "/api/v1/studies/30002/clients", Some(&victor), Some(json!({"client_id": client}))).await;
    assert_eq!(status, 403);
    let (_, study_clients) = call(&server, Method::GET, "/api/v1/studies/30002/clients", Some(&victor), None).await;
    assert_eq!(study_clients.as_array().unwrap().len(), 2);

    // Practitioners: created with a password, then deactivated.
    let (status, _) = call(&server, Method::GET, "/api/v1/practitioners", Some(&mary), None).await;
    assert_eq!(status, 403);
    let (status, nora) = call(&server, Method::POST, "/api/v1/practitioners", Some(&sam), Some(json!({
        "telecomEmail": "nora@example.com", "nameFamily": "Nash", "nameGiven": "Nora",
        "organizationId": 20007, "role": "viewer", "password": "a-good-password"
    }))).await;
    assert_eq!(status, 201, "{nora}");
    assert_eq!(nora["organizations"][0]["id"], 20007);
    let nora_token = token_for(&test, "nora@example.com");
    let (status, _) = call(&server, Method::GET, "/api/v1/users/profile", Some(&nora_token), None).await;
    assert_eq!(status, 200);
    let (status, updated) = call(&server, Method::PATCH, &format!("/api/v1/practitioners/{}", nora["id"]), Some(&sam),
        Some(json!({"isActive": false}))).await;
    assert_eq!((status, updated["isActive"].as_bool()), (200, Some(false)));
    let (status, _) = call(&server, Method::GET, "/api/v1/users/profile", Some(&nora_token), None).await;
    assert_eq!(status, 401, "a deactivated account's tokens stop working");

    // Users: super users list them; others read only themselves.
    let (status, users) = call(&server, Method::GET, "/api/v1/users?email=MARY@example.com", Some(&sam), None).await;
    assert_eq!((status, users["count"].as_i64()), (200, Some(1)));
    assert_eq!(users["results"][0]["userType"], "practitioner");
    assert_eq!(call(&server, Method::GET, "/api/v1/users", Some(&mary), None).await.0, 403);
    assert_eq!(call(&server, Method::GET, "/api/v1/users/10002", Some(&mary), None).await.0, 200);
    assert_eq!(call(&server, Method::GET, "/api/v1/users/10003", Some(&mary), None).await.0, 403);

    // Settings.
    let (_, all) = call(&server, Method::GET, "/api/v1/jhe_settings", Some(&sam), None).await;
    assert_eq!(all["results"][0], json!({"id": 1, "key": "site.url", "valueType": "string",
        "resolvedValue": "http://127.0.0.1:8000", "lastUpdated": all["results"][0]["lastUpdated"]}));
    let (status, created) = call(&server, Method::POST, "/api/v1/jhe_settings", Some(&sam),
        Some(json!({"key": "study.max", "valueType": "int", "value": "5"}))).await;
    assert_eq!((status, created["resolvedValue"].as_i64()), (201, Some(5)));
    for (body, status) in [
        (json!({"key": "study.max", "valueType": "int", "value": 6}), 409),
        (json!({"key": "b", "valueType": "int", "value": "five"}), 400),
        (json!({"key": "b", "valueType": "bool", "value": "maybe"}), 400),
        (json!({"key": "b", "valueType": "colour", "value": "red"}), 400),
        (json!({"key": "b", "valueType": "int"}), 400),
    ] {
        assert_eq!(call(&server, Method::POST, "/api/v1/jhe_settings", Some(&sam), Some(body.clone())).await.0, status, "{body}");
    }
    let (status, _) = call(&server, Method::GET, "/api/v1/jhe_settings", Some(&mary), None).await;
    assert_eq!(status, 403);
    test.remove().await;
}

#[tokio::test]
async fn managers_and_members_create_change_and_remove_their_patients() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (megan, victor) = (token_for(&test, "megan@example.com"), token_for(&test, "victor@example.com"));
    let new = json!({"telecomEmail": "polly@example.com", "organizationId": 20003, "nameFamily": "Pope", "nameGiven": "Polly",
        "birthDate": "1991-02-03", "identifiers": [{"system": "urn:mrn", "value": "P-1"}]});
    let (status, _) = call(&server, Method::POST, "/api/v1/patients", Some(&victor), Some(new.clone())).await;
    assert_eq!(status, 403);
    let (status, polly) = call(&server, Method::POST, "/api/v1/patients", Some(&megan), Some(new.clone())).await;
    assert_eq!(status, 201, "{polly}");
    assert_eq!(polly["id"], 40006);
    assert_eq!(polly["telecomEmail"], "polly@example.com");
    assert_eq!(polly["organizations"][0]["id"], 20003);
    let (status, _) = call(&server, Method::POST, "/api/v1/patients", Some(&megan), Some(new)).await;
    assert_eq!(status, 409, "the email already belongs to a patient");
    for (body, needle) in [
        (json!({"telecomEmail": "q@example.com", "organizationId": 20003, "birthDate": "03/02/1991"}), "birthDate"),
        (json!({"telecomEmail": "not an email", "organizationId": 20003}), "email"),
        (json!({"organizationId": 20003}), "telecomEmail"),
    ] {
        let (status, detail) = call(&server, Method::POST, "/api/v1/patients", Some(&megan), Some(body)).await;
        assert_eq!(status, 400);
        assert!(detail["detail"].as_str().unwrap().contains(needle), "{detail}");
    }
    let (status, body) = call(&server, Method::POST, "/api/v1/patients", Some(&megan), Some(json!({
        "telecomEmail": "quinn@example.com", "organizationId": 20003, "identifiers": [{"system": "urn:mrn", "value": "P-1"}]}))).await;
    assert_eq!(status, 409, "{body}");
    let (_, lookup) = call(&server, Method::GET, "/api/v1/patients/global_lookup?email=quinn@example.com", Some(&megan), None).await;
    assert_eq!(lookup, json!([]), "the refused create left nothing behind");

    let (status, changed) = call(&server, Method::PATCH, "/api/v1/patients/40006", Some(&megan),
        Some(json!({"telecomPhone": "+1-555-0100", "identifiers": [{"system": "urn:mrn", "value": "P-2"}]}))).await;
    assert_eq!(status, 200);
    assert_eq!(changed["telecomPhone"], "+1-555-0100");
    assert_eq!(changed["nameGiven"], "Polly");
    assert_eq!(changed["identifiers"][0]["value"], "P-2");
    let (status, _) = call(&server, Method::PATCH, "/api/v1/patients/40006", Some(&victor), Some(json!({"nameGiven": "X"}))).await;
    assert_eq!(status, 403);

    let (status, _) = call(&server, Method::DELETE, "/api/v1/patients/40006", Some(&megan), None).await;
    assert_eq!(status, 400, "which organization to remove her from is required");
    let (status, _) = call(&server, Method::DELETE, "/api/v1/patients/40006?organization_id=20003", Some(&megan), None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&server, Method::GET, "/api/v1/patients/40006", Some(&megan), None).await;
    assert_eq!(status, 404, "no organization left: the patient is gone");
    test.remove().await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let (status, document) = call(&server, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/data_sources", &["get", "post"][..]),
        ("/api/v1/studies/{id}/scope_requests", &["get", "post", "delete"][..]),
        ("/api/v1/patients/{id}/consents", &["get", "post", "patch", "delete"][..]),
        ("/api/v1/data_types/{id}/validate", &["post"][..]),
        ("/api/v1/observations", &["get"][..]),
    ] {
        for method in methods {
            assert!(paths[path].get(*method).is_some(), "{method} {path} is documented");
        }
    }
    assert!(paths.len() >= 40, "{} paths", paths.len());
    // Every documented operation is really routed (never the catch-all 404),
    // and answers with a status its document lists.
    let sam = token_for(&test, "sam@example.com");
    for (path, item) in paths {
        let concrete = path.replace("{id}", "20003").replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        for (name, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(name.to_uppercase().as_bytes()).unwrap();
            let response = reqwest::Client::new().request(method.clone(), server.url(&concrete)).bearer_auth(&sam).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert!(status != 405 && body["detail"] != "Not found.", "{method} {path}: {status} {body}");
            assert!(status < 500, "{method} {path}: {status} {body}");
            assert!(operation["responses"].get(status.to_string()).is_some(), "{method} {path}: {status} is not documented");
        }
    }
    // Errors are documented as `{"detail"}`, and a body-less write as 415.
    let create = &paths["/api/v1/organizations"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "409", "413", "415"] {
        assert_eq!(create[status]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorDetail", "{status}");
    }
    assert_eq!(create["201"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Organization");
    let (status, _) = call(&server, Method::POST, "/api/v1/organizations", Some(&sam), None).await;
    assert_eq!(status, 415);
    test.remove().await;
}
