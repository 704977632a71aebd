//! The effective time of an OMH data point, from `body.effective_time_frame`:
//! a date-time, or a time interval given by start and end, start and
//! duration, end and duration, or a date and part of the day.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use crate::store::observations::Effective;
use crate::time::{Micros, from_datetime};

/// Parses an RFC 3339 date-time; one without an offset is taken as UTC.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| Utc.from_utc_datetime(&t)))
}

/// Adds an OMH duration (`{"value", "unit"}`) to an instant, or subtracts it.
fn shift(at: DateTime<Utc>, duration: &Value, forward: bool) -> Option<DateTime<Utc>> {
    let value = duration.get("value")?.as_f64()?;
    let unit = duration.get("unit")?.as_str()?;
    let sign = if forward { 1.0 } else { -1.0 };
    let micros_per = match unit {
        "ps" => 1e-6,
        "ns" => 1e-3,
        "us" => 1.0,
        "ms" => 1e3,
        "sec" => 1e6,
        "min" => 60e6,
        "h" => 3_600e6,
        "d" => 86_400e6,
        "wk" => 604_800e6,
        // Calendar units: whole months, clamped to the month's end.
        "Mo" | "yr" => {
            let months = (value * if unit == "yr" { 12.0 } else { 1.0 }).round() as i64;
            let months = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
            return if (months_sign(value) > 0) == forward { at.checked_add_months(months) } else { at.checked_sub_months(months) };
        }
        _ => return None,
    };
    let micros = value * micros_per * sign;
    if !micros.is_finite() || micros.abs() > 1e17 {
        return None;
    }
    at.checked_add_signed(Duration::microseconds(micros as i64))
}

fn months_sign(value: f64) -> i32 {
    if value < 0.0 { -1 } else { 1 }
}

/// `morning` 06–12, `afternoon` 12–18, `evening` 18–24, `night` 00–06 (UTC).
fn part_of_day(date: NaiveDate, part: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (from, to) = match part {
        "morning" => (6, 12),
        "afternoon" => (12, 18),
        "evening" => (18, 24),
        "night" => (0, 6),
        _ => return None,
    };
    let start = Utc.with_ymd_and_hms(date.year(), date.month(), date.day(), from, 0, 0).single()?;
    // The evening of the last day chrono knows ends past its range.
    Some((start, start.checked_add_signed(Duration::hours(i64::from(to - from)))?))
}

/// The effective time of a body; a missing or malformed frame is `None`.
pub fn effective_of(body: &Value) -> Effective {
    let frame = &body["effective_time_frame"];
    if let Some(at) = frame.get("date_time").and_then(Value::as_str).and_then(parse_instant) {
        return Effective::At(from_datetime(at));
    }
    let Some(interval) = frame.get("time_interval") else { return Effective::None };
    let instant = |key: &str| interval.get(key).and_then(Value::as_str).and_then(parse_instant);
    let duration = interval.get("duration");
    let range = match (instant("start_date_time"), instant("end_date_time"), duration) {
        (Some(start), Some(end), _) => Some((start, end)),
        (Some(start), None, Some(d)) => shift(start, d, true).map(|end| (start, end)),
        (None, Some(end), Some(d)) => shift(end, d, false).map(|start| (start, end)),
        _ => interval
            .get("date")
            .and_then(Value::as_str)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .zip(interval.get("part_of_day").and_then(Value::as_str))
            .and_then(|(date, part)| part_of_day(date, part)),
    };
    match range {
        Some((start, end)) => Effective::Period { start: Some(from_datetime(start)), end: Some(from_datetime(end)) },
        None => Effective::None,
    }
}

/// The sort and range key of an effective time: the instant, or the period's start.
pub fn start_of(effective: Effective) -> Option<Micros> {
    match effective {
        Effective::At(at) => Some(at),
        Effective::Period { start, .. } => start,
        Effective::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> Micros {
        from_datetime(parse_instant(text).unwrap())
    }

    #[test]
    fn every_form_of_time_frame_projects() {
        let point = |frame: Value| json!({"effective_time_frame": frame});
        assert_eq!(effective_of(&point(json!({"date_time": "2025-03-01T08:00:00-08:00"}))), Effective::At(at("2025-03-01T16:00:00Z")));
        let period = |s: &str, e: &str| Effective::Period { start: Some(at(s)), end: Some(at(e)) };
        assert_eq!(
            effective_of(&point(json!({"time_interval": {"start_date_time": "2024-05-02T00:00:00Z", "end_date_time": "2024-05-02T23:59:59Z"}}))),
            period("2024-05-02T00:00:00Z", "2024-05-02T23:59:59Z")
        );
        assert_eq!(
            effective_of(&point(json!({"time_interval": {"start_date_time": "2024-05-02T00:00:00Z", "duration": {"value": 90, "unit": "min"}}}))),
            period("2024-05-02T00:00:00Z", "2024-05-02T01:30:00Z")
        );
        assert_eq!(
            effective_of(&point(json!({"time_interval": {"end_date_time": "2024-03-31T00:00:00Z", "duration": {"value": 1, "unit": "Mo"}}}))),
            period("2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z")
        );
        assert_eq!(
            effective_of(&point(json!({"time_interval": {"date": "2024-05-02", "part_of_day": "evening"}}))),
            period("2024-05-02T18:00:00Z", "2024-05-03T00:00:00Z")
        );
        assert_eq!(effective_of(&point(json!({"time_interval": {"duration": {"value": 1, "unit": "d"}}}))), Effective::None);
        assert_eq!(effective_of(&json!({})), Effective::None);
        assert_eq!(effective_of(&point(json!({"date_time": "2025-03-01T08:00:00"}))), Effective::At(at("2025-03-01T08:00:00Z")));
    }

    #[test]
    fn a_part_of_day_that_ends_past_the_calendar_is_no_time_instead_of_a_panic() {
        let frame = json!({"effective_time_frame": {"time_interval": {"date": "+262142-12-31", "part_of_day": "evening"}}});
        assert_eq!(effective_of(&frame), Effective::None);
    }
}
