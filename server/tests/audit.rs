//! The audit trail over HTTP: sign-ins (and failed ones), invitation
//! redemptions, token grants and reads of observations are recorded with who,
//! which patient and how many records; only super users read the trail.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{PASSWORD, Server, call, seeded, token_for};
use reqwest::Method;
use serde_json::{Value, json};

async fn trail(server: &Server, token: &str, query: &str) -> Vec<Value> {
    let (status, page) = call(server, Method::GET, &format!("/api/v1/audit_events?{query}"), Some(token), None).await;
    assert_eq!(status, 200, "{page}");
    page["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn who_signed_in_got_tokens_and_read_which_patients_data() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let sam = token_for(&test, "sam@example.com");
    let mary = token_for(&test, "mary@example.com");

    // A failed and a successful console sign-in.
    let browser = server.browser();
    assert_eq!(server.log_in(&browser, "mary@example.com", "wrong").await.status(), 401);
    assert_eq!(server.log_in(&browser, "mary@example.com", PASSWORD).await.status(), 200);
    let logins = trail(&server, &sam, "action=login").await;
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!(logins[0]["actorEmail"], "mary@example.com");
    assert_eq!(logins[0]["detail"], json!({"method": "password", "address": "127.0.0.1"}));
    let failed = trail(&server, &sam, "action=login.failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["actorUserId"], Value::Null, "a failed sign-in has no known actor");
    assert_eq!(failed[0]["objectId"], logins[0]["actorUserId"].to_string(), "the account it was tried on");

    // Reads of observations: one event per patient, with the number shown.
    let (status, bundle) = call(&server, Method::GET, "/FHIR/R5/Observation?_count=1000", Some(&mary), None).await;
    assert_eq!(status, 200);
    let mut shown: std::collections::BTreeMap<i64, i64> = Default::default();
    for entry in bundle["entry"].as_array().unwrap() {
        let patient: i64 = entry["resource"]["subject"]["reference"].as_str().unwrap().trim_start_matches("Patient/").parse().unwrap();
        *shown.entry(patient).or_default() += 1;
    }
    assert!(!shown.is_empty(), "the seed has consented observations for mary to read");
    let reads = trail(&server, &sam, "action=observation.read").await;
    let recorded: std::collections::BTreeMap<i64, i64> = reads.iter()
        .map(|e| (e["patientId"].as_i64().unwrap(), e["detail"]["records"].as_i64().unwrap()))
        .collect();
    assert_eq!(recorded, shown);
    assert!(reads.iter().all(|e| e["actorEmail"] == "mary@example.com" && e["detail"]["via"] == "FHIR search"));
    let (status, _) = call(&server, Method::GET, "/api/v1/observations?patient_id=40001", Some(&mary), None).await;
    assert_eq!(status, 200);
    let reads = trail(&server, &sam, "action=observation.read&patient_id=40001").await;
    assert_eq!(reads[0]["detail"]["via"], "observation list", "newest first");
    // A search that shows nothing records nothing.
    let (status, _) = call(&server, Method::GET, "/FHIR/R5/Observation?patient=40001&_lastUpdated=lt2000-01-01", Some(&mary), None).await;
    assert_eq!(status, 200);
    assert_eq!(trail(&server, &sam, "action=observation.read").await.len(), reads.len() + shown.len() - 1);

    // An invitation redeemed, then its code exchanged for tokens.
    let (status, invitation) = call(&server, Method::POST, "/api/v1/invitation", Some(&mary),
        Some(json!({"patient_id": 40001, "client_id": 1}))).await;
    assert_eq!(status, 201);
    let token = invitation["token"].as_str().unwrap();
    let (status, redeemed) = call(&server, Method::POST, &format!("/api/v1/invitation/{token}"), None, None).await;
    assert_eq!(status, 200);
    let grant = &redeemed["grant"];
    let response = reqwest::Client::new().post(server.url("/o/token/")).form(&[
        ("grant_type", "authorization_code"),
        ("code", grant["code"].as_str().unwrap()),
        ("redirect_uri", grant["redirect_uri"].as_str().unwrap()),
        ("client_id", grant["client_id"].as_str().unwrap()),
        ("code_verifier", URL_SAFE_NO_PAD.encode(token.as_bytes()).as_str()),
    ]).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let redemptions = trail(&server, &sam, "action=invitation.redeem").await;
    assert_eq!(redemptions.len(), 1);
    assert_eq!(redemptions[0]["patientId"], 40001);
    assert_eq!(redemptions[0]["objectId"], invitation["id"].to_string());
    let grants = trail(&server, &sam, "action=token.grant").await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["actorEmail"], "peter@example.com");
    assert_eq!(grants[0]["detail"]["grantType"], "authorization_code");
    assert_eq!(grants[0]["detail"]["clientId"], grant["client_id"]);

    // Filters: by actor, and by time.
    let peter_id = grants[0]["actorUserId"].as_i64().unwrap();
    let by_peter = trail(&server, &sam, &format!("user_id={peter_id}")).await;
    assert!(by_peter.iter().all(|e| e["actorUserId"] == peter_id));
    assert!(by_peter.len() >= 2, "the redemption and the grant: {by_peter:?}");
    assert!(trail(&server, &sam, "since=2999-01-01T00:00:00Z").await.is_empty());
    assert!(!trail(&server, &sam, "until=2999-01-01T00:00:00Z").await.is_empty());
    test.remove().await;
}

#[tokio::test]
async fn only_super_users_read_the_trail_and_bad_filters_are_named() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let sam = token_for(&test, "sam@example.com");
    for email in ["mary@example.com", "peter@example.com"] {
        let token = token_for(&test, email);
        let (status, body) = call(&server, Method::GET, "/api/v1/audit_events", Some(&token), None).await;
        assert_eq!((status, body["detail"].as_str()), (403, Some("Only super users may read the audit trail.")), "{email}");
    }
    let (status, _) = call(&server, Method::GET, "/api/v1/audit_events", None, None).await;
    assert_eq!(status, 401);
    for (query, named) in [("action=steal", "action"), ("since=yesterday", "since"), ("patient_id=x", "patient_id")] {
        let (status, body) = call(&server, Method::GET, &format!("/api/v1/audit_events?{query}"), Some(&sam), None).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().starts_with(named), "{query}: {body}");
    }
    test.remove().await;
}
