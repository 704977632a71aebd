//! `jupyterhealth-client` (from PyPI, unmodified) against a running jhe,
//! with a real token. The Python with the client installed comes from
//! `JHE_TEST_PYTHON` (scripts/test prepares one); without it the test says
//! so and skips, except under CI, where it must run.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, seeded, token_for};
use serde_json::json;

#[tokio::test]
async fn jupyterhealth_client_works_unmodified() {
    let Some(python) = std::env::var_os("JHE_TEST_PYTHON") else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "JHE_TEST_PYTHON is required under CI");
        eprintln!("skipping: set JHE_TEST_PYTHON to a Python with jupyterhealth-client installed");
        return;
    };
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    // 2,500 heart rates for Pamela, in transaction Bundles of 500.
    for chunk in 0..5 {
        let entries: Vec<_> = (0..500)
            .map(|i| {
                let n = chunk * 500 + i;
                let at = format!("2025-07-{:02}T{:02}:{:02}:00Z", n / 1440 + 1, n / 60 % 24, n % 60);
                let point = json!({
                    "header": {"uuid": "2d3e9f1c-5b6a-4c1d-8e2f-3a4b5c6d7e8f", "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                               "source_creation_date_time": at},
                    "body": {"heart_rate": {"value": 50 + n % 50, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}}
                });
                json!({"request": {"method": "POST", "url": "Observation"}, "resource": {
                    "resourceType": "Observation", "status": "final",
                    "code": {"coding": [{"system": "https://w3id.org/openmhealth", "code": "omh:heart-rate:2.0"}]},
                    "subject": {"reference": "Patient/40002"}, "device": {"reference": "Device/70001"},
                    "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(point.to_string())}
                }})
            })
            .collect();
        let response = reqwest::Client::new()
            .post(server.url("/FHIR/R5"))
            .bearer_auth(&mary)
            .json(&json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/client_compat.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .env("JHE_URL", &server.base)
        .env("JHE_TOKEN", &mary)
        .output()
        .await
        .expect("run the Python client");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "jupyterhealth-client failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("all checks passed"), "{stdout}");
    test.remove().await;
}
