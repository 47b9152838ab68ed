//! Time as the connector writes and reads it: the wall clock in epoch
//! milliseconds, and cursor values (the `createdAt` of a record, the `from`
//! and `to` of a request, the cursor in a state) parsed from every form they
//! take and formatted the way Paystack writes them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde_json::Value;

/// Milliseconds since the Unix epoch, as Airbyte wants `emitted_at`.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Parses a cursor value: an ISO-8601 date-time (any fractional digits, `Z`
/// or offset, `T` or space), a plain date, or epoch seconds/milliseconds.
pub fn parse_cursor(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(s) => parse_cursor_str(s),
        Value::Number(n) => {
            let n = n.as_i64()?;
            // Epoch milliseconds are above 10^11 for any date after 1973.
            if n.abs() >= 100_000_000_000 {
                Utc.timestamp_millis_opt(n).single()
            } else {
                Utc.timestamp_opt(n, 0).single()
            }
        }
        _ => None,
    }
}

/// Parses a cursor string; see [`parse_cursor`].
pub fn parse_cursor_str(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    let naive = s.strip_suffix('Z').unwrap_or(s);
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(d.and_utc());
        }
    }
    if let Ok(d) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%z") {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// Formats a cursor the way Paystack writes times: `2024-01-01T00:00:00.000Z`.
/// (Airbyte's connector reads this with `%Y-%m-%dT%H:%M:%S.%fZ`.)
pub fn format_cursor(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn cursor_parsing_never_panics(text in ".{0,40}", n in any::<i64>()) {
            let _ = parse_cursor_str(&text);
            let _ = parse_cursor(&serde_json::json!(n));
        }
    }
}
