//! Two `jhe serve` replicas on one database, with a client alternating
//! between them as a round-robin balancer would: sessions, tokens,
//! invitation redemption, data-type changes and paging cursors all carry
//! over, because every replica keeps its state in the database alone.

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{PASSWORD, Server, call, seeded, token_for};
use reqwest::Method;
use serde_json::{Value, json};

async fn current_user(server: &Server, browser: &reqwest::Client) -> Value {
    let response = browser.post(server.url("/console/api/current_user")).header("Origin", &server.base).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The path and query of a link one replica handed out, to send to another.
fn path_of(link: &str) -> String {
    let url = reqwest::Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// A reading of the test's custom data type, as an Observation of Peter's.
fn reading(n: u32, body: Value) -> Value {
    let point = json!({
        "header": {"uuid": format!("00000000-0000-4000-8000-{n:012}"), "schema_id": {"namespace": "replica", "name": "reading", "version": "1.0"},
                   "source_creation_date_time": "2025-05-01T08:00:00Z", "modality": "sensed"},
        "body": body,
    });
    json!({
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "urn:jhe-test", "code": "replica-reading"}]},
        "subject": {"reference": "Patient/40001"}, "device": {"reference": "Device/70001"},
        "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(point.to_string())}
    })
}

#[tokio::test]
async fn two_replicas_on_one_database_act_as_one() {
    let test = seeded().await;
    let (a, b) = (Server::start(&test).await, Server::start(&test).await);
    let (sam, mary, peter) = (token_for(&test, "sam@example.com"), token_for(&test, "mary@example.com"), token_for(&test, "peter@example.com"));

    // A console session begun on one replica is known to the other, and
    // ending it on the other ends it everywhere.
    let browser = a.browser();
    assert_eq!(a.log_in(&browser, "mary@example.com", PASSWORD).await.status(), 200);
    assert_eq!(current_user(&b, &browser).await["email"], "mary@example.com");
    let response = browser.post(b.url("/console/api/log_out")).header("Origin", &b.base).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(current_user(&a, &browser).await, Value::Null);

    // An invitation made on A is redeemed on B; its code is exchanged on A;
    // the access token works on B; the refresh token rotates on B and the
    // old one is refused on A.
    let (status, invitation) = call(&a, Method::POST, "/api/v1/invitation", Some(&mary), Some(json!({"patient_id": 40001, "client_id": 1}))).await;
    assert_eq!(status, 201, "{invitation}");
    let link_token = invitation["token"].as_str().unwrap();
    let (status, redeemed) = call(&b, Method::POST, &format!("/api/v1/invitation/{link_token}"), None, None).await;
    assert_eq!(status, 200, "{redeemed}");
    let grant = &redeemed["grant"];
    let client_id = grant["client_id"].as_str().unwrap();
    let token_request = |server: &Server, form: Vec<(&'static str, String)>| {
        let url = server.url("/o/token/");
        async move { reqwest::Client::new().post(url).form(&form).send().await.unwrap() }
    };
    let response = token_request(&a, vec![
        ("grant_type", "authorization_code".into()),
        ("code", grant["code"].as_str().unwrap().into()),
        ("redirect_uri", grant["redirect_uri"].as_str().unwrap().into()),
        ("client_id", client_id.into()),
        ("code_verifier", URL_SAFE_NO_PAD.encode(link_token.as_bytes())),
    ])
    .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    let (status, profile) = call(&b, Method::GET, "/api/v1/users/profile", tokens["access_token"].as_str(), None).await;
    assert_eq!((status, &profile["patient"]["id"]), (200, &json!(40001)));
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let refreshing = |refresh: String| vec![("grant_type", "refresh_token".into()), ("refresh_token", refresh), ("client_id", client_id.to_owned())];
    let response = token_request(&b, refreshing(refresh.clone())).await;
    assert_eq!(response.status(), 200);
    let rotated: Value = response.json().await.unwrap();
    assert_eq!(call(&a, Method::GET, "/api/v1/users/profile", rotated["access_token"].as_str(), None).await.0, 200);
    assert_eq!(token_request(&a, refreshing(refresh)).await.status(), 400, "the old refresh token is spent on every replica");

    // A data type registered on A validates uploads on B; when A tightens
    // its schema, B's next upload is held to the new one.
    let (status, data_type) = call(&a, Method::POST, "/api/v1/data_types", Some(&sam), Some(json!({
        "codingSystem": "urn:jhe-test", "codingCode": "replica-reading", "text": "Replica reading",
        "schema": {"type": "object", "required": ["reading"]}
    }))).await;
    assert_eq!(status, 201, "{data_type}");
    let type_id = data_type["id"].as_i64().unwrap();
    let (status, _) = call(&b, Method::POST, "/api/v1/studies/30001/scope_requests", Some(&mary), Some(json!({"scope_code_id": type_id}))).await;
    assert_eq!(status, 201);
    let consent = json!({"studyScopeConsents": [{"studyId": 30001, "scopeConsents": [
        {"codingSystem": "urn:jhe-test", "codingCode": "replica-reading", "consented": true}]}]});
    assert_eq!(call(&a, Method::POST, "/api/v1/patients/40001/consents", Some(&peter), Some(consent)).await.0, 201);
    let (status, created) = call(&b, Method::POST, "/FHIR/R5/Observation", Some(&peter), Some(reading(1, json!({"reading": 5})))).await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = call(&a, Method::PATCH, &format!("/api/v1/data_types/{type_id}"), Some(&sam), Some(json!({
        "schema": {"type": "object", "required": ["reading", "unit"]}
    }))).await;
    assert_eq!(status, 200);
    let (status, refused) = call(&b, Method::POST, "/FHIR/R5/Observation", Some(&peter), Some(reading(2, json!({"reading": 6})))).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["issue"][0]["diagnostics"].as_str().unwrap().contains("unit"), "{refused}");

    // Paging: each next link, followed on the other replica, continues
    // where the last page ended, and the pages add up to the whole search.
    let search = "/FHIR/R5/Observation?patient=40001&_count=1";
    let (_, everything) = call(&a, Method::GET, "/FHIR/R5/Observation?patient=40001&_count=100", Some(&mary), None).await;
    let expected: Vec<Value> = everything["entry"].as_array().unwrap().iter().map(|e| e["resource"]["id"].clone()).collect();
    assert!(expected.len() >= 3, "several pages: {}", expected.len());
    let (mut seen, mut next, mut turn) = (Vec::new(), Some(search.to_owned()), 0);
    while let Some(path) = next {
        let replica = if turn % 2 == 0 { &a } else { &b };
        let (status, page) = call(replica, Method::GET, &path, Some(&mary), None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(page["entry"].as_array().unwrap().iter().map(|e| e["resource"]["id"].clone()));
        next = page["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next").map(|l| path_of(l["url"].as_str().unwrap()));
        turn += 1;
    }
    assert_eq!(seen, expected);
    assert!(turn >= 3, "the pages came from both replicas");
    test.remove().await;
}
