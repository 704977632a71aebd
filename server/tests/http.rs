//! The server over HTTP: health, API-route errors in JSON, the console page.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jhe_core::testing::TestDatabase;

/// A `jhe serve` process on a free loopback port, stopped on drop.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(test: &TestDatabase) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_jhe"))
            .args(["serve", "--port", &port.to_string()])
            .env("DATABASE_URL", &test.url)
            .env("JHE_DATA_DIR", test.dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start jhe serve");
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        for _ in 0..200 {
            if reqwest::get(format!("{}/health", server.base)).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("jhe serve did not answer on {}", server.base);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
    for path in ["/api/v1/nothing-here", "/FHIR/R5/Nothing", "/fhir/r5/Nothing", "/o/nothing"] {
        let response = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["detail"], "Not found.", "{path}");
    }
    drop(server);
    test.remove().await;
}

#[tokio::test]
async fn the_console_renders_on_the_server() {
    let test = TestDatabase::create().await;
    let server = Server::start(&test).await;
    let response = reqwest::get(&server.base).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("jhe console"), "{html}");
    assert!(html.contains("Check server"));
    assert!(html.contains("/pkg/jhe.js"), "the page loads the hydration bundle");
    let missing = reqwest::get(format!("{}/no/such/page", server.base)).await.unwrap();
    assert_eq!(missing.status(), 404);
    drop(server);
    test.remove().await;
}
