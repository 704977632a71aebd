//! Running `jhe` as a user would: the real binary, over HTTP and the CLI.
#![allow(dead_code)]

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use jhe_core::testing::TestDatabase;

pub const PASSWORD: &str = "Jhe1234!";

/// Runs `jhe` against a test database.
pub fn jhe(test: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jhe"))
        .args(args)
        .env("DATABASE_URL", &test.url)
        .env("JHE_DATA_DIR", test.dir())
        .env_remove("JHE_SITE_URL")
        .output()
        .expect("run jhe")
}

/// Runs a command that must succeed; returns its standard output.
pub fn jhe_ok(test: &TestDatabase, args: &[&str]) -> String {
    let output = jhe(test, args);
    assert!(output.status.success(), "jhe {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A bearer token for a user, issued with `jhe token issue`.
pub fn token_for(test: &TestDatabase, email: &str) -> String {
    jhe_ok(test, &["token", "issue", "--email", email]).trim().to_owned()
}

/// A `jhe serve` process on a free loopback port, stopped on drop.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(test: &TestDatabase) -> Server {
        Server::start_with(test, &[]).await
    }

    pub async fn start_with(test: &TestDatabase, env: &[(&str, &str)]) -> Server {
        Server::spawn(test, env, Stdio::null()).await
    }

    /// A server whose log (standard error) goes to `log`.
    pub async fn start_logging(test: &TestDatabase, env: &[(&str, &str)], log: &std::path::Path) -> Server {
        Server::spawn(test, env, std::fs::File::create(log).expect("create the log").into()).await
    }

    async fn spawn(test: &TestDatabase, env: &[(&str, &str)], stderr: Stdio) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_jhe"));
        command
            .args(["serve", "--port", &port.to_string()])
            .env("DATABASE_URL", &test.url)
            .env("JHE_DATA_DIR", test.dir())
            .env_remove("JHE_SITE_URL")
            // Many servers run at once in the suite; PostgreSQL allows 100 connections.
            .env("JHE_DB_MAX_CONNECTIONS", "4")
            .stdout(Stdio::null())
            .stderr(stderr);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start jhe serve");
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        for _ in 0..400 {
            if reqwest::get(format!("{}/health", server.base)).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("jhe serve did not answer on {}", server.base);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the console's log-in server function.
    pub async fn log_in(&self, browser: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        browser
            .post(self.url("/console/api/log_in"))
            .header("Origin", &self.base)
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh database with the demo data.
pub async fn seeded() -> TestDatabase {
    let test = TestDatabase::create().await;
    jhe_ok(&test, &["seed"]);
    test
}

/// Calls the API; returns the status and the JSON body (`null` when empty).
pub async fn call(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().request(method, server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = if text.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}")) };
    (status, json)
}
