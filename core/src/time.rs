//! Timestamps: stored as microseconds since the Unix epoch (UTC), shown as
//! ISO 8601 with microseconds and a `Z`, as JHE does.

use chrono::{DateTime, SecondsFormat, Utc};

/// Microseconds since the Unix epoch.
pub type Micros = i64;

pub fn now() -> Micros {
    Utc::now().timestamp_micros()
}

pub fn to_datetime(micros: Micros) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

pub fn from_datetime(at: DateTime<Utc>) -> Micros {
    at.timestamp_micros()
}

/// `2026-11-27T06:39:48.856372Z`
pub fn to_iso(micros: Micros) -> String {
    to_datetime(micros).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses an RFC 3339 date-time (any offset) into microseconds.
pub fn parse_iso(text: &str) -> Option<Micros> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| from_datetime(at.with_timezone(&Utc)))
}

/// Serde helper: a microsecond timestamp as ISO 8601.
pub fn serialize_iso<S: serde::Serializer>(micros: &Micros, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&to_iso(*micros))
}
