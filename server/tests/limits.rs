//! Limits and transport over HTTP: attempts at secrets are rate-limited per
//! client address (429), slow requests time out (408), and `X-Forwarded-*`
//! headers count only from a trusted proxy (client address, Secure cookies,
//! the CSRF origin check).

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{PASSWORD, Server, seeded, token_for};
use serde_json::Value;

async fn token_attempt(server: &Server, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(server.url("/o/token/"))
        .form(&[("grant_type", "client_credentials"), ("client_id", "nobody"), ("client_secret", "guess")]);
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn attempts_at_secrets_are_limited_per_client_address() {
    let test = seeded().await;
    let server = Server::start_with(&test, &[("JHE_AUTH_RATE_LIMIT", "3")]).await;
    for _ in 0..3 {
        assert_eq!(token_attempt(&server, None).await.status(), 401);
    }
    let refused = token_attempt(&server, None).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "a budget of 3 a minute refills one every 20 s: {wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(body["error_description"].as_str().unwrap().starts_with("too many requests from this address"), "{body}");

    // The budget is shared by every endpoint that takes a secret.
    let redeem = reqwest::Client::new().post(server.url(&format!("/api/v1/invitation/{}", "a".repeat(32)))).send().await.unwrap();
    assert_eq!(redeem.status(), 429);
    assert!(redeem.headers().contains_key("retry-after"));
    let body: Value = redeem.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("try again in"), "{body}");
    let browser = server.browser();
    let log_in = server.log_in(&browser, "mary@example.com", PASSWORD).await;
    assert_eq!(log_in.status(), 429, "even the right password waits");
    // Other routes are not limited.
    assert_eq!(reqwest::get(server.url("/health")).await.unwrap().status(), 200);

    // X-Forwarded-For from an untrusted peer is ignored: it is the same client.
    assert_eq!(token_attempt(&server, Some("203.0.113.50")).await.status(), 429);
    test.remove().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let test = seeded().await;
    let server = Server::start_with(&test, &[("JHE_AUTH_RATE_LIMIT", "1"), ("JHE_TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert_eq!(token_attempt(&server, Some("203.0.113.1")).await.status(), 401);
    assert_eq!(token_attempt(&server, Some("203.0.113.1")).await.status(), 429);
    assert_eq!(token_attempt(&server, Some("203.0.113.2")).await.status(), 401);
    // A client cannot pick its address by prepending to the proxy's list.
    assert_eq!(token_attempt(&server, Some("198.51.100.9, 203.0.113.2")).await.status(), 429);
    test.remove().await;
}

/// Signs in through a proxy that says how the client reached it.
async fn log_in_via_proxy(server: &Server, proto: &str, host: &str) -> reqwest::Response {
    server.browser()
        .post(server.url("/console/api/log_in"))
        .header("Origin", format!("{proto}://{host}"))
        .header("X-Forwarded-Proto", proto)
        .header("X-Forwarded-Host", host)
        .form(&[("email", "mary@example.com"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap()
}

fn session_cookie(response: &reqwest::Response) -> String {
    response.headers().get_all("set-cookie").iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("jhe_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn cookies_are_secure_when_a_trusted_proxy_says_https() {
    let test = seeded().await;
    let proxied = Server::start_with(&test, &[("JHE_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let over_https = log_in_via_proxy(&proxied, "https", "jhe.example.org").await;
    assert_eq!(over_https.status(), 200, "the Origin matches the forwarded host, so the CSRF check passes");
    assert!(session_cookie(&over_https).contains("; Secure"), "{}", session_cookie(&over_https));
    let over_http = log_in_via_proxy(&proxied, "http", "jhe.example.org").await;
    assert_eq!(over_http.status(), 200);
    assert!(!session_cookie(&over_http).contains("Secure"));

    // Without a trusted proxy the headers mean nothing: the forwarded host is
    // not this site, so a cookie-carrying write from that Origin is refused.
    let direct = Server::start(&test).await;
    let browser = direct.browser();
    assert_eq!(direct.log_in(&browser, "mary@example.com", PASSWORD).await.status(), 200);
    let cross_site = browser
        .post(direct.url("/console/api/log_out"))
        .header("Origin", "https://jhe.example.org")
        .header("X-Forwarded-Host", "jhe.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let plain = log_in_via_proxy(&direct, "https", &direct.base.trim_start_matches("http://").to_owned()).await;
    assert!(!session_cookie(&plain).contains("Secure"), "X-Forwarded-Proto from an untrusted peer is ignored");
    test.remove().await;
}

#[tokio::test]
async fn a_request_slower_than_the_timeout_gets_408() {
    let test = seeded().await;
    let server = Server::start_with(&test, &[("JHE_REQUEST_TIMEOUT", "1")]).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let token = token_for(&test, "peter@example.com");
    // A client that announces a body and then stalls (a slow upload).
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "POST /FHIR/R5/Observation HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
            Connection: close\r\nContent-Type: application/fhir+json\r\nContent-Length: 1000\r\n\r\n{{\"resourceType\":").unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    })
    .await
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("application/fhir+json"), "{response}");
    assert!(response.contains("longer than this server allows (1 seconds"), "{response}");
    assert!(response.contains("\"timeout\""), "an OperationOutcome with code timeout: {response}");
    test.remove().await;
}
