//! Crash safety: the server is killed (SIGKILL) in the middle of a stream of
//! single uploads and transaction Bundles, then restarted on the same
//! database. Every upload answered 201 is stored exactly once, a transaction
//! is stored whole or not at all, and retrying any upload with its
//! identifier never makes a duplicate.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, seeded, token_for};
use serde_json::{Value, json};

const SYSTEM: &str = "urn:jhe-test:crash";

/// A heart-rate Observation of Patient 40002 from CareX, with one identifier.
fn observation(identifier: &str, n: usize) -> Value {
    let at = format!("2025-06-{:02}T{:02}:{:02}:00Z", 1 + n / 1440 % 28, n / 60 % 24, n % 60);
    let point = json!({
        "header": {"uuid": format!("00000000-0000-4000-8000-{n:012}"), "schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"},
                   "source_creation_date_time": at, "modality": "sensed"},
        "body": {"heart_rate": {"value": 60 + n % 40, "unit": "beats/min"}, "effective_time_frame": {"date_time": at}}
    });
    json!({
        "resourceType": "Observation", "status": "final",
        "identifier": [{"system": SYSTEM, "value": identifier}],
        "code": {"coding": [{"system": "https://w3id.org/openmhealth", "code": "omh:heart-rate:2.0"}]},
        "subject": {"reference": "Patient/40002"}, "device": {"reference": "Device/70001"},
        "valueAttachment": {"contentType": "application/json", "data": STANDARD.encode(point.to_string())}
    })
}

fn transaction(identifiers: &[String], first: usize) -> Value {
    let entries: Vec<Value> = identifiers
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"request": {"method": "POST", "url": "Observation"}, "resource": observation(id, first + i)}))
        .collect();
    json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
}

/// What the client knows of each upload: answered with a status, or not answered.
#[derive(Default)]
struct Ledger {
    singles: HashMap<String, Option<u16>>,
    transactions: Vec<(Vec<String>, Option<u16>)>,
}

async fn post(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> Option<u16> {
    let response = client.post(url).bearer_auth(token).header("Content-Type", "application/fhir+json").body(body.to_string()).send().await.ok()?;
    let status = response.status().as_u16();
    // An answer counts only once its body has arrived whole.
    response.bytes().await.ok().map(|_| status)
}

/// How many times each of the test's identifiers is stored.
async fn stored_identifiers(server: &Server, token: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let mut next = Some(server.url("/FHIR/R5/Observation?patient=40002&_count=1000"));
    while let Some(url) = next {
        let page: Value = reqwest::Client::new().get(&url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        for entry in page["entry"].as_array().unwrap() {
            for identifier in entry["resource"]["identifier"].as_array().into_iter().flatten() {
                if identifier["system"] == SYSTEM {
                    *counts.entry(identifier["value"].as_str().unwrap().to_owned()).or_default() += 1;
                }
            }
        }
        next = page["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next").map(|l| l["url"].as_str().unwrap().to_owned());
    }
    counts
}

#[tokio::test]
async fn a_killed_server_keeps_every_answered_upload_exactly_once() {
    let test = seeded().await;
    let server = Server::start(&test).await;
    let mary = token_for(&test, "mary@example.com");
    let ledger = Arc::new(Mutex::new(Ledger::default()));

    // Six clients upload one at a time; one sends transactions of 20.
    let mut clients = Vec::new();
    for client_number in 0..6 {
        let (url, token, ledger) = (server.url("/FHIR/R5/Observation"), mary.clone(), ledger.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 0.. {
                let identifier = format!("single-{client_number}-{n}");
                let outcome = post(&client, &url, &token, &observation(&identifier, client_number * 100_000 + n)).await;
                ledger.lock().unwrap().singles.insert(identifier, outcome);
                if outcome.is_none() {
                    break;
                }
            }
        }));
    }
    {
        let (url, token, ledger) = (server.url("/FHIR/R5"), mary.clone(), ledger.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 0.. {
                let identifiers: Vec<String> = (0..20).map(|i| format!("transaction-{n}-{i}")).collect();
                let outcome = post(&client, &url, &token, &transaction(&identifiers, 900_000 + n * 20)).await;
                ledger.lock().unwrap().transactions.push((identifiers, outcome));
                if outcome.is_none() {
                    break;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(server); // SIGKILL, mid-stream.
    for client in clients {
        client.await.unwrap();
    }

    let server = Server::start(&test).await;
    let stored = stored_identifiers(&server, &mary).await;
    let ledger = Arc::try_unwrap(ledger).ok().unwrap().into_inner().unwrap();
    let answered: Vec<&String> = ledger.singles.iter().filter(|(_, s)| **s == Some(201)).map(|(id, _)| id).collect();
    assert!(answered.len() > 50, "the stream was under way when the server died: {} answered", answered.len());
    for identifier in &answered {
        assert_eq!(stored.get(*identifier), Some(&1), "{identifier} was answered 201");
    }
    assert!(stored.values().all(|&count| count == 1), "no identifier is stored twice");
    assert!(ledger.singles.values().all(|s| matches!(s, None | Some(201))), "nothing but 201 before the kill");
    for (identifiers, outcome) in &ledger.transactions {
        let present = identifiers.iter().filter(|id| stored.contains_key(*id)).count();
        match outcome {
            Some(200) => assert_eq!(present, identifiers.len(), "an answered transaction is stored whole"),
            None => assert!(present == 0 || present == identifiers.len(), "a cut transaction is all or nothing: {present} of 20"),
            Some(other) => panic!("transaction answered {other}"),
        }
    }

    // Retries after the restart: an upload that was stored answers 409,
    // one that was not is stored now; either way, once.
    let client = reqwest::Client::new();
    let url = server.url("/FHIR/R5/Observation");
    for (n, identifier) in ledger.singles.keys().enumerate() {
        let expected = if stored.contains_key(identifier) { 409 } else { 201 };
        assert_eq!(post(&client, &url, &mary, &observation(identifier, 500_000 + n)).await, Some(expected), "retry of {identifier}");
    }
    let after = stored_identifiers(&server, &mary).await;
    assert!(ledger.singles.keys().all(|id| after.get(id) == Some(&1)), "every single upload is stored exactly once after its retry");
    assert!(after.values().all(|&count| count == 1));
    test.remove().await;
}
