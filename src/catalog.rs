//! The configured catalog: which streams to read, and how. Read from the
//! file `read --catalog` names, or chosen on the command line by the
//! `catalog` command, which writes one.

use std::path::Path;

use serde_json::Value;

use crate::error::Error;
use crate::protocol::{ConfiguredAirbyteCatalog, SyncMode};
use crate::streams::{self, STREAMS, StreamDef};
use crate::suggest::did_you_mean;

/// A stream the catalog selected.
#[derive(Debug, Clone, Copy)]
pub struct Selected {
    pub def: &'static StreamDef,
    pub mode: SyncMode,
}

/// Reads and checks the configured catalog at `path`.
///
/// # Errors
/// A [`Error::Config`] when the file is missing or not JSON, selects no
/// stream, names a stream this connector does not have (or one twice), or
/// uses an unknown sync mode.
pub fn load(path: &Path) -> Result<Vec<Selected>, Error> {
    let text = crate::input::read(
        "catalog",
        path,
        "Pass --catalog with the path of a configured catalog (see \
             sample_files/configured_catalog.json).",
    )?;
    parse(&text)
}

/// The command that writes a configured catalog from a shell, for error
/// messages.
pub const COMMAND: &str = "source-paystack catalog [--streams customers,transactions] [--mode \
                           incremental|full_refresh] > configured_catalog.json";

/// Parses catalog text; see [`load`].
///
/// # Errors
/// See [`load`].
pub fn parse(text: &str) -> Result<Vec<Selected>, Error> {
    let text = text.trim_start_matches('\u{feff}');
    if is_discover_output(text) {
        return Err(Error::config(format!(
            "The catalog file holds the output of discover (a CATALOG message: the streams this \
             connector offers), not a configured catalog (the streams to read, each with its \
             sync mode). Write one with the catalog command: {COMMAND}."
        )));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let catalog: ConfiguredAirbyteCatalog = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let where_ = if path == "." {
            String::new()
        } else {
            format!(" at {path}")
        };
        Error::config(format!(
            "The configured catalog is not valid ({inner}{where_}). It must be a JSON object \
             {{\"streams\": [{{\"stream\": {{\"name\": ...}}, \"sync_mode\": \"incremental\" or \
             \"full_refresh\", \"destination_sync_mode\": ...}}]}}. Write one with the catalog \
             command: {COMMAND}."
        ))
    })?;
    if catalog.streams.is_empty() {
        return Err(Error::config(
            "The configured catalog selects no streams, so there is nothing to read. Select at \
             least one stream.",
        ));
    }
    let mut selected: Vec<Selected> = Vec::with_capacity(catalog.streams.len());
    for configured in catalog.streams {
        let name = configured.stream.name;
        let def = streams::find(&name).ok_or_else(|| {
            Error::config(format!(
                "The configured catalog asks for stream {name:?}, which this connector does not \
                 have.{} Available streams: {}. Fix the name, or write a new catalog: {COMMAND}.",
                suggestion(&name),
                streams::names()
            ))
        })?;
        if selected.iter().any(|s| s.def.name == def.name) {
            return Err(Error::config(format!(
                "The configured catalog lists stream {name:?} twice. List each stream once."
            )));
        }
        let cursor = def.cursor_field();
        let mut mode = configured.sync_mode;
        if mode == SyncMode::Incremental && cursor.is_none() {
            // What the Airbyte CDK does too (and PyAirbyte asks for
            // incremental everywhere): a stream without a cursor is read
            // whole.
            tracing::warn!(
                stream = def.name,
                "Paystack cannot filter this stream by creation time; reading it in full refresh."
            );
            mode = SyncMode::FullRefresh;
        }
        if let (Some(field), Some(cursor)) = (configured.cursor_field.as_deref(), cursor) {
            if configured.sync_mode == SyncMode::Incremental
                && !field.is_empty()
                && field != [cursor]
            {
                tracing::warn!(
                    stream = def.name,
                    requested = ?field,
                    used = cursor,
                    "The cursor is defined by the source; ignoring the catalog's cursor_field."
                );
            }
        }
        selected.push(Selected { def, mode });
    }
    Ok(selected)
}

/// Whether `text` is what `discover` prints: a CATALOG message, alone or
/// among other lines (a JSONL file), or one that a tool pretty-printed; or
/// the catalog inside it (streams with a name, not a `stream` each).
fn is_discover_output(text: &str) -> bool {
    let is_catalog_message = |v: &Value| v.get("type") == Some(&Value::from("CATALOG"));
    let is_offered_streams = |v: &Value| {
        v.pointer("/streams/0")
            .is_some_and(|s| s.get("name").is_some() && s.get("stream").is_none())
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .any(|v| is_catalog_message(&v))
        || serde_json::from_str::<Value>(text)
            .is_ok_and(|v| is_catalog_message(&v) || is_offered_streams(&v))
}

/// ` Did you mean "transactions"?` for a stream name close to `name`.
fn suggestion(name: &str) -> String {
    did_you_mean(name, STREAMS.iter().map(|d| d.name))
        .map(|s| format!(" Did you mean {s:?}?"))
        .unwrap_or_default()
}

/// The streams the `catalog` command selects: those named in `names`
/// (comma-separated; `None`: every stream), each in `mode`, except that a
/// stream without a cursor is full refresh whatever the mode.
///
/// # Errors
/// A [`Error::Config`] for a name that is not a stream (with the closest
/// one), or a list that names none.
pub fn choose(names: Option<&str>, mode: SyncMode) -> Result<Vec<Selected>, Error> {
    let defs: Vec<&'static StreamDef> = match names {
        None => STREAMS.iter().collect(),
        Some(names) => {
            let mut defs: Vec<&'static StreamDef> = Vec::new();
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let def = streams::find(name).ok_or_else(|| {
                    Error::config(format!(
                        "--streams names {name:?}, which is not a stream.{} Available streams: \
                         {}.",
                        suggestion(name),
                        streams::names()
                    ))
                })?;
                if !defs.iter().any(|d| d.name == def.name) {
                    defs.push(def);
                }
            }
            if defs.is_empty() {
                return Err(Error::config(format!(
                    "--streams names no stream. Give a comma-separated list such as \
                     customers,transactions, or leave it out for every stream: {}.",
                    streams::names()
                )));
            }
            defs
        }
    };
    Ok(defs
        .into_iter()
        .map(|def| Selected {
            def,
            mode: if def.cursor_field().is_some() {
                mode
            } else {
                SyncMode::FullRefresh
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(text) {
            Err(Error::Config(m)) => m,
            other => panic!("expected a config error for {text}, got {other:?}"),
        }
    }

    #[test]
    fn a_catalog_selects_streams_and_modes() {
        let s = parse(
            r#"{"streams":[
              {"stream":{"name":"customers","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]},"sync_mode":"incremental","destination_sync_mode":"append","cursor_field":["createdAt"]},
              {"stream":{"name":"invoices"},"sync_mode":"full_refresh","destination_sync_mode":"overwrite"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].def.name, "customers");
        assert_eq!(s[0].mode, SyncMode::Incremental);
        assert_eq!(s[1].mode, SyncMode::FullRefresh);
    }

    #[test]
    fn bad_catalogs_say_what_is_wrong() {
        assert!(err("").contains("not valid"));
        assert!(err("[]").contains("not valid"));
        assert!(err(r#"{"streams":[]}"#).contains("selects no streams"));
        let unknown =
            err(r#"{"streams":[{"stream":{"name":"payouts"},"sync_mode":"incremental"}]}"#);
        assert!(
            unknown.contains("\"payouts\"") && unknown.contains("customers"),
            "{unknown}"
        );
        let mode = err(r#"{"streams":[{"stream":{"name":"customers"},"sync_mode":"sometimes"}]}"#);
        assert!(
            mode.contains("sometimes") && mode.contains("streams[0].sync_mode"),
            "{mode}"
        );
        assert!(
            err(r#"{"streams":[{"stream":{"name":"refunds"}},{"stream":{"name":"refunds"}}]}"#)
                .contains("twice")
        );
        let full_only =
            parse(r#"{"streams":[{"stream":{"name":"terminals"},"sync_mode":"incremental"}]}"#)
                .unwrap();
        assert_eq!(
            full_only[0].mode,
            SyncMode::FullRefresh,
            "incremental on a stream without a cursor reads it whole"
        );
    }

    /// discover's output given as the catalog, as one line, a JSONL file
    /// with logs around it, or pretty-printed: said so, with the command
    /// that writes a configured catalog.
    #[test]
    fn discover_output_is_told_from_a_configured_catalog() {
        let mut out = crate::emit::Emitter::new(Vec::new());
        out.catalog(STREAMS).unwrap();
        let line = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let message: Value = serde_json::from_str(line.trim()).unwrap();
        let log = r#"{"type":"LOG","log":{"level":"INFO","message":"x"}}"#;
        for text in [
            line.clone(),
            format!("{log}\n{line}"),
            serde_json::to_string_pretty(&message).unwrap(),
            message["catalog"].to_string(),
        ] {
            let m = err(&text);
            assert!(
                m.starts_with("The catalog file holds the output of discover (a CATALOG message"),
                "{m}"
            );
            assert!(m.ends_with(&format!("catalog command: {COMMAND}.")), "{m}");
        }
        // Not discover's: the usual message, with the command too.
        let m = err(r#"{"catalog": {"streams": []}}"#);
        assert!(m.contains("missing field `streams`"), "{m}");
        assert!(m.contains("source-paystack catalog"), "{m}");
    }

    #[test]
    fn a_misspelt_stream_gets_the_closest_name() {
        let m = err(r#"{"streams":[{"stream":{"name":"transaction"},"sync_mode":"incremental"}]}"#);
        assert!(
            m.starts_with(
                "The configured catalog asks for stream \"transaction\", which this connector \
                 does not have. Did you mean \"transactions\"? Available streams: customers,"
            ),
            "{m}"
        );
        let m = err(r#"{"streams":[{"stream":{"name":"payouts"},"sync_mode":"incremental"}]}"#);
        assert!(!m.contains("Did you mean"), "{m}");
    }

    /// The catalog command's choice: every stream or those named, in the
    /// mode asked for where the stream has a cursor; a name that is not a
    /// stream is refused with the closest one.
    #[test]
    fn the_catalog_command_selects_streams_and_modes() {
        let all = choose(None, SyncMode::Incremental).unwrap();
        assert_eq!(all.len(), STREAMS.len());
        let terminals = all.iter().find(|s| s.def.name == "terminals").unwrap();
        assert_eq!(terminals.mode, SyncMode::FullRefresh, "no cursor");
        let some = choose(
            Some(" customers, terminals,customers "),
            SyncMode::Incremental,
        )
        .unwrap();
        let picked: Vec<_> = some.iter().map(|s| (s.def.name, s.mode)).collect();
        assert_eq!(
            picked,
            [
                ("customers", SyncMode::Incremental),
                ("terminals", SyncMode::FullRefresh)
            ]
        );
        let full = choose(Some("customers"), SyncMode::FullRefresh).unwrap();
        assert_eq!(full[0].mode, SyncMode::FullRefresh);
        let m = choose(Some("customers,transaction"), SyncMode::Incremental)
            .unwrap_err()
            .to_string();
        assert!(
            m.starts_with(
                "--streams names \"transaction\", which is not a stream. Did you mean \
                 \"transactions\"?"
            ),
            "{m}"
        );
        assert!(choose(Some(" , "), SyncMode::Incremental).is_err());
    }

    crate::testing::never_panics!(
        catalog_parsing_never_panics,
        |text: &str| drop(parse(text)),
        r#"{"streams": [VALUE]}"#
    );
}
