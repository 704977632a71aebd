//! `POST [base]` Bundles: `batch` entries succeed or fail one by one;
//! a `transaction` lands whole or not at all.

use serde_json::{Value, json};

use super::{FhirError, instant, observation};
use crate::caller::Caller;
use crate::db::Db;

fn status_line(status: u16) -> String {
    let reason = match status {
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        422 => "Unprocessable Content",
        503 => "Service Unavailable",
        _ => "Error",
    };
    format!("{status} {reason}")
}

/// The entry's resource, if the entry asks to create an Observation.
fn creation(entry: &Value, index: usize) -> Result<&Value, FhirError> {
    let at = format!("Bundle.entry[{index}]");
    let method = entry["request"]["method"].as_str().unwrap_or_default();
    if method != "POST" {
        return Err(FhirError::invalid(
            format!("only POST (create) entries are supported, not '{method}'"),
            &format!("{at}.request.method"),
        ));
    }
    let url = entry["request"]["url"].as_str().unwrap_or_default();
    if url.trim_end_matches('/').rsplit('/').next() != Some("Observation") {
        return Err(FhirError::invalid(format!("only Observation entries are supported, not '{url}'"), &format!("{at}.request.url")));
    }
    entry.get("resource").filter(|r| r.is_object()).ok_or_else(|| FhirError::invalid("the entry has no resource", &format!("{at}.resource")))
}

fn created_entry(id: i64, resource: &Value) -> Value {
    json!({
        "response": {
            "status": status_line(201),
            "location": format!("Observation/{id}/_history/1"),
            "etag": "W/\"1\"",
            "lastModified": resource["meta"]["lastUpdated"],
        }
    })
}

/// Processes a Bundle; answers the response Bundle, or (for a transaction
/// that fails, or a malformed Bundle) one error naming the entry at fault.
pub async fn process(db: &Db, caller: &Caller, bundle: &Value) -> Result<Value, FhirError> {
    if bundle["resourceType"].as_str() != Some("Bundle") {
        return Err(FhirError::invalid("resourceType must be Bundle", "Bundle.resourceType"));
    }
    let kind = bundle["type"].as_str().unwrap_or_default();
    if kind != "batch" && kind != "transaction" {
        return Err(FhirError::invalid(format!("Bundle.type must be batch or transaction, not '{kind}'"), "Bundle.type"));
    }
    let entries = match bundle.get("entry") {
        None => &Vec::new(),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(FhirError::invalid("entry must be a list", "Bundle.entry")),
    };
    let mut responses = Vec::with_capacity(entries.len());
    if kind == "transaction" {
        let mut tx = db.begin().await?;
        for (index, entry) in entries.iter().enumerate() {
            let resource = creation(entry, index)?;
            let created = observation::create(tx.conn(), caller, resource)
                .await
                .map_err(|e| e.within(&format!("Bundle.entry[{index}].resource")))?;
            responses.push(created_entry(created.id, &created.resource));
        }
        tx.commit().await?;
    } else {
        for (index, entry) in entries.iter().enumerate() {
            let outcome = match creation(entry, index) {
                Err(error) => Err(error),
                Ok(resource) => {
                    let mut tx = db.begin().await?;
                    match observation::create(tx.conn(), caller, resource).await {
                        Ok(created) => tx.commit().await.map(|_| created).map_err(FhirError::from),
                        Err(error) => Err(error),
                    }
                }
            };
            responses.push(match outcome {
                Ok(created) => created_entry(created.id, &created.resource),
                Err(error) => json!({"response": {"status": status_line(error.status), "outcome": error.outcome()}}),
            });
        }
    }
    Ok(json!({
        "resourceType": "Bundle",
        "type": format!("{kind}-response"),
        "meta": {"lastUpdated": instant(crate::time::now())},
        "entry": responses,
    }))
}
