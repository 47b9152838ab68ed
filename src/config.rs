//! The user's config: read, validated against the rules of `spec.json`, and
//! turned into a [`Config`] with parsed dates and a secret key that cannot be
//! printed.
//!
//! Validation is written by hand rather than run through a JSON-schema engine
//! so that every message names the field and the fix, and so that no message
//! can ever echo the secret key. A test checks that this validator and
//! `spec.json` accept and reject the same configs.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::error::Error;

/// A Paystack secret key. It can be used, but never formatted: `Debug` and
/// `Display` print a redaction marker, so it cannot leak through logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a key. The caller has validated its shape.
    pub fn new(key: impl Into<String>) -> Self {
        SecretKey(key.into())
    }

    /// The key itself, for the `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for live-mode keys (`sk_live_`, `rk_live_`).
    pub fn is_live(&self) -> bool {
        self.0.get(2..8) == Some("_live_")
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A validated config.
#[derive(Debug, Clone)]
pub struct Config {
    pub secret_key: SecretKey,
    pub start_date: DateTime<Utc>,
    pub lookback_window_days: u64,
    /// Cap on requests a minute; `None`: Paystack's limit for the key.
    pub requests_per_minute: Option<u32>,
    /// Records created at or after it are not read; the state never passes it.
    pub end_date: Option<DateTime<Utc>>,
}

/// Reads and validates the config file at `path`.
///
/// # Errors
/// A [`Error::Config`] naming the problem and the fix when the file is
/// missing, not JSON, or breaks a rule of the spec.
pub fn load(path: &Path, now: DateTime<Utc>) -> Result<Config, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::unreadable_file(
            "config",
            path,
            &e,
            "Pass --config with the path of a JSON file holding secret_key and start_date (see \
             sample_files/config.json).",
        )
    })?;
    parse(&text, now)
}

/// Validates config text.
///
/// # Errors
/// See [`load`].
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<Config, Error> {
    let text = text.trim_start_matches('\u{feff}');
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::config(format!(
            "The config is not valid JSON ({e}). Fix the file so that it holds one JSON object, \
             for example {{\"secret_key\": \"sk_live_...\", \"start_date\": \"2020-01-01T00:00:00Z\"}}."
        ))
    })?;
    let Value::Object(map) = value else {
        return Err(Error::config(format!(
            "The config must be a JSON object with secret_key and start_date, not {}.",
            kind_of(&value)
        )));
    };
    let typos = likely_typos(&map);
    for (found, known) in &typos {
        tracing::warn!(
            "The config field {found:?} is not one this connector knows, and is ignored: did you \
             mean {known}?"
        );
    }
    for required in ["secret_key", "start_date"] {
        if let (None, Some((found, _))) = (
            map.get(required),
            typos.iter().find(|(_, known)| *known == required),
        ) {
            return Err(Error::config(format!(
                "The config has no {required}, but it has {found:?}: did you mean {required}? \
                 Rename the field."
            )));
        }
    }
    from_map(&map, now)
}

/// The config fields of `spec.json`.
pub const FIELDS: [&str; 5] = [
    "secret_key",
    "start_date",
    "lookback_window_days",
    "requests_per_minute",
    "end_date",
];

/// The config's unknown fields that look like a typo of a known one, each
/// with the field it resembles. Unknown fields are accepted (Airbyte's
/// configs carry extras); these deserve a warning.
pub fn likely_typos(map: &Map<String, Value>) -> Vec<(&str, &'static str)> {
    map.keys()
        .filter(|found| !FIELDS.contains(&found.as_str()))
        .filter_map(|found| {
            FIELDS
                .iter()
                .map(|known| (typo_distance(found, known), *known))
                .filter(|(distance, _)| *distance <= 2)
                .min()
                .map(|(_, known)| (found.as_str(), known))
        })
        .collect()
}

/// How far `found` is from `known` as a typo: the fewest single-letter
/// insertions, deletions, changes or swaps of neighbours, ignoring case,
/// and ignoring `_`, `-` and spaces when that is closer
/// (`lookbackWindowDays` is 0 from `lookback_window_days`).
fn typo_distance(found: &str, known: &str) -> usize {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    strsim::osa_distance(&found.to_lowercase(), known)
        .min(strsim::osa_distance(&squash(found), &squash(known)))
}

fn from_map(map: &Map<String, Value>, now: DateTime<Utc>) -> Result<Config, Error> {
    let secret_key = secret_key(map.get("secret_key"))?;
    let start_date = start_date(map.get("start_date"), now)?;
    let lookback_window_days = non_negative_integer(map, "lookback_window_days", 0)?;
    let requests_per_minute = match map.get("requests_per_minute") {
        None | Some(Value::Null) => None,
        Some(_) => match non_negative_integer(map, "requests_per_minute", 0)? {
            0 => {
                return Err(Error::config(
                    "requests_per_minute is 0, but it must be at least 1. Remove it to use \
                     Paystack's limit for your key, or set a whole number of 1 or more.",
                ));
            }
            n => Some(u32::try_from(n).unwrap_or(u32::MAX)),
        },
    };
    let end_date = match map.get("end_date") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => {
            let end = parse_start_date(s).ok_or_else(|| {
                Error::config(format!(
                    "end_date {s:?} is not a UTC date-time in the form YYYY-MM-DDTHH:MM:SSZ, for \
                     example 2024-01-01T00:00:00Z. Fix it, or remove it to read up to the present."
                ))
            })?;
            if end <= start_date {
                return Err(Error::config(format!(
                    "end_date {s} is not after start_date, so there is nothing to read. Set \
                     end_date later than start_date, or remove it."
                )));
            }
            Some(end)
        }
        Some(other) => {
            return Err(Error::config(format!(
                "end_date must be a string (YYYY-MM-DDTHH:MM:SSZ), not {}.",
                kind_of(other)
            )));
        }
    };
    Ok(Config {
        secret_key,
        start_date,
        lookback_window_days,
        requests_per_minute,
        end_date,
    })
}

fn secret_key(value: Option<&Value>) -> Result<SecretKey, Error> {
    const FIX: &str = "Copy your secret key (it starts with sk_live_ or sk_test_) from the Paystack \
                       Dashboard, Settings > API Keys & Webhooks.";
    match value {
        None | Some(Value::Null) => Err(Error::config(format!(
            "The config has no secret_key. {FIX}"
        ))),
        Some(Value::String(key)) if is_key_shaped(key) => Ok(SecretKey::new(key.clone())),
        Some(Value::String(key)) if key.trim() != key && is_key_shaped(key.trim()) => {
            Err(Error::config(format!(
                "secret_key has spaces or line breaks around it. Remove them. {FIX}"
            )))
        }
        Some(Value::String(key)) if key.starts_with("pk_") => Err(Error::config(format!(
            "secret_key holds a public key (pk_...), which cannot list data. {FIX}"
        ))),
        Some(Value::String(_)) => Err(Error::config(format!(
            "secret_key is not shaped like a Paystack secret key (sk_live_ or sk_test_ followed by \
             letters and digits). {FIX}"
        ))),
        Some(other) => Err(Error::config(format!(
            "secret_key must be a string, not {}. {FIX}",
            kind_of(other)
        ))),
    }
}

/// `^(s|r)k_(live|test)_[a-zA-Z0-9]+$`, the pattern of the spec.
pub fn is_key_shaped(key: &str) -> bool {
    let rest = key
        .strip_prefix("sk_")
        .or_else(|| key.strip_prefix("rk_"))
        .and_then(|r| r.strip_prefix("live_").or_else(|| r.strip_prefix("test_")));
    matches!(rest, Some(r) if !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn start_date(value: Option<&Value>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
    const FORMAT: &str = "a UTC date-time in the form YYYY-MM-DDTHH:MM:SSZ, for example \
                          2020-01-01T00:00:00Z";
    let text = match value {
        None | Some(Value::Null) => {
            return Err(Error::config(format!(
                "The config has no start_date. Set it to {FORMAT}: records created before it are not read."
            )));
        }
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(Error::config(format!(
                "start_date must be a string ({FORMAT}), not {}.",
                kind_of(other)
            )));
        }
    };
    let date = parse_start_date(text).ok_or_else(|| {
        Error::config(format!(
            "start_date {text:?} is not {FORMAT}. Fix it in the config."
        ))
    })?;
    if date > now {
        return Err(Error::config(format!(
            "start_date {text} is in the future, so there is nothing to read yet. Set it to a past \
             date-time ({FORMAT})."
        )));
    }
    Ok(date)
}

/// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (the spec's pattern) into a real date.
pub fn parse_start_date(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let shaped = b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDateTime::parse_from_str(&text[..19], "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|d| d.and_utc())
}

fn non_negative_integer(map: &Map<String, Value>, field: &str, default: u64) -> Result<u64, Error> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => {
            if let Some(v) = n.as_u64() {
                return Ok(v);
            }
            if n.as_i64().is_some() {
                return Err(Error::config(format!(
                    "{field} is {n}, but it cannot be negative. Set it to 0 or more."
                )));
            }
            // JSON Schema counts 3.0 as an integer; accept it the same way.
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) => Ok(f as u64),
                Some(f) if f < 0.0 => Err(Error::config(format!(
                    "{field} is {n}, but it cannot be negative. Set it to a whole number, 0 or more."
                ))),
                _ => Err(Error::config(format!(
                    "{field} is {n}, but it must be a whole number of days, 0 or more."
                ))),
            }
        }
        Some(other) => Err(Error::config(format!(
            "{field} must be a whole number (0 or more), not {}.",
            kind_of(other)
        ))),
    }
}

/// A short description of a JSON value's type for error messages; it never
/// includes the value itself.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::any_json;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    /// The config `text` parses to.
    fn ok(text: &str) -> Config {
        parse(text, now()).unwrap()
    }

    fn err(text: &str) -> String {
        match parse(text, now()) {
            Err(Error::Config(m)) => m,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn an_airbyte_config_is_accepted_unchanged() {
        let c = ok(
            r#"{"secret_key": "sk_test_abc123", "start_date": "2020-01-01T00:00:00Z", "lookback_window_days": 7}"#,
        );
        assert_eq!(
            c.start_date,
            Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(c.lookback_window_days, 7);
        assert!(!c.secret_key.is_live());
    }

    #[test]
    fn lookback_defaults_to_zero_and_unknown_fields_are_accepted() {
        let c = ok(
            r#"{"secret_key": "sk_live_abc", "start_date": "2020-01-01T00:00:00Z", "extra": [1]}"#,
        );
        assert_eq!(c.lookback_window_days, 0);
        assert!(c.secret_key.is_live());
    }

    #[test]
    fn bad_configs_name_the_field_and_never_the_key() {
        let key = "sk_test_SECRETVALUE99";
        let cases = [
            ("[]".to_string(), "JSON object"),
            ("{".to_string(), "not valid JSON"),
            (
                r#"{"start_date":"2020-01-01T00:00:00Z"}"#.to_string(),
                "no secret_key",
            ),
            (
                format!(r#"{{"secret_key":"{key}!","start_date":"2020-01-01T00:00:00Z"}}"#),
                "not shaped like",
            ),
            (
                r#"{"secret_key":"pk_test_abc","start_date":"2020-01-01T00:00:00Z"}"#.to_string(),
                "public key",
            ),
            (format!(r#"{{"secret_key":"{key}"}}"#), "no start_date"),
            (
                format!(r#"{{"secret_key":"{key}","start_date":"2020-01-01"}}"#),
                "YYYY-MM-DDTHH:MM:SSZ",
            ),
            (
                format!(r#"{{"secret_key":"{key}","start_date":"2020-02-30T00:00:00Z"}}"#),
                "YYYY-MM-DDTHH:MM:SSZ",
            ),
            (
                format!(r#"{{"secret_key":"{key}","start_date":"2099-01-01T00:00:00Z"}}"#),
                "in the future",
            ),
            (
                format!(
                    r#"{{"secret_key":"{key}","start_date":"2020-01-01T00:00:00Z","lookback_window_days":-1}}"#
                ),
                "cannot be negative",
            ),
            (
                format!(
                    r#"{{"secret_key":"{key}","start_date":"2020-01-01T00:00:00Z","lookback_window_days":1.5}}"#
                ),
                "whole number",
            ),
            (
                format!(
                    r#"{{"secret_key":"{key}","start_date":"2020-01-01T00:00:00Z","lookback_window_days":"3"}}"#
                ),
                "whole number",
            ),
        ];
        for (text, needle) in cases {
            let m = err(&text);
            assert!(m.contains(needle), "{text} -> {m}");
            assert!(!m.contains("SECRETVALUE"), "key leaked: {m}");
        }
    }

    #[test]
    fn key_shape_matches_the_spec_pattern() {
        for ok in ["sk_live_a1", "sk_test_ABC", "rk_live_x"] {
            assert!(is_key_shaped(ok), "{ok}");
        }
        for bad in [
            "sk_live_",
            "sk_prod_a",
            "pk_live_a",
            "sk_live_a-b",
            " sk_live_a",
            "sk_test_é",
        ] {
            assert!(!is_key_shaped(bad), "{bad}");
        }
    }

    #[test]
    fn secret_key_formats_as_redacted() {
        let k = SecretKey::new("sk_live_abcdef");
        assert_eq!(format!("{k} {k:?}"), "<redacted> SecretKey(<redacted>)");
    }

    #[test]
    fn requests_per_minute_is_optional_and_at_least_one() {
        let base = r#""secret_key":"sk_test_a","start_date":"2020-01-01T00:00:00Z""#;
        assert_eq!(ok(&format!("{{{base}}}")).requests_per_minute, None);
        let c = ok(&format!(r#"{{{base},"requests_per_minute":250}}"#));
        assert_eq!(c.requests_per_minute, Some(250));
        for bad in ["0", "-5", "2.5", "\"fast\""] {
            let m = err(&format!(r#"{{{base},"requests_per_minute":{bad}}}"#));
            assert!(m.contains("requests_per_minute"), "{bad}: {m}");
        }
    }

    #[test]
    fn end_date_is_optional_and_after_start_date() {
        let base = r#""secret_key":"sk_test_a","start_date":"2020-01-01T00:00:00Z""#;
        assert_eq!(ok(&format!("{{{base}}}")).end_date, None);
        let c = ok(&format!(r#"{{{base},"end_date":"2021-01-01T00:00:00Z"}}"#));
        assert_eq!(
            c.end_date,
            Some(Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap())
        );
        let future = parse(
            &format!(r#"{{{base},"end_date":"2099-01-01T00:00:00Z"}}"#),
            now(),
        );
        assert!(
            future.is_ok(),
            "a future end_date is fine: the sync start bounds the window"
        );
        for (bad, needle) in [
            ("\"2021-01-01\"", "YYYY-MM-DDTHH:MM:SSZ"),
            ("\"2019-01-01T00:00:00Z\"", "not after start_date"),
            ("20210101", "must be a string"),
        ] {
            let m = err(&format!(r#"{{{base},"end_date":{bad}}}"#));
            assert!(m.contains(needle), "{bad}: {m}");
        }
    }

    #[test]
    fn fields_are_those_of_the_spec() {
        let spec: Value = serde_json::from_str(include_str!("spec.json")).unwrap();
        let mut fields: Vec<&str> = spec["connectionSpecification"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        let mut ours = FIELDS.to_vec();
        ours.sort_unstable();
        assert_eq!(fields, ours);
    }

    #[test]
    fn near_misses_of_known_fields_are_typos_and_other_fields_are_not() {
        let typos = |text: &str| -> Vec<(String, &'static str)> {
            let Value::Object(map) = serde_json::from_str(text).unwrap() else {
                panic!("{text}")
            };
            likely_typos(&map)
                .into_iter()
                .map(|(found, known)| (found.to_owned(), known))
                .collect()
        };
        for (found, known) in [
            ("lookback_window_day", "lookback_window_days"),
            ("lookback_windows_days", "lookback_window_days"),
            ("lookbakc_window_days", "lookback_window_days"),
            ("lookbackWindowDays", "lookback_window_days"),
            ("Lookback-Window-Days", "lookback_window_days"),
            ("request_per_minute", "requests_per_minute"),
            ("requests_per_minut", "requests_per_minute"),
            ("requestsPerMinute", "requests_per_minute"),
            ("end_data", "end_date"),
            ("enddate", "end_date"),
            ("start_dat", "start_date"),
            ("secretkey", "secret_key"),
            ("SECRET_KEY", "secret_key"),
        ] {
            assert_eq!(
                typos(&format!(r#"{{"{found}": 1}}"#)),
                [(found.to_owned(), known)],
                "{found}"
            );
        }
        // Known fields, and extras far from any of them, are no typos.
        assert!(typos(
            r#"{"secret_key": 1, "start_date": 1, "lookback_window_days": 1, "requests_per_minute": 1,
                "end_date": 1, "extra": 1, "end_time": 1, "start_datetime": 1, "lookback": 1,
                "api_key": 1, "window_days": 1, "name": 1, "": 1}"#
        )
        .is_empty());
    }

    #[test]
    fn a_required_field_misspelt_is_named_in_the_error() {
        let m = err(r#"{"secret_key": "sk_test_abc", "start_dat": "2020-01-01T00:00:00Z"}"#);
        assert_eq!(
            m,
            "The config has no start_date, but it has \"start_dat\": did you mean start_date? \
             Rename the field."
        );
        let m =
            err(r#"{"secretKey": "sk_test_SECRETVALUE99", "start_date": "2020-01-01T00:00:00Z"}"#);
        assert!(m.contains("did you mean secret_key?"), "{m}");
        assert!(!m.contains("SECRETVALUE"), "{m}");
        // A typo of an optional field changes nothing but a warning.
        let c = parse(
            r#"{"secret_key": "sk_test_abc", "start_date": "2020-01-01T00:00:00Z", "lookback_window_day": 7}"#,
            now(),
        )
        .unwrap();
        assert_eq!(c.lookback_window_days, 0);
    }

    #[test]
    fn an_integral_float_lookback_is_an_integer() {
        let c = ok(
            r#"{"secret_key":"sk_test_a","start_date":"2020-01-01T00:00:00Z","lookback_window_days":3.0}"#,
        );
        assert_eq!(c.lookback_window_days, 3);
    }

    crate::testing::never_panics!(config_parsing_never_panics, |text: &str| drop(parse(
        text,
        now()
    )));

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn config_errors_never_contain_the_key(value in any_json(), lookback in any_json()) {
            let key = "sk_test_PROPCANARY42";
            let mut cfg = serde_json::json!({"secret_key": key, "start_date": value, "lookback_window_days": lookback});
            if let Err(e) = parse(&cfg.to_string(), now()) {
                prop_assert!(!e.to_string().contains("PROPCANARY"));
            }
            cfg["secret_key"] = serde_json::json!(format!("{key}!"));
            let e = parse(&cfg.to_string(), now()).unwrap_err();
            prop_assert!(!e.to_string().contains("PROPCANARY"));
        }
    }
}
