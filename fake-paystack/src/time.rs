//! Time helpers: fast ISO-8601 formatting of whole seconds (the hot path of
//! record rendering) and lenient parsing of the dates Paystack accepts.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Converts days since 1970-01-01 to a civil (year, month, day).
/// Howard Hinnant's `civil_from_days`.
#[inline]
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[inline]
fn two(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

/// Appends `secs` (Unix seconds) as `2024-03-01T10:15:30.000Z`, without quotes.
/// Years outside 0..=9999 are clamped.
#[inline]
pub fn write_iso(buf: &mut Vec<u8>, secs: i64) {
    let days = secs.div_euclid(DAY);
    let sod = secs.rem_euclid(DAY) as u32;
    let (y, m, d) = civil_from_days(days);
    let y = y.clamp(0, 9999) as u32;
    two(buf, y / 100);
    two(buf, y % 100);
    buf.push(b'-');
    two(buf, m);
    buf.push(b'-');
    two(buf, d);
    buf.push(b'T');
    two(buf, sod / 3600);
    buf.push(b':');
    two(buf, (sod / 60) % 60);
    buf.push(b':');
    two(buf, sod % 60);
    buf.extend_from_slice(b".000Z");
}

/// Appends `ms` (Unix milliseconds) as `"2024-03-01T10:15:30.250Z"`, with
/// quotes.
#[inline]
pub fn write_iso_millis(buf: &mut Vec<u8>, ms: i64) {
    buf.push(b'"');
    write_iso(buf, ms.div_euclid(1000));
    let frac = ms.rem_euclid(1000) as u32;
    let at = buf.len() - 4;
    buf[at] = b'0' + (frac / 100) as u8;
    buf[at + 1] = b'0' + (frac / 10 % 10) as u8;
    buf[at + 2] = b'0' + (frac % 10) as u8;
    buf.push(b'"');
}

/// How the date-times of records are written. Paystack's samples all use
/// [`TimeFormat::Millis`]; the others are readings its docs leave open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// `2024-01-01T00:00:00.000Z`.
    #[default]
    Millis,
    /// `2024-01-01T00:00:00Z` (a fraction of a second is dropped).
    Seconds,
    /// `2024-01-01T01:00:00+01:00`: the same instant at UTC+1, whole seconds.
    Offset,
}

/// The value named `s` among `choices` (a switch's CLI names), or an error
/// listing them.
pub fn choose<T: Copy>(s: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|c| c.0 == s)
        .map(|c| c.1)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|c| c.0).collect();
            format!("{s:?}: expected one of {}", names.join(", "))
        })
}

impl std::str::FromStr for TimeFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        use TimeFormat::*;
        choose(
            s,
            &[("millis", Millis), ("seconds", Seconds), ("offset", Offset)],
        )
    }
}

/// Appends `ms` (Unix milliseconds) in `format`, with quotes.
#[inline]
pub fn write_time(buf: &mut Vec<u8>, ms: i64, format: TimeFormat) {
    let (secs, zone) = match format {
        TimeFormat::Millis => return write_iso_millis(buf, ms),
        TimeFormat::Seconds => (ms.div_euclid(1000), "Z"),
        TimeFormat::Offset => (ms.div_euclid(1000) + 3600, "+01:00"),
    };
    buf.push(b'"');
    write_iso(buf, secs);
    // Replace the ".000Z" write_iso ends with.
    buf.truncate(buf.len() - 5);
    buf.extend_from_slice(zone.as_bytes());
    buf.push(b'"');
}

/// How the fractional second of a `from`/`to` value is read. The connector
/// sends milliseconds; a server keeping whole seconds may drop or round
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoundPrecision {
    /// To the millisecond.
    #[default]
    Millis,
    /// The fraction is dropped (`00:00:59.999` reads as `00:00:59`).
    Truncated,
    /// Rounded to the nearest second (`00:00:59.999` reads as `00:01:00`).
    Rounded,
}

impl BoundPrecision {
    /// `ms` (Unix milliseconds) as this precision reads it.
    pub fn apply(self, ms: i64) -> i64 {
        match self {
            BoundPrecision::Millis => ms,
            BoundPrecision::Truncated => ms.div_euclid(1000) * 1000,
            BoundPrecision::Rounded => (ms + 500).div_euclid(1000) * 1000,
        }
    }
}

impl std::str::FromStr for BoundPrecision {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        use BoundPrecision::*;
        choose(
            s,
            &[
                ("millis", Millis),
                ("truncated", Truncated),
                ("rounded", Rounded),
            ],
        )
    }
}

/// `secs` as an ISO string (convenience for non-hot paths).
pub fn iso(secs: i64) -> String {
    let mut b = Vec::with_capacity(24);
    write_iso(&mut b, secs);
    String::from_utf8(b).expect("ascii")
}

/// Parses a date or date-time the way the fake's `from`/`to` accept them:
/// RFC 3339 (`2024-01-01T00:00:00.000Z`, `…Z`, `…+01:00`), a date-time
/// without a zone (read as UTC, `T` or space), or a plain date (`2024-01-01`,
/// read as midnight UTC). Returns Unix milliseconds.
pub fn parse_millis(s: &str) -> Option<i64> {
    parse_datetime(s).map(|d| d.timestamp_millis())
}

/// As [`parse_millis`], as a `DateTime<Utc>`.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Some(n.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    None
}

/// The current wall-clock time in whole Unix seconds.
pub fn now_secs() -> i64 {
    Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_matches_chrono() {
        for secs in [
            0i64,
            1_709_288_130,
            1_704_067_199,
            1_704_067_200,
            951_782_400,
            4_102_444_799,
            1_709_164_800,
        ] {
            let want = DateTime::from_timestamp(secs, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            assert_eq!(iso(secs), want);
        }
        // Every day over a few years, so leap days are covered.
        for day in 19_000..20_500i64 {
            let secs = day * DAY + 45_296;
            let want = DateTime::from_timestamp(secs, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            assert_eq!(iso(secs), want);
        }
    }

    #[test]
    fn parses_paystack_dates() {
        let ms = |s| parse_millis(s);
        assert_eq!(ms("2024-01-01T00:00:00.000Z"), Some(1_704_067_200_000));
        assert_eq!(ms("2024-01-01T00:00:00Z"), Some(1_704_067_200_000));
        assert_eq!(ms("2024-01-01T00:00:00.250Z"), Some(1_704_067_200_250));
        assert_eq!(ms("2024-01-01T01:00:00+01:00"), Some(1_704_067_200_000));
        assert_eq!(ms("2024-01-01"), Some(1_704_067_200_000));
        assert_eq!(ms("2024-01-01T00:00:00"), Some(1_704_067_200_000));
        assert_eq!(ms("2024-01-01 00:00:00"), Some(1_704_067_200_000));
        assert_eq!(ms("yesterday"), None);
        assert_eq!(ms("2024-13-01"), None);
        assert_eq!(ms(""), None);
    }

    #[test]
    fn times_in_every_format_are_the_same_instant() {
        let write = |ms, f| {
            let mut b = Vec::new();
            write_time(&mut b, ms, f);
            String::from_utf8(b).unwrap()
        };
        let ms = 1_704_067_200_250;
        assert_eq!(
            write(ms, TimeFormat::Millis),
            "\"2024-01-01T00:00:00.250Z\""
        );
        assert_eq!(write(ms, TimeFormat::Seconds), "\"2024-01-01T00:00:00Z\"");
        assert_eq!(
            write(ms, TimeFormat::Offset),
            "\"2024-01-01T01:00:00+01:00\""
        );
        for f in [TimeFormat::Millis, TimeFormat::Seconds, TimeFormat::Offset] {
            let text = write(1_704_067_199_000, f);
            assert_eq!(
                parse_millis(text.trim_matches('"')),
                Some(1_704_067_199_000),
                "{text}"
            );
        }
    }

    #[test]
    fn bound_precision() {
        let ms = 1_704_067_259_999;
        assert_eq!(BoundPrecision::Millis.apply(ms), ms);
        assert_eq!(BoundPrecision::Truncated.apply(ms), 1_704_067_259_000);
        assert_eq!(BoundPrecision::Rounded.apply(ms), 1_704_067_260_000);
        assert_eq!(
            BoundPrecision::Rounded.apply(1_704_067_259_499),
            1_704_067_259_000
        );
        assert_eq!("truncated".parse(), Ok(BoundPrecision::Truncated));
        assert!("x".parse::<BoundPrecision>().is_err());
    }
}
