//! How many SQL statements a single Observation upload costs, counted from
//! the server's own statement log, so that the number cannot creep back up.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, seeded, token_for};
use serde_json::{Value, json};

/// Statements per upload, as measured when this test was written: the
/// bearer token with its user (one), the checks (patient, organizations,
/// device, data type, consent), and the write (consent again inside it, the
/// id's reservation, the insert). PostgreSQL's log also shows the write's
/// COMMIT. Before the token and its user were read in one statement and the
/// checks outside a transaction, an upload took 13 on SQLite and 16 on
/// PostgreSQL.
const UPLOAD_BUDGET_SQLITE: usize = 9;
const UPLOAD_BUDGET_POSTGRES: usize = 10;

fn observation(n: usize) -> Value {
    let at = format!("2025-07-01T08:{n:02}:00Z");
    let point = json!({
        "header": {"uuid": format!("00000000-0000-4000-9000-{n:012}"), "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                   "source_creation_date_time": at},
        "body": {"heart_rate": {"value": 70, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}}
    });
    json!({
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "https://w3id.org/openmhealth", "code": "omh:heart-rate:2.0"}]},
        "subject": {"reference": "Patient/40002"}, "device": {"reference": "Device/70001"},
        "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(point.to_string())}
    })
}

/// The statements the server has logged so far, in order.
fn statements_logged(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log).unwrap().lines().filter(|line| line.contains("sqlx::query")).map(str::to_owned).collect()
}

#[tokio::test]
async fn a_single_upload_stays_within_its_statement_budget() {
    let test = seeded().await;
    let mary = token_for(&test, "mary@example.com");
    let log = test.dir().join("server.log");
    let server = Server::start_logging(&test, &[("JHE_LOG", "sqlx::query=debug")], &log).await;
    let client = reqwest::Client::new();
    let upload = |n: usize| {
        client
            .post(server.url("/FHIR/R5/Observation"))
            .bearer_auth(&mary)
            .header("Content-Type", "application/fhir+json")
            .body(observation(n).to_string())
            .send()
    };
    // The first upload warms the connections; the second is the one counted.
    assert_eq!(upload(1).await.unwrap().status(), 201);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = statements_logged(&log);
    assert_eq!(upload(2).await.unwrap().status(), 201);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let used = &statements_logged(&log)[before.len()..];
    let budget = if test.url.starts_with("postgres") { UPLOAD_BUDGET_POSTGRES } else { UPLOAD_BUDGET_SQLITE };
    println!("statements per upload: {} (budget {budget})", used.len());
    for statement in used {
        println!("  {}", statement.split("summary=").nth(1).unwrap_or(statement));
    }
    assert!(!used.is_empty(), "the statement log is on");
    assert!(used.len() <= budget, "a single upload ran {} statements, over its budget of {budget}", used.len());
    drop(server);
    test.remove().await;
}
