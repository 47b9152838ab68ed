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
//! A state that is not one of this connector's is refused rather than
//! ignored (see [`InputState::for_streams`]): ignoring it would silently
//! re-read every stream from `start_date`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::catalog::Selected;
use crate::error::Error;
use crate::input::json_type;
use crate::protocol::SyncMode;
use crate::streams::{self, StreamDef};
use crate::time::parse_cursor;

/// The cursors found in the input state, by stream name.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct InputState {
    cursors: HashMap<String, DateTime<Utc>>,
    /// Every stream the state names, and what its entry held.
    entries: BTreeMap<String, Entry>,
}

/// What the state held for one stream name. Ordered so that, of two entries
/// for one stream, the one understood wins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
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

    fn note(&mut self, stream: &str, entry: Entry) {
        let slot = self
            .entries
            .entry(stream.to_owned())
            .or_insert(Entry::UnknownStream);
        if entry > *slot {
            *slot = entry;
        }
    }

    /// This state, checked against the streams the catalog selected; logs a
    /// WARN for each thing it ignores (see [`InputState::review`]).
    ///
    /// # Errors
    /// See [`InputState::review`].
    pub fn for_streams(self, selected: &[Selected]) -> Result<Self, Error> {
        for warning in self.review(selected)? {
            tracing::warn!("{warning}");
        }
        Ok(self)
    }

    /// Checks the state against the selected streams; returns what it
    /// ignores, as warnings.
    ///
    /// # Errors
    /// A [`Error::Config`] saying what was expected when the state is not a
    /// state of this connector at all (it names no stream of this connector
    /// in a way this connector understands: another connector's state, the
    /// config, the catalog), or when a stream read incrementally has an
    /// entry without its cursor (e.g. `{"customers": {"updatedAt": ...}}`).
    /// Either would otherwise re-read streams from `start_date` unnoticed.
    pub fn review(&self, selected: &[Selected]) -> Result<Vec<String>, Error> {
        if self.entries.is_empty() {
            return Ok(Vec::new());
        }
        let find = |name: &str| selected.iter().find(|s| s.def.name == name);
        let incremental = |name: &str| find(name).is_some_and(|s| s.mode == SyncMode::Incremental);
        let wrong: Vec<String> = self
            .entries
            .iter()
            .filter(|(name, entry)| matches!(entry, Entry::Foreign(_)) && incremental(name))
            .map(|(name, entry)| describe(name, entry))
            .collect();
        if !wrong.is_empty() {
            return Err(Error::config(format!(
                "The state of {} does not hold the stream's cursor: this connector (or Airbyte's \
                 source-paystack) did not write it, and reading on would silently re-read the \
                 stream from start_date. {} Fix the state, remove those streams from it to read \
                 them from start_date, or leave --state out.",
                list(&wrong),
                expected(selected)
            )));
        }
        if !self.entries.values().any(|e| *e == Entry::Understood) {
            return Err(Error::config(format!(
                "The state is not a state of this connector: {}. {} Pass the state a read of this \
                 connector (or Airbyte's source-paystack) wrote, or leave --state out to read \
                 from start_date.",
                self.what_it_is(),
                expected(selected)
            )));
        }
        let mut warnings = Vec::new();
        let unknown = self.described(|_, e| *e == Entry::UnknownStream);
        if !unknown.is_empty() {
            warnings.push(format!(
                "The state has entries for streams this connector does not have, which are \
                 ignored: {}.",
                list(&unknown)
            ));
        }
        let not_selected =
            self.described(|name, e| *e != Entry::UnknownStream && find(name).is_none());
        if !not_selected.is_empty() {
            warnings.push(format!(
                "The state has entries for streams the catalog does not select, which are \
                 ignored: {}.",
                list(&not_selected)
            ));
        }
        for (name, entry) in &self.entries {
            if matches!(entry, Entry::Foreign(_)) && find(name).is_some() {
                warnings.push(format!(
                    "The state of {} is not one this connector writes, and is ignored: the \
                     stream is read in full refresh, which needs no state.",
                    describe(name, entry)
                ));
            }
        }
        Ok(warnings)
    }

    /// The entries `keep` keeps, described.
    fn described(&self, keep: impl Fn(&str, &Entry) -> bool) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(name, entry)| keep(name, entry))
            .map(|(name, entry)| describe(name, entry))
            .collect()
    }

    /// What a state that is not this connector's seems to be, by its names.
    fn what_it_is(&self) -> String {
        let has = |k: &str| self.entries.contains_key(k);
        let looks = if has("secret_key") || has("start_date") {
            "it looks like the config, not a state: "
        } else if has("streams") {
            "it looks like a catalog, not a state: "
        } else {
            ""
        };
        let unknown = self.described(|_, e| *e == Entry::UnknownStream);
        let foreign = self.described(|_, e| matches!(e, Entry::Foreign(_)));
        match (foreign.is_empty(), unknown.is_empty()) {
            (true, _) => format!(
                "{looks}it names no stream of this connector ({})",
                list(&unknown)
            ),
            (false, true) => format!("{looks}it names {}", list(&foreign)),
            (false, false) => format!(
                "{looks}it names {}, and streams this connector does not have ({})",
                list(&foreign),
                list(&unknown)
            ),
        }
    }
}

/// One entry, for a message: `refunds`, `customers (keyed updatedAt, not
/// createdAt)`. Never a value.
fn describe(name: &str, entry: &Entry) -> String {
    let name = short(name);
    match entry {
        Entry::UnknownStream | Entry::Understood => name,
        Entry::Foreign(keys) => {
            let cursor = streams::find(&name).and_then(StreamDef::cursor_field);
            let keyed = match keys.as_slice() {
                [] => "not an object".to_owned(),
                keys => format!(
                    "keyed {}",
                    list(&keys.iter().map(|k| short(k)).collect::<Vec<_>>())
                ),
            };
            match cursor {
                Some(c) => format!("{name} ({keyed}, not {c})"),
                None => format!("{name} ({keyed})"),
            }
        }
    }
}

/// What this connector's state holds for the selected streams, with an
/// example.
fn expected(selected: &[Selected]) -> String {
    let mut by_cursor: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in selected.iter().filter(|s| s.mode == SyncMode::Incremental) {
        let Some(cursor) = s.def.cursor_field() else {
            continue;
        };
        match by_cursor.iter_mut().find(|(c, _)| *c == cursor) {
            Some((_, names)) => names.push(s.def.name),
            None => by_cursor.push((cursor, vec![s.def.name])),
        }
    }
    let Some((cursor, names)) = by_cursor.first() else {
        return "The selected streams are all read in full refresh, which needs no state."
            .to_owned();
    };
    let fields = by_cursor
        .iter()
        .map(|(c, names)| format!("{c} for {}", names.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "This connector's state holds, for each stream read incrementally, the newest value of \
         its cursor: {fields}. For example {{\"{}\": {{\"{cursor}\": \"2024-01-01T00:00:00.000Z\"}}}}, \
         or the last STATE message of each stream, as a JSON array.",
        names[0]
    )
}

/// At most six items, then how many more.
fn list<S: AsRef<str>>(items: &[S]) -> String {
    let mut text = items
        .iter()
        .take(6)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 6 {
        text.push_str(&format!(" and {} more", items.len() - 6));
    }
    text
}

/// A name cut to 40 characters, for messages.
fn short(name: &str) -> String {
    match name.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &name[..i]),
        None => name.to_owned(),
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
    // Two messages for the same stream: keep the later point.
    let slot = state.cursors.entry(name.to_owned()).or_insert(at);
    if at > *slot {
        *slot = at;
    }
    Ok(())
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
    use crate::time::{format_cursor, parse_cursor_str};
    use proptest::prelude::*;

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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn cursor_parsing_never_panics(text in ".{0,40}", n in any::<i64>()) {
            let _ = parse_cursor_str(&text);
            let _ = parse_cursor(&serde_json::json!(n));
        }
    }

    fn sel(streams: &[(&str, SyncMode)]) -> Vec<Selected> {
        streams
            .iter()
            .map(|(name, mode)| Selected {
                def: streams::find(name).unwrap(),
                mode: *mode,
            })
            .collect()
    }

    fn incremental(names: &[&str]) -> Vec<Selected> {
        let modes: Vec<(&str, SyncMode)> =
            names.iter().map(|n| (*n, SyncMode::Incremental)).collect();
        sel(&modes)
    }

    /// The warnings of a state that is accepted.
    fn warnings(text: &str, selected: &[Selected]) -> Vec<String> {
        let state = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        state
            .review(selected)
            .unwrap_or_else(|e| panic!("{text}: refused: {e}"))
    }

    /// The message of a state that is refused.
    fn refused(text: &str, selected: &[Selected]) -> String {
        match parse(text).and_then(|s| s.review(selected)) {
            Err(Error::Config(m)) => m,
            other => panic!("{text}: expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn every_state_airbyte_writes_is_accepted_without_a_warning() {
        let customers = incremental(&["customers"]);
        let shapes = [
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00.000Z"}}}]"#,
            r#"[{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00Z"}}]}}]"#,
            r#"[{"type":"LEGACY","data":{"customers":{"createdAt":"2024-05-01T10:00:00.000000Z"}}}]"#,
            r#"{"customers":{"createdAt":1714557600}}"#,
            r#"{"customers":{"state_type":"date-range","slices":[{"start":"2020-01-01T00:00:00.000Z","end":"2024-05-01T10:00:00.000Z"}]}}"#,
            // No cursor yet: an empty entry, a null one, a null cursor, the
            // CDK's marker for a full refresh, an empty concurrent state.
            r#"{"customers":{}}"#,
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":null}}]"#,
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"}}}]"#,
            r#"{"customers":{"createdAt":null}}"#,
            r#"{"customers":{"__ab_no_cursor_state_message":true}}"#,
            r#"{"customers":{"state_type":"date-range","slices":[],"legacy":{}}}"#,
            // Empty states.
            "",
            "[]",
            "{}",
            "null",
            r#"[{"type":"LEGACY","data":{}}]"#,
        ];
        for text in shapes {
            assert_eq!(warnings(text, &customers), Vec::<String>::new(), "{text}");
        }
        // Streams without a cursor keep `{}`, as this connector writes it.
        let mixed = sel(&[
            ("customers", SyncMode::Incremental),
            ("subaccounts", SyncMode::FullRefresh),
            ("invoices", SyncMode::FullRefresh),
        ]);
        let ours = r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"subaccounts"},"stream_state":{}}},
                       {"type":"STREAM","stream":{"stream_descriptor":{"name":"invoices"},"stream_state":{"created_at":"2024-01-01T00:00:00.000Z"}}},
                       {"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-01-01T00:00:00.000Z"}}}]"#;
        assert_eq!(warnings(ours, &mixed), Vec::<String>::new());
        assert_eq!(
            warnings(r#"{"subaccounts":{}}"#, &mixed),
            Vec::<String>::new()
        );
    }

    #[test]
    fn another_connectors_state_is_refused_with_what_was_expected() {
        let customers = incremental(&["customers", "invoices", "refunds"]);
        let cases = [
            // Another connector's cursor for a stream of this one.
            (
                r#"{"customers":{"updatedAt":"2024-05-01T10:00:00Z"}}"#,
                "customers (keyed updatedAt, not createdAt)",
            ),
            (
                r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"updated_at":"2024-05-01T10:00:00Z"}}}]"#,
                "customers (keyed updated_at, not createdAt)",
            ),
            // Stripe: integer `created`, and streams this connector lacks.
            (
                r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"charges"},"stream_state":{"created":1714557600}}},
                    {"type":"STREAM","stream":{"stream_descriptor":{"name":"invoices"},"stream_state":{"created":1714557600}}}]"#,
                "invoices (keyed created, not created_at)",
            ),
        ];
        for (text, needle) in cases {
            let m = refused(text, &customers);
            assert!(m.contains(needle), "{text}: {m}");
            assert!(m.contains("would silently re-read the stream"), "{m}");
            assert!(
                m.contains("createdAt for customers, refunds; created_at for invoices"),
                "{m}"
            );
            assert!(
                m.contains(
                    r#"For example {"customers": {"createdAt": "2024-01-01T00:00:00.000Z"}}"#
                ),
                "{m}"
            );
        }
        // Nothing of this connector at all, whatever is selected.
        let transactions = incremental(&["transactions"]);
        for (text, needle) in [
            (
                r#"{"customers":{"updatedAt":"2024-05-01T10:00:00Z"}}"#,
                "it names customers (keyed updatedAt, not createdAt)",
            ),
            (
                r#"{"charges":{"created":1714557600},"payouts":{"created":1714557600}}"#,
                "it names no stream of this connector (charges, payouts)",
            ),
            (
                r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"charges"},"stream_state":{"created":1714557600}}},
                    {"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"created":1714557600}}}]"#,
                "it names customers (keyed created, not createdAt), and streams this connector does not have (charges)",
            ),
        ] {
            let m = refused(text, &transactions);
            assert!(
                m.starts_with("The state is not a state of this connector"),
                "{m}"
            );
            assert!(m.contains(needle), "{text}: {m}");
            assert!(m.contains("createdAt for transactions"), "{m}");
        }
    }

    #[test]
    fn the_config_or_the_catalog_passed_as_state_is_refused() {
        let config = r#"{"secret_key":"sk_test_SECRETVALUE99","start_date":"2024-01-01T00:00:00Z","lookback_window_days":0}"#;
        let catalog = r#"{"streams":[{"stream":{"name":"customers","json_schema":{}},"sync_mode":"incremental","destination_sync_mode":"append"}]}"#;
        for selected in [
            incremental(&["customers"]),
            sel(&[("subaccounts", SyncMode::FullRefresh)]),
        ] {
            let m = refused(config, &selected);
            assert!(
                m.contains(
                    "it looks like the config, not a state: it names no stream of this connector \
                     (lookback_window_days, secret_key, start_date)"
                ),
                "{m}"
            );
            assert!(!m.contains("SECRETVALUE"), "the key leaked: {m}");
            let m = refused(catalog, &selected);
            assert!(
                m.contains("it looks like a catalog, not a state: it names no stream of this connector (streams)"),
                "{m}"
            );
        }
        let m = refused(config, &sel(&[("subaccounts", SyncMode::FullRefresh)]));
        assert!(
            m.contains("The selected streams are all read in full refresh, which needs no state."),
            "{m}"
        );
        let m = refused(
            r#"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{}}}}"#,
            &incremental(&["customers"]),
        );
        assert!(
            m.contains("this is a STATE message as read writes it"),
            "{m}"
        );
    }

    #[test]
    fn what_is_ignored_is_a_warning() {
        let customers = incremental(&["customers"]);
        // Some streams known, some not.
        let w = warnings(
            r#"{"customers":{"createdAt":"2024-05-01T10:00:00Z"},"charges":{"created":1714557600}}"#,
            &customers,
        );
        assert_eq!(
            w,
            [
                "The state has entries for streams this connector does not have, which are ignored: \
              charges."
            ]
        );
        // Streams not selected, written by this connector or not.
        let w = warnings(
            r#"{"customers":{"createdAt":"2024-05-01T10:00:00Z"},"refunds":{"createdAt":"2024-05-01T10:00:00Z"},"disputes":{"updatedAt":"x"}}"#,
            &customers,
        );
        assert_eq!(
            w,
            [
                "The state has entries for streams the catalog does not select, which are ignored: \
              disputes (keyed updatedAt, not createdAt), refunds."
            ]
        );
        // A stream read in full refresh does not need its state.
        let full = sel(&[
            ("customers", SyncMode::Incremental),
            ("refunds", SyncMode::FullRefresh),
        ]);
        let w = warnings(
            r#"{"customers":{"createdAt":"2024-05-01T10:00:00Z"},"refunds":{"updatedAt":"x"}}"#,
            &full,
        );
        assert_eq!(
            w,
            [
                "The state of refunds (keyed updatedAt, not createdAt) is not one this connector \
              writes, and is ignored: the stream is read in full refresh, which needs no state."
            ]
        );
        // Of two entries for one stream, the one understood counts.
        let w = warnings(
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"updatedAt":"x"}}},
                {"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-01T10:00:00Z"}}}]"#,
            &customers,
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn long_lists_and_names_are_cut() {
        let names: Vec<String> = (0..9).map(|i| format!("\"s{i}\":{{}}")).collect();
        let m = refused(
            &format!("{{{}}}", names.join(",")),
            &incremental(&["customers"]),
        );
        assert!(m.contains("(s0, s1, s2, s3, s4, s5 and 3 more)"), "{m}");
        let long = "x".repeat(100);
        let m = refused(
            &format!("{{\"{long}\":{{}}}}"),
            &incremental(&["customers"]),
        );
        assert!(m.contains(&format!("{}...", "x".repeat(40))), "{m}");
        assert!(!m.contains(&"x".repeat(41)), "{m}");
    }
}
