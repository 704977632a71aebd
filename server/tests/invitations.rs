//! Patient invitation links over HTTP (the reference's walkthrough D2,
//! steps 4–8): create, redeem, exchange the code with PKCE, re-redeem within
//! the window, reissue, and the refusals.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Server, seeded, token_for};
use serde_json::{Value, json};

async fn invite(server: &Server, token: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new().post(server.url("/api/v1/invitation")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn redeem(server: &Server, token: &str) -> reqwest::Response {
    reqwest::Client::new().post(server.url(&format!("/api/v1/invitation/{token}"))).send().await.unwrap()
}

#[tokio::test]
async fn an_invitation_link_signs_the_patients_app_in() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");

    let response = invite(&server, &mary, json!({"patient_id": 40001, "client_id": 1, "send_email": false})).await;
    assert_eq!(response.status(), 201);
    let invitation: Value = response.json().await.unwrap();
    assert_eq!(invitation["status"], "issued");
    assert_eq!(invitation["patientId"], 40001);
    assert_eq!(invitation["client_id"], 1);
    let token = invitation["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 32);
    let link = invitation["invitationLink"].as_str().unwrap();
    // The seed's site URL is http://127.0.0.1:8000; CareX's invitation URL takes the code.
    let port = server.base.rsplit(':').next().unwrap();
    assert_eq!(link, format!("https://carex.ai/invitation/127.0.0.1%3A{port}_{token}"));

    let response = redeem(&server, &token).await;
    assert_eq!(response.status(), 200);
    let redeemed: Value = response.json().await.unwrap();
    let grant = &redeemed["grant"];
    assert_eq!(grant["grant_type"], "authorization_code");
    assert_eq!(redeemed["token_endpoint"], server.url("/o/token/"));
    let verifier = URL_SAFE_NO_PAD.encode(token.as_bytes());
    let response = reqwest::Client::new()
        .post(server.url("/o/token/"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", grant["code"].as_str().unwrap()),
            ("redirect_uri", grant["redirect_uri"].as_str().unwrap()),
            ("client_id", grant["client_id"].as_str().unwrap()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["scope"], "openid email");
    let access = tokens["access_token"].as_str().unwrap();
    let profile: Value = reqwest::Client::new()
        .get(server.url("/api/v1/users/profile"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["userType"], "patient");
    assert_eq!(profile["patient"]["id"], 40001);
    assert!(profile.get("email").is_none(), "no PHI in the patient's profile: {profile}");

    // Within the window the same link works again, with a new code.
    let again: Value = redeem(&server, &token).await.json().await.unwrap();
    assert_ne!(again["grant"]["code"], grant["code"]);

    // A new link for the same patient and app retires the old one.
    let second: Value = invite(&server, &mary, json!({"patientId": 40001, "client_id": 1})).await.json().await.unwrap();
    assert_eq!(redeem(&server, &token).await.status(), 409);
    assert_eq!(redeem(&server, second["token"].as_str().unwrap()).await.status(), 200);
    let unknown = redeem(&server, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.json::<Value>().await.unwrap()["detail"], "Invitation not found or already used.");

    // The history, newest first.
    let history: Value = reqwest::Client::new()
        .get(server.url("/api/v1/patients/40001/invitations"))
        .bearer_auth(&mary)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = history["results"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["redeemed", "reissued"], "the second link, then the first");
    assert!(history["results"][0]["token"].is_null(), "tokens are never shown again");
    test.remove().await;
}

#[tokio::test]
async fn only_managers_and_members_of_the_patients_organization_invite() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let body = json!({"patient_id": 40001, "client_id": 1});
    for (email, status) in [
        ("megan@example.com", 201),
        ("sam@example.com", 201),
        ("victor@example.com", 403),
        ("mark@example.com", 403),
        ("peter@example.com", 403),
    ] {
        let response = invite(&server, &token_for(&test, email), body.clone()).await;
        assert_eq!(response.status(), status, "{email}");
    }
    let anonymous = reqwest::Client::new().post(server.url("/api/v1/invitation")).json(&body).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    let mary = token_for(&test, "mary@example.com");
    for (body, status, needle) in [
        (json!({"client_id": 1}), 400, "patient_id"),
        (json!({"patient_id": 40001}), 400, "client_id"),
        (json!({"patient_id": 40001, "clientId": 1}), 400, "client_id"),
        (json!({"patient_id": 49999, "client_id": 1}), 404, "Patient"),
        (json!({"patient_id": 40001, "client_id": 999}), 404, "Application"),
        (json!({"patient_id": 40001, "client_id": 4}), 400, "no invitation URL"),
        (json!({"patient_id": "x", "client_id": 1}), 400, "patient_id: invalid type"),
    ] {
        let response = invite(&server, &mary, body.clone()).await;
        assert_eq!(response.status(), status, "{body}");
        let detail: Value = response.json().await.unwrap();
        assert!(detail["detail"].as_str().unwrap().contains(needle), "{body}: {detail}");
    }
    let malformed = reqwest::Client::new()
        .post(server.url("/api/v1/invitation"))
        .bearer_auth(&mary)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    test.remove().await;
}

#[tokio::test]
async fn an_expired_link_is_gone() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let invitation: Value = invite(&server, &mary, json!({"patient_id": 40002, "client_id": 2})).await.json().await.unwrap();
    // Move the expiry into the past, as seven days would.
    test.execute("UPDATE patient_invitations SET expires = 0 WHERE id = $1", invitation["id"].as_i64().unwrap()).await;
    let response = redeem(&server, invitation["token"].as_str().unwrap()).await;
    assert_eq!(response.status(), 410);
    assert_eq!(response.json::<Value>().await.unwrap()["detail"], "Invitation has expired.");
    test.remove().await;
}
