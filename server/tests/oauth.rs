//! The OAuth 2.0 / OpenID Connect provider over HTTP: authorization code
//! with PKCE, refresh rotation, client credentials, revocation, userinfo,
//! introspection and discovery. ID tokens are checked with an independent
//! JOSE library against the published JWKS.

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{PASSWORD, Server, seeded, token_for};
use jhe_core::store::clients;
use jhe_core::testing::TestDatabase;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const VERIFIER: &str = "a-long-enough-pkce-verifier-with-43-characters-or-more";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The seeded console client (public, authorization code).
async fn console_client(test: &TestDatabase) -> String {
    let db = test.connect().await;
    let mut tx = db.begin().await.unwrap();
    let all = clients::list(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    all.into_iter().find(|c| c.name == "JHE Admin UI").unwrap().client_id
}

/// The redirect URI the seed registers (the seed's default site URL).
const REDIRECT: &str = "http://127.0.0.1:8000/auth/callback";

fn authorize_url(server: &Server, client_id: &str, redirect: &str, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&server.url("/o/authorize/")).unwrap();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email")
            .append_pair("state", "xyz")
            .append_pair("nonce", "n-0S6_WzA2Mj")
            .append_pair("code_challenge", &challenge(VERIFIER))
            .append_pair("code_challenge_method", "S256");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

/// Signs in as `email` and runs the authorization request; returns the code.
async fn authorization_code(server: &Server, browser: &reqwest::Client, client_id: &str) -> String {
    let response = browser.get(authorize_url(server, client_id, REDIRECT, &[])).send().await.unwrap();
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = url::Url::parse(&location).unwrap();
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], "xyz");
    pairs["code"].clone()
}

async fn exchange(server: &Server, client_id: &str, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url("/o/token/"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("client_id", client_id),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn signed_in_browser(server: &Server, email: &str) -> reqwest::Client {
    let browser = server.browser();
    assert_eq!(server.log_in(&browser, email, PASSWORD).await.status(), 200);
    browser
}

async fn profile_status(server: &Server, token: &str) -> reqwest::Response {
    reqwest::Client::new().get(server.url("/api/v1/users/profile")).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn authorization_code_with_pkce_gives_tokens_and_an_id_token_that_verifies_against_the_jwks() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let client_id = console_client(&test).await;

    // Without a session the user is sent to the log-in page, and back after.
    let anonymous = server.browser();
    let response = anonymous.get(authorize_url(&server, &client_id, REDIRECT, &[])).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let login = response.headers()["location"].to_str().unwrap();
    assert!(login.starts_with("/accounts/login?next=%2Fo%2Fauthorize%2F%3F"), "{login}");

    let browser = signed_in_browser(&server, "mary@example.com").await;
    let code = authorization_code(&server, &browser, &client_id).await;
    assert_eq!(code.len(), 30);
    let (status, tokens) = exchange(&server, &client_id, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 1_209_600);
    assert_eq!(tokens["scope"], "openid email");
    let access = tokens["access_token"].as_str().unwrap();
    assert!(tokens["refresh_token"].as_str().unwrap().len() >= 30);

    // The ID token, checked with jsonwebtoken against the published keys.
    let jwks: Value = reqwest::get(server.url("/o/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let kid = header.kid.unwrap();
    let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid.as_str()).expect("kid published");
    assert_eq!((jwk["kty"].as_str(), jwk["alg"].as_str(), jwk["use"].as_str()), (Some("RSA"), Some("RS256"), Some("sig")));
    assert_eq!(kid, thumbprint(jwk), "kid is the RFC 7638 thumbprint");
    let key = jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[client_id.as_str()]);
    validation.set_issuer(&[server.url("/o").as_str()]);
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation).unwrap().claims;
    assert_eq!(claims["sub"], "10002");
    assert_eq!(claims["email"], "mary@example.com");
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access.as_bytes())[..16]);
    assert_eq!(claims["at_hash"], at_hash.as_str());

    // The access token works on the API and at userinfo.
    let profile: Value = profile_status(&server, access).await.json().await.unwrap();
    assert_eq!(profile["id"], 10002);
    let userinfo: Value = reqwest::Client::new()
        .get(server.url("/o/userinfo/"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo, json!({"sub": "10002", "email": "mary@example.com"}));
    test.remove().await;
}

fn thumbprint(jwk: &Value) -> String {
    let canonical = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, jwk["e"].as_str().unwrap(), jwk["n"].as_str().unwrap());
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[tokio::test]
async fn bad_verifiers_reused_and_expired_codes_and_wrong_redirects_are_refused() {
    let test = seeded().await;
    let server = Server::start_with(&test, &[("JHE_AUTHORIZATION_CODE_LIFETIME", "1")]).await;
    let client_id = console_client(&test).await;
    let browser = signed_in_browser(&server, "mary@example.com").await;

    // A wrong verifier.
    let code = authorization_code(&server, &browser, &client_id).await;
    let (status, body) = exchange(&server, &client_id, &code, "another-verifier-that-is-long-enough-to-count-here", REDIRECT).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // A wrong redirect URI at the token endpoint.
    let code = authorization_code(&server, &browser, &client_id).await;
    let (status, body) = exchange(&server, &client_id, &code, VERIFIER, "http://127.0.0.1:8000/elsewhere").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // A reused code: refused, and the tokens it gave are revoked.
    let code = authorization_code(&server, &browser, &client_id).await;
    let (status, first) = exchange(&server, &client_id, &code, VERIFIER, REDIRECT).await;
    assert_eq!(status, 200);
    let (status, body) = exchange(&server, &client_id, &code, VERIFIER, REDIRECT).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert_eq!(profile_status(&server, first["access_token"].as_str().unwrap()).await.status(), 401);

    // An expired code.
    let code = authorization_code(&server, &browser, &client_id).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let (status, body) = exchange(&server, &client_id, &code, VERIFIER, REDIRECT).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("expired"));

    // An unregistered redirect URI is shown an error, never redirected to.
    let response = browser
        .get(authorize_url(&server, &client_id, "https://evil.example/callback", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");

    // PKCE is required: without a challenge the client gets an error redirect.
    let mut url = url::Url::parse(&authorize_url(&server, &client_id, REDIRECT, &[])).unwrap();
    let kept: Vec<(String, String)> = url.query_pairs().into_owned().filter(|(k, _)| !k.starts_with("code_challenge")).collect();
    url.query_pairs_mut().clear().extend_pairs(kept);
    let response = browser.get(url.as_str()).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(REDIRECT) && location.contains("error=invalid_request") && location.contains("state=xyz"), "{location}");

    // An unknown client and an unsupported grant type.
    let (status, body) = exchange(&server, "nobody", "x", VERIFIER, REDIRECT).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
    let response = reqwest::Client::new()
        .post(server.url("/o/token/"))
        .form(&[("grant_type", "password"), ("client_id", client_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
    test.remove().await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_old_ones_stop_working() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let client_id = console_client(&test).await;
    let browser = signed_in_browser(&server, "megan@example.com").await;
    let code = authorization_code(&server, &browser, &client_id).await;
    let (_, first) = exchange(&server, &client_id, &code, VERIFIER, REDIRECT).await;

    let refresh = |token: String| {
        let (url, client_id) = (server.url("/o/token/"), client_id.clone());
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .form(&[("grant_type", "refresh_token"), ("refresh_token", token.as_str()), ("client_id", client_id.as_str())])
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, second) = refresh(first["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(profile_status(&server, second["access_token"].as_str().unwrap()).await.status(), 200);
    assert_eq!(profile_status(&server, first["access_token"].as_str().unwrap()).await.status(), 401);
    let (status, body) = refresh(first["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    test.remove().await;
}

#[tokio::test]
async fn missing_bad_and_revoked_tokens_get_401_with_a_bearer_challenge() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let response = reqwest::get(server.url("/api/v1/users/profile")).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], r#"Bearer realm="api""#);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"detail": "Authentication credentials were not provided."}));

    let response = profile_status(&server, "not-a-token").await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.contains(r#"error="invalid_token""#), "{challenge}");

    // An operator token from the CLI, then revoked with the CLI.
    let token = token_for(&test, "victor@example.com");
    assert_eq!(profile_status(&server, &token).await.status(), 200);
    assert!(common::jhe_ok(&test, &["token", "revoke", &token]).contains("revoked"));
    let response = profile_status(&server, &token).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let again = common::jhe(&test, &["token", "revoke", &token]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no such active token"));
    test.remove().await;
}

#[tokio::test]
async fn a_practitioners_api_key_acts_as_its_owner_until_deleted() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let http = reqwest::Client::new();
    let created = http
        .post(server.url("/api/v1/practitioner_clients"))
        .bearer_auth(&mary)
        .json(&json!({"label": "notebook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    let decoded = String::from_utf8(STANDARD.decode(&key).unwrap()).unwrap();
    let (client_id, client_secret) = decoded.split_once(':').unwrap();
    assert_eq!((client_id.len(), client_secret.len()), (16, 32));

    // Listed without the secret.
    let listed: Value = http.get(server.url("/api/v1/practitioner_clients")).bearer_auth(&mary).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["results"][0]["key"], Value::Null);
    assert_eq!(listed["results"][0]["label"], "notebook");

    let grant = |auth: String| {
        let url = server.url("/o/token/");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("Authorization", format!("Basic {auth}"))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap()
        }
    };
    let response = grant(key.clone()).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["scope"], "openid email");
    assert!(tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none());
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let profile: Value = profile_status(&server, &access).await.json().await.unwrap();
    assert_eq!(profile["id"], 10002, "the key acts as Mary");

    // Introspection by the confidential client.
    let introspection: Value = http
        .post(server.url("/o/introspect/"))
        .basic_auth(client_id, Some(client_secret))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["username"], "mary@example.com");
    let inactive: Value = http
        .post(server.url("/o/introspect/"))
        .basic_auth(client_id, Some(client_secret))
        .form(&[("token", "nonsense")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inactive, json!({"active": false}));

    // A wrong secret, then another practitioner's delete, then the owner's.
    let wrong = STANDARD.encode(format!("{client_id}:wrong"));
    let response = grant(wrong).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_client");
    let id = created["id"].as_i64().unwrap();
    let mark = token_for(&test, "mark@example.com");
    let response = http.delete(server.url(&format!("/api/v1/practitioner_clients/{id}"))).bearer_auth(&mark).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let response = http.delete(server.url(&format!("/api/v1/practitioner_clients/{id}"))).bearer_auth(&mary).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(grant(key).await.status(), 401);
    assert_eq!(profile_status(&server, &access).await.status(), 401, "its tokens end with it");

    // Patients have no API keys.
    let peter = token_for(&test, "peter@example.com");
    let response = http.post(server.url("/api/v1/practitioner_clients")).bearer_auth(&peter).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 403);
    test.remove().await;
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_access_token_too() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let client_id = console_client(&test).await;
    let browser = signed_in_browser(&server, "tom@example.com").await;
    let code = authorization_code(&server, &browser, &client_id).await;
    let (_, tokens) = exchange(&server, &client_id, &code, VERIFIER, REDIRECT).await;
    let response = reqwest::Client::new()
        .post(server.url("/o/revoke_token/"))
        .form(&[("token", tokens["refresh_token"].as_str().unwrap()), ("client_id", client_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(profile_status(&server, tokens["access_token"].as_str().unwrap()).await.status(), 401);
    test.remove().await;
}

#[tokio::test]
async fn discovery_documents_and_cors_match_the_reference() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let response = reqwest::get(server.url("/o/.well-known/openid-configuration")).await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let discovery: Value = response.json().await.unwrap();
    assert_eq!(discovery["issuer"], server.url("/o"));
    assert_eq!(discovery["authorization_endpoint"], server.url("/o/authorize/"));
    assert_eq!(discovery["token_endpoint"], server.url("/o/token/"));
    assert_eq!(discovery["userinfo_endpoint"], server.url("/o/userinfo/"));
    assert_eq!(discovery["jwks_uri"], server.url("/o/.well-known/jwks.json"));
    assert_eq!(discovery["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["RS256"]));

    let smart: Value = reqwest::get(server.url("/FHIR/R5/.well-known/smart-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(smart["token_endpoint"], server.url("/o/token/"));
    assert_eq!(smart["code_challenge_methods_supported"], json!(["S256"]));

    let preflight = reqwest::Client::new().request(reqwest::Method::OPTIONS, server.url("/o/token/")).send().await.unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-methods"], "GET, POST, OPTIONS");
    let api = reqwest::get(server.url("/api/v1/users/profile")).await.unwrap();
    assert!(api.headers().get("access-control-allow-origin").is_none(), "no CORS on the REST API");
    let health = reqwest::get(server.url("/health")).await.unwrap();
    assert!(health.headers().get("access-control-allow-origin").is_none());
    test.remove().await;
}

#[tokio::test]
async fn the_signing_key_survives_restarts_and_replicas_share_it() {
    let test = seeded().await;
    let first = Server::start(&test).await;
    let second = Server::start(&test).await;
    let a: Value = reqwest::get(first.url("/o/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
    let b: Value = reqwest::get(second.url("/o/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
    drop((first, second));
    let restarted = Server::start(&test).await;
    let c: Value = reqwest::get(restarted.url("/o/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
    assert_eq!(a["keys"][0]["kid"], b["keys"][0]["kid"]);
    assert_eq!(a, c);
    test.remove().await;
}
