//! Reading the input state in every shape Airbyte (and Airbyte's own Paystack
//! connector) has written, and the cursor values inside it.
//!
//! Accepted shapes:
//! - the per-stream array `[{"type": "STREAM", "stream": {...}}, ...]`;
//! - GLOBAL: `[{"type": "GLOBAL", "global": {"stream_states": [...]}}]`;
//! - LEGACY: `[{"type": "LEGACY", "data": {"customers": {"createdAt": ...}}}]`
//!   (or a message with `data` and no `type`);
//! - a single state message object of any of the kinds above;
//! - the bare legacy object `{"customers": {"createdAt": "..."}}`;
//! - an empty file, `null`, `{}` and `[]` (no state).
//!
//! Cursor values may have 0 to 9 fractional digits, a `Z` or a numeric
//! offset, or be epoch seconds (early versions of Airbyte's connector stored
//! integers). The concurrent-CDK shape `{"state_type": "date-range",
//! "slices": [...]}` is read too, so a state written by any version of
//! Airbyte's connector resumes without re-reading history.
//!
//! Beside the cursor, a stream's state may hold the refresh sweep's place
//! (`"sweep": {...}`, see `crate::sweep`); Airbyte's connector reads only
//! the cursor, so a state with it resumes there too.
//!
//! What the state holds for each stream name is kept ([`Entry`]), so that
//! `crate::state_review` can check it against the selected streams, and so
//! are the streams whose cursor bears the marks of Airbyte's low-code
//! connector ([`InputState::written_by_airbyte`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::input::json_type;
use crate::streams;
use crate::sweep::Sweep;
use crate::time::parse_cursor;

/// The cursors found in the input state, by stream name.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct InputState {
    cursors: HashMap<String, DateTime<Utc>>,
    /// The refresh sweep's place, by stream name, where the state has one.
    sweeps: HashMap<String, Sweep>,
    /// Every stream the state names, and what its entry held.
    entries: BTreeMap<String, Entry>,
    /// Streams whose cursor was written by Airbyte's low-code connector.
    airbyte: BTreeSet<String>,
}

/// What the state held for one stream name. Ordered so that, of two entries
/// for one stream, the one understood wins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// A name that is not a stream of this connector.
    UnknownStream,
    /// A stream of this connector, but keyed in a way this connector (and
    /// Airbyte's) never writes, e.g. `{"updatedAt": ...}`: its keys.
    Foreign(Vec<String>),
    /// A state this connector understands, with or without a cursor.
    Understood,
}

impl InputState {
    /// The saved cursor of a stream, if any.
    pub fn cursor(&self, stream: &str) -> Option<DateTime<Utc>> {
        self.cursors.get(stream).copied()
    }

    /// The saved refresh sweep of a stream, if any (see `crate::sweep`).
    pub fn sweep(&self, stream: &str) -> Option<Sweep> {
        self.sweeps.get(stream).copied()
    }

    /// Number of streams with a cursor.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.cursors.len()
    }

    /// True when no stream has a cursor.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.cursors.is_empty()
    }

    /// Every stream name the state holds, and what its entry held.
    pub fn entries(&self) -> &BTreeMap<String, Entry> {
        &self.entries
    }

    /// True when the cursor of `stream` was written by Airbyte's low-code
    /// source-paystack: a value with exactly six fractional digits (its
    /// `%Y-%m-%dT%H:%M:%S.%fZ`; this connector writes three) or the
    /// concurrent CDK's `date-range` shape. A state from the versions of
    /// Airbyte's connector that kept Paystack's own three digits cannot be
    /// told from this connector's, and is not counted.
    pub fn written_by_airbyte(&self, stream: &str) -> bool {
        self.airbyte.contains(stream)
    }

    fn note(&mut self, stream: &str, entry: Entry) {
        let slot = self
            .entries
            .entry(stream.to_owned())
            .or_insert(Entry::UnknownStream);
        if entry > *slot {
            *slot = entry;
        }
    }
}

/// Reads the state file at `path`.
///
/// # Errors
/// A [`Error::Config`] when the file cannot be read, is not JSON, has an
/// unknown shape, or holds a cursor that is not a date-time.
pub fn load(path: &std::path::Path) -> Result<InputState, Error> {
    let text = crate::input::read(
        "state",
        path,
        "Pass --state with the path of a state JSON file, or leave --state out for a sync \
             from start_date.",
    )?;
    parse(&text)
}

/// Parses state text.
///
/// # Errors
/// See [`load`].
pub fn parse(text: &str) -> Result<InputState, Error> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(InputState::default());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::config(format!(
            "The state is not valid JSON ({e}). Pass the state Airbyte saved (a JSON array of \
             state messages), or reset the connection's state."
        ))
    })?;
    let mut state = InputState::default();
    match &value {
        Value::Null => {}
        Value::Array(messages) => {
            for (i, message) in messages.iter().enumerate() {
                read_message(message, &mut state)
                    .map_err(|m| Error::config(format!("State message {i}: {m}")))?;
            }
        }
        Value::Object(map) if looks_like_message(map) => {
            read_message(&value, &mut state).map_err(Error::config)?;
        }
        Value::Object(map) => read_legacy(map, &mut state).map_err(Error::config)?,
        other => {
            return Err(Error::config(format!(
                "The state must be a JSON array of state messages or an object, not {}. Pass the \
                 state Airbyte saved, or reset the connection's state.",
                json_type(other)
            )));
        }
    }
    Ok(state)
}

fn looks_like_message(map: &Map<String, Value>) -> bool {
    map.get("type").is_some_and(Value::is_string)
        || map.contains_key("stream")
        || map.contains_key("global")
        || (map.contains_key("data") && map.len() <= 3)
}

fn read_message(message: &Value, state: &mut InputState) -> Result<(), String> {
    let Value::Object(map) = message else {
        return Err(format!(
            "a state message must be an object, not {}. Reset the connection's state or fix the file.",
            json_type(message)
        ));
    };
    let kind = map.get("type").and_then(Value::as_str);
    match kind {
        Some("STREAM") => read_stream_state(map.get("stream"), state),
        Some("GLOBAL") => {
            let states = map
                .get("global")
                .and_then(|g| g.get("stream_states"))
                .and_then(Value::as_array)
                .ok_or("a GLOBAL state needs global.stream_states (an array)")?;
            for s in states {
                read_stream_state(Some(s), state)?;
            }
            Ok(())
        }
        Some("LEGACY") | None if map.contains_key("data") => match map.get("data") {
            Some(Value::Object(data)) => read_legacy(data, state),
            Some(Value::Null) => Ok(()),
            Some(other) => Err(format!(
                "LEGACY state data must be an object, not {}",
                json_type(other)
            )),
            None => Ok(()),
        },
        None if map.contains_key("stream") => read_stream_state(map.get("stream"), state),
        Some("STATE") if map.contains_key("state") => Err(
            "this is a STATE message as read writes it, not a state: --state takes a JSON array \
             of the \"state\" objects inside such messages, the last one of each stream (the \
             README shows how to build it)"
                .into(),
        ),
        Some(other) => Err(format!(
            "unknown state type {other:?} (expected STREAM, GLOBAL or LEGACY). Reset the \
             connection's state or fix the file."
        )),
        None => Err("a state message needs a type (STREAM, GLOBAL or LEGACY)".into()),
    }
}

fn read_stream_state(stream: Option<&Value>, state: &mut InputState) -> Result<(), String> {
    let stream = stream.ok_or("a STREAM state needs a stream object")?;
    let name = stream
        .get("stream_descriptor")
        .and_then(|d| d.get("name"))
        .and_then(Value::as_str)
        .ok_or("a stream state needs stream_descriptor.name")?;
    read_blob(
        name,
        stream.get("stream_state").unwrap_or(&Value::Null),
        state,
    )
}

fn read_legacy(data: &Map<String, Value>, state: &mut InputState) -> Result<(), String> {
    for (name, blob) in data {
        read_blob(name, blob, state)?;
    }
    Ok(())
}

/// Reads one stream's state blob, e.g. `{"createdAt": "2024-01-01T00:00:00Z"}`.
fn read_blob(name: &str, blob: &Value, state: &mut InputState) -> Result<(), String> {
    let Some(def) = streams::find(name) else {
        // Ignored (with a WARN, or refused: see `InputState::review`).
        state.note(name, Entry::UnknownStream);
        return Ok(());
    };
    // A stream without a cursor (full refresh only) keeps the state `{}`.
    let Some(cursor_field) = def.cursor_field() else {
        let entry = match blob {
            Value::Object(map) if map.keys().all(|k| is_marker(k)) => Entry::Understood,
            Value::Null => Entry::Understood,
            Value::Object(map) => Entry::Foreign(map.keys().cloned().collect()),
            _ => Entry::Foreign(Vec::new()),
        };
        state.note(name, entry);
        return Ok(());
    };
    if blob.is_null() {
        state.note(name, Entry::Understood);
        return Ok(());
    }
    let Value::Object(map) = blob else {
        return Err(format!(
            "the state of stream {name} must be an object like {{\"{cursor_field}\": \"2024-01-01T00:00:00.000Z\"}}, not {}",
            json_type(blob)
        ));
    };
    // The stream's own cursor field first; the other spelling is accepted too
    // (invoices use created_at, every other stream createdAt).
    let value = [cursor_field, "createdAt", "created_at"]
        .iter()
        .find_map(|f| map.get(*f).filter(|v| !v.is_null()))
        .or_else(|| concurrent_cdk_cursor(map));
    let Some(value) = value else {
        // No cursor yet: `{}`, a null cursor, the CDK's markers or an empty
        // concurrent state are understood; any other keys are not.
        let understood = [cursor_field, "createdAt", "created_at", "state_type"]
            .iter()
            .any(|k| map.contains_key(*k))
            || map.keys().all(|k| is_marker(k));
        let entry = if understood {
            Entry::Understood
        } else {
            Entry::Foreign(map.keys().cloned().collect())
        };
        state.note(name, entry);
        return Ok(());
    };
    let at = parse_cursor(value).ok_or_else(|| {
        format!(
            "the {cursor_field} cursor of stream {name} is {value}, which is not a date-time. \
             Fix it (for example \"2024-01-01T00:00:00.000Z\") or reset the stream's state."
        )
    })?;
    state.note(name, Entry::Understood);
    if let Some(sweep) = map.get(Sweep::KEY) {
        // A sweep that cannot be read starts a new pass; the cursor stands.
        match Sweep::from_json(sweep) {
            Ok(sweep) => {
                state.sweeps.insert(name.to_owned(), sweep);
            }
            Err(why) => tracing::warn!(
                stream = name,
                "The state's refresh sweep cannot be read ({why}): a new sweep of the stream's \
                 history starts with this sync. Nothing to do; the cursor is used as saved."
            ),
        }
    }
    if map.contains_key("state_type") || has_six_fractional_digits(value) {
        state.airbyte.insert(name.to_owned());
    }
    // Two messages for the same stream: keep the later point.
    let slot = state.cursors.entry(name.to_owned()).or_insert(at);
    if at > *slot {
        *slot = at;
    }
    Ok(())
}

/// `2024-05-01T10:00:00.000000Z`: the cursor format of Airbyte's low-code
/// connector.
fn has_six_fractional_digits(value: &Value) -> bool {
    let Some(text) = value.as_str().and_then(|t| t.strip_suffix('Z')) else {
        return false;
    };
    text.rsplit_once('.')
        .is_some_and(|(_, digits)| digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The Airbyte CDK's bookkeeping keys, e.g. `{"__ab_no_cursor_state_message":
/// true}`, which it writes for streams read in full refresh.
fn is_marker(key: &str) -> bool {
    key.starts_with("__ab_")
}

/// The concurrent CDK's `{"state_type": "date-range", "slices": [{"start",
/// "end", "most_recent_cursor_value"}]}`: everything up to the end of the
/// slice that starts first has been synced.
fn concurrent_cdk_cursor(map: &Map<String, Value>) -> Option<&Value> {
    let slices = map.get("slices")?.as_array()?;
    let first = slices
        .iter()
        .filter_map(|s| Some((parse_cursor(s.get("start")?)?, s)))
        .min_by_key(|(start, _)| *start)?
        .1;
    first
        .get("most_recent_cursor_value")
        .filter(|v| !v.is_null())
        .or_else(|| first.get("end"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_cursor;

    use crate::testing::t as at;

    #[test]
    fn every_state_shape_is_read() {
        let want = at("2024-05-01T10:00:00Z");
        let shapes = [
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00.000Z"}}}]"#,
            r#"[{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00Z"}}]}}]"#,
            r#"[{"type":"LEGACY","data":{"customers":{"createdAt":"2024-05-01T10:00:00.000000Z"}}}]"#,
            r#"[{"data":{"customers":{"createdAt":"2024-05-01T10:00:00Z"}}}]"#,
            r#"{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00Z"}}}"#,
            r#"{"customers":{"createdAt":"2024-05-01T10:00:00Z"}}"#,
            r#"{"customers":{"createdAt":1714557600}}"#,
            r#"{"customers":{"createdAt":"2024-05-01T11:00:00+01:00"}}"#,
            r#"{"customers":{"state_type":"date-range","slices":[{"start":"2020-01-01T00:00:00.000Z","end":"2024-05-01T10:00:00.000Z"}]}}"#,
        ];
        for text in shapes {
            let s = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(s.cursor("customers"), Some(want), "{text}");
            assert_eq!(s.len(), 1, "{text}");
        }
    }

    #[test]
    fn empty_states_mean_no_cursor() {
        for text in ["", "  \n", "[]", "{}", "null", "\u{feff}[]"] {
            assert!(parse(text).unwrap().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn fractional_digits_zero_three_or_six() {
        for s in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00.000Z",
            "2024-05-01T10:00:00.000000Z",
        ] {
            assert_eq!(at(s), at("2024-05-01T10:00:00Z"), "{s}");
        }
        assert_eq!(
            format_cursor(at("2024-05-01T10:00:00.123456Z")),
            "2024-05-01T10:00:00.123Z"
        );
    }

    #[test]
    fn invoices_use_created_at_and_unknown_streams_are_ignored() {
        let s =
            parse(r#"{"invoices":{"created_at":"2023-01-01T00:00:00Z"},"not_a_stream":{"x":1}}"#)
                .unwrap();
        assert_eq!(s.cursor("invoices"), Some(at("2023-01-01T00:00:00Z")));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn bad_states_are_config_errors_that_say_what_to_do() {
        let cases = [
            ("{", "not valid JSON"),
            ("42", "not a number"),
            (r#"[{"type":"NOPE"}]"#, "unknown state type"),
            (
                r#"{"customers":{"createdAt":"yesterday"}}"#,
                "not a date-time",
            ),
            (r#"{"customers":[1]}"#, "must be an object"),
            (r#"[{"type":"GLOBAL","global":{}}]"#, "stream_states"),
            (
                r#"[{"type":"STREAM","stream":{"stream_state":{}}}]"#,
                "stream_descriptor.name",
            ),
            (r#"[3]"#, "must be an object"),
        ];
        for (text, needle) in cases {
            match parse(text) {
                Err(Error::Config(m)) => assert!(
                    m.contains(needle) || (needle == "not a number" && m.contains("a number")),
                    "{text}: {m}"
                ),
                other => panic!("{text}: expected a config error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_sweep_beside_the_cursor_is_read_and_a_bad_one_is_dropped() {
        let s = parse(
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"subscriptions"},"stream_state":{"createdAt":"2024-05-01T10:00:00.000Z","sweep":{"position":"2023-01-01T00:00:00.000Z","pass_started":"2024-04-20T00:00:00.000Z","synced":"2024-05-01T10:00:00.000Z"}}}},
                {"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00.000Z","sweep":{"position":"soon"}}}}]"#,
        )
        .unwrap();
        assert_eq!(s.cursor("subscriptions"), Some(at("2024-05-01T10:00:00Z")));
        assert_eq!(
            s.sweep("subscriptions").map(|s| s.position),
            Some(at("2023-01-01T00:00:00Z"))
        );
        assert_eq!(s.cursor("customers"), Some(at("2024-05-01T10:00:00Z")));
        assert_eq!(s.sweep("customers"), None);
        assert_eq!(s.entries().get("customers"), Some(&Entry::Understood));
    }

    #[test]
    fn the_later_of_two_cursors_for_one_stream_wins() {
        let s = parse(
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"refunds"},"stream_state":{"createdAt":"2024-01-02T00:00:00Z"}}},
                {"type":"STREAM","stream":{"stream_descriptor":{"name":"refunds"},"stream_state":{"createdAt":"2024-01-01T00:00:00Z"}}}]"#,
        )
        .unwrap();
        assert_eq!(s.cursor("refunds"), Some(at("2024-01-02T00:00:00Z")));
    }

    crate::testing::never_panics!(
        state_parsing_never_panics,
        |text: &str| drop(parse(text)),
        r#"[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "customers"}, "stream_state": VALUE}}]"#
    );
}
