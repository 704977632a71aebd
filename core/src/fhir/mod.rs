//! FHIR R5: Observations carrying OMH data points (ingest, read, search),
//! Bundles, and the Patient view. Errors are OperationOutcome issues that
//! name the element at fault.

pub mod bundle;
pub mod catalog;
pub mod effective;
pub mod observation;
pub mod patient;
pub mod search;

use serde_json::{Value, json};

use crate::error::Error;
use crate::schemas::Issue;
use crate::store::StoreError;

/// Where every jhe-native resource says it comes from.
pub const SOURCE: &str = "https://jupyterhealth.org/jhe";
pub const OMH_SYSTEM: &str = "https://w3id.org/openmhealth";
pub const USER_ID_SYSTEM: &str = "https://jupyterhealth.org/fhir/identifier/jhe-user-id";

/// A refused FHIR request: its HTTP status, an OperationOutcome issue code
/// (`invalid`, `forbidden`, `not-found`, `duplicate`, `processing`, ...),
/// what went wrong, and the element at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirError {
    pub status: u16,
    pub code: &'static str,
    pub diagnostics: String,
    pub expression: Option<String>,
    /// Every schema violation, for a data point that does not validate.
    pub issues: Vec<Issue>,
    /// For an identifier already held: the stored observation holding it,
    /// told only when it is the same patient's (a retry of an upload).
    pub existing: Option<i64>,
}

impl FhirError {
    pub fn new(status: u16, code: &'static str, diagnostics: impl Into<String>, expression: Option<&str>) -> Self {
        FhirError { status, code, diagnostics: diagnostics.into(), expression: expression.map(str::to_owned), issues: Vec::new(), existing: None }
    }

    pub fn invalid(diagnostics: impl Into<String>, expression: &str) -> Self {
        FhirError::new(400, "invalid", diagnostics, Some(expression))
    }

    pub fn forbidden(diagnostics: impl Into<String>) -> Self {
        FhirError::new(403, "forbidden", diagnostics, None)
    }

    pub fn not_found(diagnostics: impl Into<String>) -> Self {
        FhirError::new(404, "not-found", diagnostics, None)
    }

    /// The same error, about an element inside a Bundle entry.
    pub fn within(mut self, prefix: &str) -> Self {
        self.expression = Some(match self.expression.take() {
            Some(expression) => format!("{prefix}.{}", expression.strip_prefix("Observation.").unwrap_or(&expression)),
            None => prefix.to_owned(),
        });
        self
    }

    /// The OperationOutcome resource.
    pub fn outcome(&self) -> Value {
        let mut issues = Vec::new();
        let mut first = json!({"severity": "error", "code": self.code, "diagnostics": self.diagnostics});
        if let Some(expression) = &self.expression {
            first["expression"] = json!([expression]);
        }
        issues.push(first);
        for issue in &self.issues {
            issues.push(json!({
                "severity": "error",
                "code": "invariant",
                "diagnostics": issue.message,
                "expression": [format!("Observation.valueAttachment.data.{}", issue.path)],
            }));
        }
        if let Some(id) = self.existing {
            issues.push(json!({
                "severity": "information",
                "code": "duplicate",
                "diagnostics": format!("Observation/{id} already holds this identifier."),
                "details": {"coding": [{"system": SOURCE, "code": "existing-resource", "display": format!("Observation/{id}")}]},
            }));
        }
        json!({"resourceType": "OperationOutcome", "issue": issues})
    }
}

impl From<StoreError> for FhirError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unique(what) => FhirError::new(409, "duplicate", format!("duplicate value: {what}"), None),
            other => {
                let code = match other.status() {
                    400 => "invalid",
                    500 => "exception",
                    _ => "transient",
                };
                FhirError::new(other.status(), code, other.public_message(), None)
            }
        }
    }
}

impl From<Error> for FhirError {
    fn from(error: Error) -> Self {
        match error {
            Error::Invalid(message) => FhirError::new(400, "invalid", message, None),
            Error::NotFound(message) => FhirError::not_found(message),
            Error::Conflict(message) => FhirError::new(409, "duplicate", message, None),
            Error::Forbidden(message) => FhirError::forbidden(message),
            Error::Gone(message) => FhirError::new(410, "deleted", message, None),
            Error::Throttled(throttled) => FhirError::new(429, "throttled", throttled.to_string(), None),
            Error::Store(store) => store.into(),
        }
    }
}

/// A FHIR instant, as short as it can be (`2025-03-01T16:00:00Z`).
pub fn instant(micros: crate::time::Micros) -> String {
    crate::time::to_datetime(micros).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
