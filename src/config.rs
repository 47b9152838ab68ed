//! The user's config: read, validated against the rules of `spec.json`, and
//! turned into a [`Config`] with parsed dates and a secret key that cannot be
//! printed.
//!
//! Validation is written by hand rather than run through a JSON-schema engine
//! so that every message names the field and the fix (a stream name that is
//! not one gets the closest one as a suggestion), and so that no message can
//! ever echo the secret key. A test checks that this validator and
//! `spec.json` accept and reject the same `stream_lookback_days`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::completeness::Completeness;
use crate::error::Error;
use crate::input::json_type;
use crate::streams::{STREAMS, StreamDef};
use crate::suggest::{did_you_mean, is_typo_of, typo_distance};

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
    /// Per-stream overrides of `lookback_window_days`, by stream name (only
    /// streams with a cursor). See [`Config::lookback_days`].
    pub stream_lookback_days: BTreeMap<&'static str, u64>,
    /// What a list that falls short of Paystack's count does, by stream name
    /// (only streams whose lists carry a count); others are strict. See
    /// `crate::completeness`.
    pub completeness: BTreeMap<&'static str, Completeness>,
    /// Every record of a stream with a cursor is re-read at least once in
    /// this many days; `None`: only the lookback is re-read.
    pub refresh_window_days: Option<u64>,
    /// Per-stream overrides of `refresh_window_days`, by stream name (only
    /// streams with a cursor). See [`Config::refresh_days`].
    pub stream_refresh_days: BTreeMap<&'static str, u64>,
    /// The fields this connector does not know, which it ignores, each
    /// with the known field it looks like a typo of.
    pub ignored: Vec<(String, Option<&'static str>)>,
}

impl Config {
    /// The lookback of stream `def`, in days: its own `stream_lookback_days`
    /// entry; for a child stream not named there, its parent's entry (it is
    /// read through its parent's window); else `lookback_window_days`.
    pub fn lookback_days(&self, def: &StreamDef) -> u64 {
        per_stream(&self.stream_lookback_days, def).unwrap_or(self.lookback_window_days)
    }

    /// The refresh horizon of stream `def`, in days (every record re-read
    /// at least once within it): its own `stream_refresh_days` entry; for a
    /// child stream not named there, its parent's; else
    /// `refresh_window_days`. `None` for a stream without a cursor, or when
    /// neither is set.
    pub fn refresh_days(&self, def: &StreamDef) -> Option<u64> {
        def.cursor_field()?;
        per_stream(&self.stream_refresh_days, def).or(self.refresh_window_days)
    }

    /// One sentence naming every ignored field and what it likely meant,
    /// for `check`'s status; `None` when none is ignored.
    pub fn ignored_note(&self) -> Option<String> {
        if self.ignored.is_empty() {
            return None;
        }
        let fields = self
            .ignored
            .iter()
            .map(|(found, known)| match known {
                Some(known) => format!("{found:?} (did you mean {known}?)"),
                None => format!("{found:?} (not a field of this connector)"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!(
            "The config has fields this connector ignores: {fields}. Rename or remove them; the \
             fields it reads are {}.",
            FIELDS.join(", ")
        ))
    }

    /// The completeness of stream `def`: its `completeness` entry, else
    /// strict.
    pub fn completeness(&self, def: &StreamDef) -> Completeness {
        self.completeness.get(def.name).copied().unwrap_or_default()
    }
}

/// The entry of `def` in a per-stream setting, else its parent's (a child
/// stream is read through its parent's window).
fn per_stream(settings: &BTreeMap<&'static str, u64>, def: &StreamDef) -> Option<u64> {
    let own = settings.get(def.name);
    own.or_else(|| def.parent.and_then(|p| settings.get(p.stream)))
        .copied()
}

/// Reads and validates the config file at `path`.
///
/// # Errors
/// A [`Error::Config`] naming the problem and the fix when the file is
/// missing, not JSON, or breaks a rule of the spec.
pub fn load(path: &Path, now: DateTime<Utc>) -> Result<Config, Error> {
    let text = crate::input::read(
        "config",
        path,
        "Pass --config with the path of a JSON file holding secret_key and start_date (see \
             sample_files/config.json).",
    )?;
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
            json_type(&value)
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
    let mut config = from_map(&map, now)?;
    config.ignored = map
        .keys()
        .filter(|found| !FIELDS.contains(&found.as_str()))
        .map(|found| {
            let known = typos.iter().find(|(f, _)| f == found).map(|(_, k)| *k);
            (found.clone(), known)
        })
        .collect();
    Ok(config)
}

/// The config fields of `spec.json`.
pub const FIELDS: [&str; 9] = [
    "secret_key",
    "start_date",
    "lookback_window_days",
    "stream_lookback_days",
    "requests_per_minute",
    "end_date",
    "completeness",
    "refresh_window_days",
    "stream_refresh_days",
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
                .filter(|known| is_typo_of(found, known))
                .map(|known| (typo_distance(found, known), *known))
                .min()
                .map(|(_, known)| (found.as_str(), known))
        })
        .collect()
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
                json_type(other)
            )));
        }
    };
    let stream_lookback_days = stream_lookback_days(map.get("stream_lookback_days"))?;
    let completeness = completeness(map.get("completeness"))?;
    let refresh_window_days = match map.get("refresh_window_days") {
        None | Some(Value::Null) => None,
        Some(value) => Some(positive_days("refresh_window_days", value)?),
    };
    let stream_refresh_days = stream_refresh_days(map.get("stream_refresh_days"))?;
    Ok(Config {
        secret_key,
        start_date,
        lookback_window_days,
        requests_per_minute,
        end_date,
        stream_lookback_days,
        completeness,
        refresh_window_days,
        stream_refresh_days,
        ignored: Vec::new(),
    })
}

/// `completeness`: an object of stream names (streams whose lists carry a
/// count) and `"strict"` or `"warn"`.
fn completeness(value: Option<&Value>) -> Result<BTreeMap<&'static str, Completeness>, Error> {
    let values = Completeness::NAMES.map(|v| format!("\"{v}\"")).join(" or ");
    let field = PerStream {
        field: "completeness",
        values: &format!("{values}, for example {{\"transactions\": \"warn\"}}"),
        offered: StreamDef::counted,
        offered_are: "Streams whose lists are checked against Paystack's counts",
        not_offered: "whose list pages by cursor and carries no count, so it is never checked \
                      against one and this setting changes nothing. Remove it.",
    };
    field.read(value, |name, value| {
        let mode = match value {
            Value::String(text) => Completeness::parse(text),
            _ => None,
        };
        mode.ok_or_else(|| {
            Error::config(format!(
                "completeness.{name} is {value}, but it must be {values}: \"strict\" (the \
                 default) fails the stream when Paystack delivers fewer records than it counts, \
                 \"warn\" logs a warning and trusts what was delivered."
            ))
        })
    })
}

/// `stream_lookback_days`: an object of stream names (streams with a
/// cursor) and whole numbers of days, 0 or more.
fn stream_lookback_days(value: Option<&Value>) -> Result<BTreeMap<&'static str, u64>, Error> {
    stream_days(
        value,
        "stream_lookback_days",
        "{\"disputes\": 60, \"transactions\": 2}",
        ("a lookback", "a lookback changes nothing"),
        non_negative,
    )
}

/// `stream_refresh_days`: an object of stream names (streams with a cursor)
/// and whole numbers of days, 1 or more.
fn stream_refresh_days(value: Option<&Value>) -> Result<BTreeMap<&'static str, u64>, Error> {
    stream_days(
        value,
        "stream_refresh_days",
        "{\"subscriptions\": 7, \"transactions\": 90}",
        ("a refresh window", "it is always fresh"),
        positive_days,
    )
}

/// A per-stream setting in days for the streams with a cursor: `example`
/// shows it, `setting` names it and says why a full refresh stream has no
/// use for it, and `days` reads one value.
fn stream_days(
    value: Option<&Value>,
    field: &'static str,
    example: &str,
    (setting, useless): (&str, &str),
    days: fn(&str, &Value) -> Result<u64, Error>,
) -> Result<BTreeMap<&'static str, u64>, Error> {
    let per_stream = PerStream {
        field,
        values: &format!("whole numbers of days, for example {example}"),
        offered: |d| d.cursor_field().is_some(),
        offered_are: &format!("Streams that can have {setting}"),
        not_offered: &format!(
            "a full refresh stream: it has no cursor and is read whole on every sync, so \
             {useless}. Remove it."
        ),
    };
    per_stream.read(value, |name, value| days(&format!("{field}.{name}"), value))
}

/// `value` of `field` as a whole number of days, 1 or more.
fn positive_days(field: &str, value: &Value) -> Result<u64, Error> {
    match non_negative(field, value)? {
        0 => Err(Error::config(format!(
            "{field} is 0, but it must be at least 1: every record is re-read at least once in \
             that many days. Set a whole number of 1 or more, or remove it to re-read only the \
             lookback."
        ))),
        days => Ok(days),
    }
}

/// A config field that maps stream names to a setting each, and the
/// streams it may name.
struct PerStream<'a> {
    field: &'static str,
    /// What the values are, with an example.
    values: &'a str,
    /// The streams it may name.
    offered: fn(&StreamDef) -> bool,
    /// Says "these are the streams it may name": `Streams that can …`.
    offered_are: &'a str,
    /// Why a stream that is not offered cannot be named, and the fix.
    not_offered: &'a str,
}

impl PerStream<'_> {
    /// The settings in `value`, each read by `setting` (given the stream's
    /// name and its value).
    fn read<T>(
        &self,
        value: Option<&Value>,
        setting: impl Fn(&str, &Value) -> Result<T, Error>,
    ) -> Result<BTreeMap<&'static str, T>, Error> {
        let field = self.field;
        let named = || STREAMS.iter().filter(|d| (self.offered)(d)).map(|d| d.name);
        let valid = || named().collect::<Vec<_>>().join(", ");
        let entries = match value {
            None | Some(Value::Null) => return Ok(BTreeMap::new()),
            Some(Value::Object(entries)) => entries,
            Some(other) => {
                return Err(Error::config(format!(
                    "{field} must be an object of stream names and {}, not {}.",
                    self.values,
                    json_type(other)
                )));
            }
        };
        let mut settings = BTreeMap::new();
        for (name, value) in entries {
            let Some(def) = STREAMS.iter().find(|d| d.name == name) else {
                let suggestion = did_you_mean(name, named())
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                return Err(Error::config(format!(
                    "{field} names \"{name}\", which is not a stream.{suggestion} {}: {}.",
                    self.offered_are,
                    valid()
                )));
            };
            if !(self.offered)(def) {
                return Err(Error::config(format!(
                    "{field} names \"{name}\", {} {}: {}.",
                    self.not_offered,
                    self.offered_are,
                    valid()
                )));
            }
            settings.insert(def.name, setting(name, value)?);
        }
        Ok(settings)
    }
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
            json_type(other)
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
                json_type(other)
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
        Some(value) => non_negative(field, value),
    }
}

/// `value` of `field` as a whole number, 0 or more.
fn non_negative(field: &str, value: &Value) -> Result<u64, Error> {
    match value {
        Value::Number(n) => {
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
        other => Err(Error::config(format!(
            "{field} must be a whole number (0 or more), not {}.",
            json_type(other)
        ))),
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
            ("lookback_window", "lookback_window_days"),
            ("requests_per_min", "requests_per_minute"),
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

    /// Every unknown field is listed as ignored, a typo with the field it
    /// likely meant; a config without unknown fields has no note.
    #[test]
    fn every_ignored_field_is_named_with_its_likely_meaning() {
        let c = ok(
            r#"{"secret_key": "sk_test_abc", "start_date": "2020-01-01T00:00:00Z", "enddate": "x",
                "requests_per_minit": 5, "lookback_window": 31, "extra": 1}"#,
        );
        assert_eq!(
            c.ignored_note().unwrap(),
            "The config has fields this connector ignores: \"enddate\" (did you mean end_date?), \
             \"extra\" (not a field of this connector), \"lookback_window\" (did you mean \
             lookback_window_days?), \"requests_per_minit\" (did you mean requests_per_minute?). \
             Rename or remove them; the fields it reads are secret_key, start_date, \
             lookback_window_days, stream_lookback_days, requests_per_minute, end_date, \
             completeness, refresh_window_days, stream_refresh_days."
        );
        assert_eq!(c.lookback_window_days, 0);
        assert_eq!(ok(&with(r#""end_date":null"#)).ignored_note(), None);
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

    /// A config with the base fields and `extra` (a JSON object's members).
    fn with(extra: &str) -> String {
        format!(
            r#"{{"secret_key":"sk_test_a","start_date":"2020-01-01T00:00:00Z","lookback_window_days":7,{extra}}}"#
        )
    }

    fn def(name: &str) -> &'static StreamDef {
        crate::streams::find(name).unwrap()
    }

    #[test]
    fn a_lookback_per_stream_overrides_the_global_one_and_children_follow_their_parent() {
        let c = ok(&with(
            r#""stream_lookback_days":{"disputes":60,"transactions":2,"settlements":3,"bulk_charges":0,"bulk_charge_items":5}"#,
        ));
        let days = |name| c.lookback_days(def(name));
        assert_eq!(days("disputes"), 60);
        assert_eq!(days("transactions"), 2);
        assert_eq!(days("customers"), 7, "not named: lookback_window_days");
        assert_eq!(days("settlement_transactions"), 3, "its parent's");
        assert_eq!(days("bulk_charges"), 0);
        assert_eq!(days("bulk_charge_items"), 5, "named itself");
        // The window of each stream, from the same saved cursor.
        let now = Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap();
        let cursor = Utc.with_ymd_and_hms(2024, 5, 20, 0, 0, 0).unwrap();
        let from = |name| {
            crate::window::window(
                crate::protocol::SyncMode::Incremental,
                c.start_date,
                None,
                Some(cursor),
                days(name),
                now,
            )
            .unwrap()
            .from
        };
        let day = chrono::TimeDelta::days(1);
        assert_eq!(from("disputes"), cursor - day * 60);
        assert_eq!(from("transactions"), cursor - day * 2);
        assert_eq!(from("customers"), cursor - day * 7);
        assert_eq!(from("settlement_transactions"), cursor - day * 3);
        assert_eq!(from("bulk_charges"), cursor);
        // Without the field, or with it empty or null: the global value.
        for extra in [
            r#""x":1"#,
            r#""stream_lookback_days":{}"#,
            r#""stream_lookback_days":null"#,
        ] {
            let c = ok(&with(extra));
            assert!(c.stream_lookback_days.is_empty(), "{extra}");
            assert_eq!(c.lookback_days(def("disputes")), 7, "{extra}");
        }
    }

    #[test]
    fn a_bad_stream_lookback_says_which_stream_and_what_to_do() {
        let cases = [
            (
                r#"{"dispute":60}"#,
                r#"stream_lookback_days names "dispute", which is not a stream. Did you mean "disputes"?"#,
            ),
            (r#"{"Transactions":2}"#, r#"Did you mean "transactions"?"#),
            (
                r#"{"settlement-transactions":2}"#,
                r#"Did you mean "settlement_transactions"?"#,
            ),
            (
                r#"{"payouts":2}"#,
                "which is not a stream. Streams that can have a lookback: customers, disputes,",
            ),
            (
                r#"{"subaccounts":3}"#,
                r#"names "subaccounts", a full refresh stream: it has no cursor"#,
            ),
            (
                r#"{"terminals":3}"#,
                "a lookback changes nothing. Remove it.",
            ),
            (
                r#"{"disputes":-1}"#,
                "stream_lookback_days.disputes is -1, but it cannot be negative",
            ),
            (
                r#"{"disputes":"60"}"#,
                "stream_lookback_days.disputes must be a whole number (0 or more), not a string",
            ),
            (r#"{"disputes":2.5}"#, "must be a whole number of days"),
            (r#"{"disputes":null}"#, "not null"),
            (r#"[["disputes",60]]"#, "must be an object of stream names"),
            (r#""disputes=60""#, "not a string"),
        ];
        for (value, needle) in cases {
            let m = err(&with(&format!(r#""stream_lookback_days":{value}"#)));
            assert!(m.contains(needle), "{value} -> {m}");
        }
        let m = err(&with(r#""stream_lookback_days":{"payouts":2}"#));
        assert!(!m.contains("Did you mean"), "nothing close: {m}");
        assert!(
            !m.contains("subaccounts"),
            "only streams with a cursor: {m}"
        );
    }

    /// `spec.json` and this validator agree on `stream_lookback_days` and
    /// `stream_refresh_days`: the spec names exactly the streams with a
    /// cursor, and a config passes the spec exactly when it passes here,
    /// except for a name the spec does not list, which the spec lets through
    /// (Airbyte's acceptance tests want `additionalProperties` true in specs;
    /// its UI offers only the listed names) and this validator rejects.
    #[test]
    fn the_spec_lists_the_streams_with_a_cursor() {
        for (name, minimum, global) in [
            ("stream_lookback_days", 0, "lookback_window_days"),
            ("stream_refresh_days", 1, "refresh_window_days"),
        ] {
            spec_lists_the_streams_with_a_cursor(name, minimum, global);
        }
    }

    fn spec_lists_the_streams_with_a_cursor(name: &str, minimum: u64, global: &str) {
        let spec: Value = serde_json::from_str(crate::app::SPEC).unwrap();
        let field = &spec["connectionSpecification"]["properties"][name];
        let listed: Vec<&str> = field["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut with_cursor: Vec<&str> = STREAMS
            .iter()
            .filter(|d| d.cursor_field().is_some())
            .map(|d| d.name)
            .collect();
        with_cursor.sort_unstable();
        assert_eq!(
            listed,
            with_cursor,
            "{}",
            spec_entries_to_change(name, &listed, &with_cursor, |stream| {
                serde_json::json!({"type": "integer", "title": stream, "minimum": minimum})
            })
        );
        for (stream, prop) in field["properties"].as_object().unwrap() {
            assert_eq!(prop["type"], "integer", "{name}.{stream}");
            assert_eq!(prop["title"], stream.as_str(), "{name}.{stream}");
            assert_eq!(prop["minimum"], minimum, "{name}.{stream}");
        }
        assert!(field["description"].as_str().unwrap().contains(global));
        let example = field["examples"][0].as_object().unwrap();
        let first = example.keys().next().unwrap();
        let text = format!(r#""{name}":{}"#, field["examples"][0]);
        let parsed = ok(&with(&text));
        let map = if name == "stream_lookback_days" {
            parsed.stream_lookback_days
        } else {
            parsed.stream_refresh_days
        };
        assert!(map.contains_key(first.as_str()), "{name}: {text}");
    }

    #[test]
    fn refresh_is_off_unless_set_and_a_stream_setting_overrides_the_global_one() {
        let off = ok(&with(r#""end_date":null"#));
        assert!(STREAMS.iter().all(|d| off.refresh_days(d).is_none()));
        let c = ok(&with(
            r#""refresh_window_days":30,"stream_refresh_days":{"subscriptions":7,"settlements":10,"bulk_charges":20,"bulk_charge_items":5}"#,
        ));
        let days = |name| c.refresh_days(def(name));
        assert_eq!(days("subscriptions"), Some(7));
        assert_eq!(
            days("transactions"),
            Some(30),
            "not named: refresh_window_days"
        );
        assert_eq!(days("settlement_transactions"), Some(10), "its parent's");
        assert_eq!(days("bulk_charge_items"), Some(5), "named itself");
        assert_eq!(days("plans"), Some(30));
        let full_refresh = STREAMS.iter().find(|d| d.cursor_field().is_none()).unwrap();
        assert_eq!(c.refresh_days(full_refresh), None, "no cursor, no refresh");
        let only_streams = ok(&with(r#""stream_refresh_days":{"disputes":14}"#));
        assert_eq!(only_streams.refresh_days(def("disputes")), Some(14));
        assert_eq!(only_streams.refresh_days(def("transactions")), None);
        assert_eq!(
            ok(&with(r#""refresh_window_days":3.0"#)).refresh_window_days,
            Some(3)
        );
        assert!(
            ok(&with(r#""refresh_window_days":null"#))
                .refresh_window_days
                .is_none()
        );
    }

    #[test]
    fn bad_refresh_settings_name_the_field_and_the_fix() {
        let cases = [
            (
                r#""refresh_window_days":0"#,
                "refresh_window_days is 0, but it must be at least 1",
            ),
            (
                r#""refresh_window_days":-3"#,
                "refresh_window_days is -3, but it cannot be negative",
            ),
            (
                r#""refresh_window_days":"30""#,
                "refresh_window_days must be a whole number",
            ),
            (
                r#""refresh_window_days":2.5"#,
                "must be a whole number of days",
            ),
            (
                r#""stream_refresh_days":{"subscription":7}"#,
                r#"stream_refresh_days names "subscription", which is not a stream. Did you mean "subscriptions"?"#,
            ),
            (
                r#""stream_refresh_days":{"disputes":0}"#,
                "stream_refresh_days.disputes is 0, but it must be at least 1",
            ),
            (
                r#""stream_refresh_days":[7]"#,
                "stream_refresh_days must be an object of stream names and whole numbers of days",
            ),
        ];
        for (extra, needle) in cases {
            let m = err(&with(extra));
            assert!(m.contains(needle), "{extra}: {m}");
        }
        let full_refresh = STREAMS.iter().find(|d| d.cursor_field().is_none()).unwrap();
        let m = err(&with(&format!(
            r#""stream_refresh_days":{{"{}":7}}"#,
            full_refresh.name
        )));
        assert!(m.contains("a full refresh stream"), "{m}");
        assert!(
            m.contains("Streams that can have a refresh window: "),
            "{m}"
        );
    }

    #[test]
    fn completeness_is_strict_unless_a_stream_is_set_to_warn() {
        let c = ok(&with(
            r#""completeness":{"transactions":"warn","settlement_transactions":"strict"}"#,
        ));
        assert_eq!(c.completeness(def("transactions")), Completeness::Warn);
        assert_eq!(
            c.completeness(def("settlement_transactions")),
            Completeness::Strict
        );
        assert_eq!(
            c.completeness(def("customers")),
            Completeness::Strict,
            "not named"
        );
        for extra in [r#""completeness":{}"#, r#""completeness":null"#] {
            assert!(ok(&with(extra)).completeness.is_empty(), "{extra}");
        }
        let cases = [
            (
                r#"{"transaction":"warn"}"#,
                "completeness names \"transaction\", which is not a stream. Did you mean \"transactions\"? Streams whose lists are checked against Paystack's counts: customers,",
            ),
            (
                r#"{"terminals":"warn"}"#,
                "whose list pages by cursor and carries no count",
            ),
            (
                r#"{"transactions":"lenient"}"#,
                "completeness.transactions is \"lenient\", but it must be \"strict\" or \"warn\"",
            ),
            (
                r#"{"transactions":"WARN"}"#,
                "must be \"strict\" or \"warn\"",
            ),
            (
                r#"{"transactions":true}"#,
                "completeness.transactions is true",
            ),
            (
                r#"["transactions"]"#,
                "completeness must be an object of stream names and \"strict\" or \"warn\"",
            ),
        ];
        for (value, needle) in cases {
            let m = err(&with(&format!(r#""completeness":{value}"#)));
            assert!(m.contains(needle), "{value}: {m}");
        }
        let m = err(&with(r#""completeness":{"terminals":"warn"}"#));
        assert!(!m.contains(", terminals,"), "terminals is not offered: {m}");
    }

    /// `spec.json` offers `completeness` for exactly the streams this
    /// validator accepts, with the values it accepts, and its example passes.
    #[test]
    fn the_spec_lists_the_streams_whose_lists_are_counted() {
        let spec: Value = serde_json::from_str(crate::app::SPEC).unwrap();
        let field = &spec["connectionSpecification"]["properties"]["completeness"];
        let props = field["properties"].as_object().unwrap();
        let listed: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut counted: Vec<&str> = STREAMS
            .iter()
            .filter(|d| d.counted())
            .map(|d| d.name)
            .collect();
        counted.sort_unstable();
        assert_eq!(
            listed,
            counted,
            "{}",
            spec_entries_to_change("completeness", &listed, &counted, |name| {
                serde_json::json!({"type": "string", "title": name,
                    "enum": Completeness::NAMES, "default": "strict"})
            })
        );
        for (name, prop) in props {
            assert_eq!(prop["type"], "string", "{name}");
            assert_eq!(prop["title"], name.as_str(), "{name}");
            assert_eq!(
                prop["enum"],
                serde_json::json!(Completeness::NAMES),
                "{name}"
            );
            assert_eq!(prop["default"], "strict", "{name}");
            let text = format!(r#""completeness":{{"{name}":"warn"}}"#);
            assert_eq!(ok(&with(&text)).completeness(def(name)), Completeness::Warn);
        }
        let example = format!(r#""completeness":{}"#, field["examples"][0]);
        assert!(!ok(&with(&example)).completeness.is_empty());
    }

    /// What to change in `src/spec.json` so that the per-stream properties of
    /// `field` are those of `wanted`: each entry to add, in full, and each to
    /// remove.
    fn spec_entries_to_change(
        field: &str,
        listed: &[&str],
        wanted: &[&str],
        entry: impl Fn(&str) -> Value,
    ) -> String {
        let at = format!("src/spec.json, connectionSpecification.properties.{field}.properties");
        let mut out = vec![];
        for name in wanted.iter().filter(|n| !listed.contains(n)) {
            out.push(format!("add to {at}: \"{name}\": {}", entry(name)));
        }
        for name in listed.iter().filter(|n| !wanted.contains(n)) {
            out.push(format!("remove from {at}: \"{name}\""));
        }
        out.join("\n")
    }

    fn lookback_entry() -> impl Strategy<Value = (String, Value)> {
        let names = prop_oneof![
            Just("disputes"),
            Just("transactions"),
            Just("settlement_transactions"),
            Just("orders"),
            Just("subaccounts"),
            Just("terminals"),
            Just("dispute"),
            Just("Transactions"),
        ];
        let values = prop_oneof![
            (0u64..400).prop_map(Value::from),
            (-400i64..0).prop_map(Value::from),
            Just(serde_json::json!(3.0)),
            Just(serde_json::json!(2.5)),
            Just(serde_json::json!("5")),
            Just(Value::Null),
            Just(Value::Bool(true)),
        ];
        (names, values).prop_map(|(n, v)| (n.to_owned(), v))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn spec_and_validator_agree_on_stream_lookbacks(
            entries in prop::collection::vec(lookback_entry(), 0..4),
            not_an_object in proptest::option::of(prop_oneof![
                Just(serde_json::json!([1])), Just(serde_json::json!("x")), Just(serde_json::json!(5)),
            ]),
        ) {
            let spec: Value = serde_json::from_str(crate::app::SPEC).unwrap();
            let conn = &spec["connectionSpecification"];
            let validator = jsonschema::draft7::new(conn).unwrap();
            let value = not_an_object.unwrap_or_else(|| {
                Value::Object(entries.iter().cloned().collect())
            });
            let config = serde_json::json!({
                "secret_key": "sk_test_a", "start_date": "2020-01-01T00:00:00Z",
                "stream_lookback_days": value,
            });
            let spec_ok = validator.is_valid(&config);
            let ours = parse(&config.to_string(), now());
            let listed = conn["properties"]["stream_lookback_days"]["properties"].as_object().unwrap();
            let unlisted = value.as_object().is_some_and(|m| m.keys().any(|k| !listed.contains_key(k)));
            if unlisted {
                prop_assert!(ours.is_err(), "{config}");
            } else {
                prop_assert_eq!(spec_ok, ours.is_ok(), "{} -> {:?}", config, ours.err());
            }
        }
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
