//! Reading the configured catalog: which streams to read, and how.

use std::path::Path;

use crate::error::Error;
use crate::protocol::{ConfiguredAirbyteCatalog, SyncMode};
use crate::streams::{self, StreamDef};

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

/// Parses catalog text; see [`load`].
///
/// # Errors
/// See [`load`].
pub fn parse(text: &str) -> Result<Vec<Selected>, Error> {
    let text = text.trim_start_matches('\u{feff}');
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
             \"full_refresh\", \"destination_sync_mode\": ...}}]}}; build it from the output of \
             discover."
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
                 have. Available streams: {}. Run discover and rebuild the catalog.",
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

    crate::testing::never_panics!(
        catalog_parsing_never_panics,
        |text: &str| drop(parse(text)),
        r#"{"streams": [VALUE]}"#
    );
}
