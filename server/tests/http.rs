//! The server over HTTP: health, API-route errors in JSON, the console page.

mod common;

use common::Server;
use jhe_core::testing::TestDatabase;

#[tokio::test]
async fn health_answers_without_credentials() {
    let test = TestDatabase::create().await;
    let server = Server::start(&test).await;
    let response = reqwest::get(format!("{}/health", server.base)).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    drop(server);
    test.remove().await;
}

#[tokio::test]
async fn unknown_api_routes_answer_json_not_html() {
    let test = TestDatabase::create().await;
    let server = Server::start(&test).await;
    for path in ["/api/v1/nothing-here", "/o/nothing"] {
        let response = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["detail"], "Not found.", "{path}");
    }
    for path in ["/FHIR/R5/Nothing", "/fhir/r5/Nothing", "/FHIR/R5/Observation/1/extra"] {
        let response = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-type"], "application/fhir+json", "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["resourceType"], "OperationOutcome", "{path}");
    }
    drop(server);
    test.remove().await;
}

#[tokio::test]
async fn the_console_renders_on_the_server() {
    let test = TestDatabase::create().await;
    // The static files as the build copies them into the site (`public/`).
    let site = concat!(env!("CARGO_MANIFEST_DIR"), "/../public");
    let server = Server::start_with(&test, &[("LEPTOS_SITE_ROOT", site)]).await;
    // Signed out, the home page is the sign-in form.
    let response = reqwest::get(&server.base).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/accounts/login");
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Log In · jhe</title>"), "{html}");
    // `jhe.js`, or `jhe.<content hash>.js` from a release build.
    let bundle = html.match_indices("/pkg/jhe.").any(|(at, _)| html[at..].split(['"', '\'']).next().is_some_and(|name| name.ends_with(".js")));
    assert!(bundle, "the page loads the hydration bundle");
    assert!(html.contains("/vendor/uplot/uPlot.iife.min.js"), "and the chart library");
    let missing = reqwest::get(format!("{}/no/such/page", server.base)).await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-store");
    let html = missing.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains("<title>Page not found · jhe</title>"), "{html}");
    let library = reqwest::get(format!("{}/vendor/uplot/uPlot.iife.min.js", server.base)).await.unwrap();
    assert_eq!(library.status(), 200);
    assert_eq!(library.headers()["cache-control"], "no-cache");
    drop(server);
    test.remove().await;
}

#[tokio::test]
async fn console_pages_run_only_scripts_carrying_their_own_nonce() {
    let test = TestDatabase::create().await;
    let server = Server::start(&test).await;
    let mut nonces = Vec::new();
    for path in ["/", "/accounts/login", "/no/such/page"] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let html = response.text().await.unwrap();
        let script_src = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).expect(&policy);
        assert!(script_src.contains("'self'") && script_src.contains("'wasm-unsafe-eval'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-inline") && !script_src.contains("'unsafe-eval'"), "{path}: {policy}");
        assert!(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        let nonce = script_src.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect(&policy).to_owned();
        assert!(nonce.len() >= 16, "{path}: a nonce of at least 128 bits: {nonce}");
        let scripts: Vec<&str> = html.split("<script").skip(1).map(|tag| tag.split('>').next().unwrap()).collect();
        assert!(!scripts.is_empty(), "{path}: the page hydrates with a script");
        for tag in scripts {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: a script without the page's nonce: <script{tag}>");
        }
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "every page gets a fresh nonce");
    drop(server);
    test.remove().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let test = TestDatabase::create().await;
    let server = Server::start(&test).await;
    for path in ["/", "/health", "/api/v1/users/profile", "/FHIR/R5/metadata", "/no/such/page", "/api/v1/nothing"] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
    }
    drop(server);
    test.remove().await;
}
