//! `POST [base]` Bundles: `batch` entries succeed or fail one by one;
//! a `transaction` lands whole or not at all.

use serde_json::{Value, json};

use super::observation::{self, Checked, Lookups, Stored};
use super::{FhirError, instant};
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

fn created_entry(stored: Stored) -> Value {
    json!({
        "response": {
            "status": status_line(201),
            "location": format!("Observation/{}/_history/1", stored.id),
            "etag": "W/\"1\"",
            "lastModified": instant(stored.last_updated),
        }
    })
}

fn refused_entry(error: &FhirError) -> Value {
    json!({"response": {"status": status_line(error.status), "outcome": error.outcome()}})
}

/// A Bundle's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Entries succeed or fail one by one.
    Batch,
    /// All entries land, or none.
    Transaction,
}

/// What a Bundle asks, read without any lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<'a> {
    pub kind: Kind,
    /// Each entry's Observation to create, or why the entry is refused.
    pub entries: Vec<Result<&'a Value, FhirError>>,
}

/// Reads a Bundle: its resource type and type, and what each entry asks.
/// A malformed Bundle is refused whole; a malformed entry only refuses itself.
pub fn parse(bundle: &Value) -> Result<Parsed<'_>, FhirError> {
    if bundle["resourceType"].as_str() != Some("Bundle") {
        return Err(FhirError::invalid("resourceType must be Bundle", "Bundle.resourceType"));
    }
    let kind = match bundle["type"].as_str().unwrap_or_default() {
        "batch" => Kind::Batch,
        "transaction" => Kind::Transaction,
        other => return Err(FhirError::invalid(format!("Bundle.type must be batch or transaction, not '{other}'"), "Bundle.type")),
    };
    let entries = match bundle.get("entry") {
        None => Vec::new(),
        Some(Value::Array(entries)) => entries.iter().enumerate().map(|(index, entry)| creation(entry, index)).collect(),
        Some(_) => return Err(FhirError::invalid("entry must be a list", "Bundle.entry")),
    };
    Ok(Parsed { kind, entries })
}

/// Processes a Bundle: every entry is checked (with lookups shared across
/// entries), then those that passed are stored in one transaction with
/// multi-row inserts. Answers the response Bundle, or (for a
/// transaction that fails, or a malformed Bundle) one error naming the entry
/// at fault.
pub async fn process(db: &Db, caller: &Caller, bundle: &Value) -> Result<Value, FhirError> {
    let Parsed { kind, entries } = parse(bundle)?;
    let within = |index: usize| move |error: FhirError| error.within(&format!("Bundle.entry[{index}].resource"));
    // Checks read without the write lock; the write re-checks consent.
    let mut tx = db.begin_read().await?;
    let mut lookups = Lookups::default();
    // Entries that passed every check, and each entry's refusal if any.
    let mut passed = Vec::with_capacity(entries.len());
    let mut refusals = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let checked = match entry {
            Ok(resource) => observation::check(tx.conn(), caller, &mut lookups, resource).await.map_err(within(index)),
            Err(error) => Err(error),
        };
        match checked {
            Ok(checked) => {
                passed.push(checked);
                refusals.push(None);
            }
            // A transaction stops at its first refusal, but an earlier entry
            // may clash on an identifier: the first fault is the one named.
            Err(error) if kind == Kind::Transaction => {
                let passed: Vec<&Checked> = passed.iter().collect();
                let clashes = observation::claim_identifiers(tx.conn(), &passed).await?;
                return Err(match clashes.into_iter().enumerate().find_map(|(at, clash)| clash.map(within(at))) {
                    Some(clash) => clash,
                    None => error,
                });
            }
            Err(error) => refusals.push(Some(error)),
        }
    }
    tx.commit().await?;
    let mut tx = db.begin().await?;
    let mut stored = observation::store(tx.conn(), &passed).await?.into_iter();
    let mut responses = Vec::with_capacity(refusals.len());
    for (index, refusal) in refusals.into_iter().enumerate() {
        let outcome = match refusal {
            Some(error) => Err(error),
            None => stored.next().expect("one outcome per entry that passed").map_err(within(index)),
        };
        match outcome {
            Ok(created) => responses.push(created_entry(created)),
            Err(error) if kind == Kind::Transaction => return Err(error),
            Err(error) => responses.push(refused_entry(&error)),
        }
    }
    tx.commit().await?;
    Ok(json!({
        "resourceType": "Bundle",
        "type": match kind {
            Kind::Batch => "batch-response",
            Kind::Transaction => "transaction-response",
        },
        "meta": {"lastUpdated": instant(crate::time::now())},
        "entry": responses,
    }))
}
