//! The Airbyte writer: the one writer of standard output, one Airbyte message
//! per line, and the only place that builds protocol messages. It writes the
//! outcome of each command (SPEC, CATALOG, CONNECTION_STATUS, an ERROR
//! trace) and, as a [`Sink`], the events of a read.
//!
//! Records take a fast path: the record's bytes, exactly as Paystack sent them,
//! are copied between a fixed prefix and suffix, with no JSON tree built.
//! Output is buffered and flushed after every STATE message (so a state never
//! sits in a buffer while the records before it are already out, or the other
//! way round) and at the end of each command.

use std::io::{self, BufWriter, Write};

use serde_json::Value;

use crate::catalog::Selected;
use crate::error::Error;
use crate::protocol::{
    AirbyteCatalog, AirbyteConnectionStatus, AirbyteErrorTraceMessage, AirbyteEstimateTraceMessage,
    AirbyteMessage, AirbyteStateMessage, AirbyteStateStats, AirbyteStateType, AirbyteStream,
    AirbyteStreamState, AirbyteStreamStatus, AirbyteStreamStatusRateLimitedReason,
    AirbyteStreamStatusReason, AirbyteStreamStatusTraceMessage, AirbyteTraceMessage,
    ConfiguredCatalogOut, ConfiguredStreamOut, ConnectionStatus, FailureType, StreamDescriptor,
    SyncMode, TraceType,
};
use crate::sink::{Batch, Finished, ReadSummary, Sink, StateUpdate, Stream};
use crate::streams::StreamDef;
use crate::sweep::Sweep;
use crate::time::{format_cursor, now_millis};

/// Owns the output; every message goes through here.
pub struct Emitter<W: Write> {
    out: BufWriter<W>,
    /// Added to the message of every error that comes from a request.
    request_note: Option<String>,
}

impl<W: Write> Emitter<W> {
    pub fn new(out: W) -> Self {
        Emitter {
            out: BufWriter::with_capacity(1 << 16, out),
            request_note: None,
        }
    }

    /// Adds `note` to the message of every ERROR trace about a request
    /// (see [`Error::from_request`]): where the requests went, when that
    /// is not Paystack.
    pub fn set_request_note(&mut self, note: Option<String>) {
        self.request_note = note;
    }

    /// `message`, with the request note when `from_request`.
    fn noted(&self, mut message: String, from_request: bool) -> String {
        if let (true, Some(note)) = (from_request, &self.request_note) {
            message.push_str(note);
        }
        message
    }

    /// Writes the connector specification (SPEC).
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn spec(&mut self, spec: Value) -> Result<(), Error> {
        self.message(&AirbyteMessage::Spec { spec })
    }

    /// Writes the catalog of `streams` (CATALOG).
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn catalog(&mut self, streams: &'static [StreamDef]) -> Result<(), Error> {
        let catalog = AirbyteCatalog {
            streams: streams.iter().map(airbyte_stream).collect(),
        };
        self.message(&AirbyteMessage::Catalog { catalog })
    }

    /// Writes a configured catalog of `selected` (the `catalog` command):
    /// one JSON object, not a protocol message, for `read --catalog`. An
    /// incremental stream is appended to, a full refresh one overwritten.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn configured_catalog(&mut self, selected: &[Selected]) -> Result<(), Error> {
        let streams = selected
            .iter()
            .map(|s| {
                let stream = airbyte_stream(s.def);
                let incremental = s.mode == SyncMode::Incremental;
                ConfiguredStreamOut {
                    cursor_field: if incremental {
                        stream.default_cursor_field.clone()
                    } else {
                        Vec::new()
                    },
                    primary_key: stream.source_defined_primary_key.clone(),
                    destination_sync_mode: if incremental { "append" } else { "overwrite" },
                    sync_mode: s.mode,
                    stream,
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut self.out, &ConfiguredCatalogOut { streams })
            .map_err(io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    /// Writes the outcome of `check` (CONNECTION_STATUS): succeeded, with an
    /// optional note, or failed, saying why.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn connection_status(
        &mut self,
        outcome: Result<Option<String>, String>,
    ) -> Result<(), Error> {
        let (status, message) = match outcome {
            Ok(note) => (ConnectionStatus::Succeeded, note),
            Err(why) => (ConnectionStatus::Failed, Some(why)),
        };
        self.message(&AirbyteMessage::ConnectionStatus {
            connection_status: AirbyteConnectionStatus { status, message },
        })
    }

    /// Writes any protocol message as one line.
    ///
    /// # Errors
    /// Fails when the output cannot be written (for example a closed pipe).
    fn message(&mut self, msg: &AirbyteMessage) -> Result<(), Error> {
        serde_json::to_writer(&mut self.out, msg).map_err(io::Error::from)?;
        self.out.write_all(b"\n")?;
        if matches!(msg, AirbyteMessage::State { .. }) {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Writes a RECORD whose `data` is passed through byte for byte. `data`
    /// must be one complete JSON object (the caller took it from a parsed page).
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    fn record(&mut self, stream: &str, data: &[u8], emitted_at: i64) -> Result<(), Error> {
        let out = &mut self.out;
        out.write_all(br#"{"type":"RECORD","record":{"stream":""#)?;
        // Stream names come from our own table: plain ASCII without quotes.
        out.write_all(stream.as_bytes())?;
        out.write_all(br#"","data":"#)?;
        out.write_all(data)?;
        writeln!(out, ",\"emitted_at\":{emitted_at}}}}}")?;
        Ok(())
    }

    /// Writes a RECORD whose `data` is `data` with `tag` (members such as
    /// `"settlement_id":12,`, ending in a comma) inserted at its start.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    fn record_tagged(
        &mut self,
        stream: &str,
        tag: &[u8],
        data: &[u8],
        emitted_at: i64,
    ) -> Result<(), Error> {
        if tag.is_empty() {
            return self.record(stream, data, emitted_at);
        }
        let out = &mut self.out;
        out.write_all(br#"{"type":"RECORD","record":{"stream":""#)?;
        out.write_all(stream.as_bytes())?;
        out.write_all(br#"","data":{"#)?;
        // `data` starts with `{`; an empty object takes the tag without its
        // trailing comma.
        let inner = &data[1..];
        if inner.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'}') {
            out.write_all(&tag[..tag.len() - 1])?;
        } else {
            out.write_all(tag)?;
        }
        out.write_all(inner)?;
        writeln!(out, ",\"emitted_at\":{emitted_at}}}}}")?;
        Ok(())
    }

    /// Writes a STREAM_STATUS trace.
    fn stream_status(&mut self, stream: &str, status: AirbyteStreamStatus) -> Result<(), Error> {
        self.stream_status_because(stream, status, Vec::new())
    }

    /// Writes a STREAM_STATUS trace with `reasons`.
    fn stream_status_because(
        &mut self,
        stream: &str,
        status: AirbyteStreamStatus,
        reasons: Vec<AirbyteStreamStatusReason>,
    ) -> Result<(), Error> {
        self.trace(AirbyteTraceMessage {
            kind: TraceType::StreamStatus,
            emitted_at: now_millis() as f64,
            error: None,
            estimate: None,
            stream_status: Some(AirbyteStreamStatusTraceMessage {
                stream_descriptor: StreamDescriptor::named(stream),
                status,
                reasons,
            }),
        })
    }

    /// Writes an ERROR trace for `error`, optionally naming a stream.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn error(&mut self, error: &Error, stream: Option<&str>) -> Result<(), Error> {
        let message = self.noted(error.to_string(), error.from_request());
        self.error_message(message, error.failure_type(), stream)
    }

    /// Writes an ERROR trace with a given message and failure type.
    fn error_message(
        &mut self,
        message: String,
        failure_type: FailureType,
        stream: Option<&str>,
    ) -> Result<(), Error> {
        self.trace(AirbyteTraceMessage {
            kind: TraceType::Error,
            emitted_at: now_millis() as f64,
            error: Some(AirbyteErrorTraceMessage {
                message,
                internal_message: None,
                failure_type,
                stream_descriptor: stream.map(StreamDescriptor::named),
            }),
            estimate: None,
            stream_status: None,
        })
    }

    fn trace(&mut self, trace: AirbyteTraceMessage) -> Result<(), Error> {
        self.message(&AirbyteMessage::Trace { trace })
    }

    /// Flushes buffered output.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.out.flush()?;
        Ok(())
    }

    /// Flushes and returns the inner writer (tests read their output this way).
    ///
    /// # Errors
    /// Fails when the buffered output cannot be written.
    pub fn into_inner(self) -> Result<W, Error> {
        self.out.into_inner().map_err(|e| Error::Io(e.into_error()))
    }
}

/// The stream as `discover` describes it.
fn airbyte_stream(def: &'static StreamDef) -> AirbyteStream {
    let cursor = def.cursor_field();
    AirbyteStream {
        name: def.name,
        json_schema: serde_json::from_str(def.schema)
            .expect("stream schemas are valid JSON (checked by tests)"),
        supported_sync_modes: match cursor {
            Some(_) => vec![SyncMode::FullRefresh, SyncMode::Incremental],
            None => vec![SyncMode::FullRefresh],
        },
        source_defined_cursor: cursor.is_some(),
        default_cursor_field: cursor.into_iter().collect(),
        source_defined_primary_key: def.primary_key.iter().map(|k| vec![*k]).collect(),
        is_resumable: cursor.is_some(),
    }
}

/// The events of a read, as Airbyte messages.
impl<W: Write> Sink for Emitter<W> {
    fn stream_started(&mut self, stream: Stream) -> Result<(), Error> {
        self.stream_status(stream.name, AirbyteStreamStatus::Started)
    }

    fn stream_running(&mut self, stream: Stream) -> Result<(), Error> {
        self.stream_status(stream.name, AirbyteStreamStatus::Running)
    }

    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        for data in batch.records() {
            self.record_tagged(stream.name, batch.tag, data, batch.emitted_at)?;
        }
        Ok(())
    }

    /// A STATE message: the stream's cursor (nothing for a stream without
    /// one), the refresh sweep's place beside it (when the stream sweeps),
    /// and the records since the previous state.
    fn checkpoint(&mut self, stream: Stream, update: StateUpdate) -> Result<(), Error> {
        let mut blob = serde_json::Map::new();
        if let (Some(field), Some(cursor)) = (stream.cursor_field(), update.cursor) {
            blob.insert(field.to_owned(), Value::String(format_cursor(cursor)));
        }
        if let Some(sweep) = update.sweep {
            blob.insert(Sweep::KEY.to_owned(), sweep.to_json());
        }
        self.message(&AirbyteMessage::State {
            state: AirbyteStateMessage {
                kind: AirbyteStateType::Stream,
                stream: AirbyteStreamState {
                    stream_descriptor: StreamDescriptor::named(stream.name),
                    stream_state: Value::Object(blob),
                },
                source_stats: AirbyteStateStats {
                    record_count: update.record_count as f64,
                },
            },
        })
    }

    fn estimate(&mut self, stream: Stream, rows: u64) -> Result<(), Error> {
        self.trace(AirbyteTraceMessage {
            kind: TraceType::Estimate,
            emitted_at: now_millis() as f64,
            error: None,
            estimate: Some(AirbyteEstimateTraceMessage {
                name: stream.name.to_owned(),
                kind: "STREAM",
                row_estimate: rows,
            }),
            stream_status: None,
        })
    }

    /// STREAM_STATUS RUNNING with a RATE_LIMITED reason.
    fn rate_limited(&mut self, stream: Stream, resume_at_ms: i64) -> Result<(), Error> {
        let reason = AirbyteStreamStatusReason {
            kind: "RATE_LIMITED",
            rate_limited: Some(AirbyteStreamStatusRateLimitedReason {
                quota_reset: Some(resume_at_ms),
            }),
        };
        self.stream_status_because(stream.name, AirbyteStreamStatus::Running, vec![reason])
    }

    /// COMPLETE (a skipped stream too: it ended as Airbyte's CDK ends a
    /// stream whose refusal it ignores); or an ERROR trace naming the
    /// stream, then INCOMPLETE.
    fn stream_finished(&mut self, stream: Stream, how: Finished<'_>) -> Result<(), Error> {
        let status = match how {
            Finished::Complete | Finished::Skipped => AirbyteStreamStatus::Complete,
            Finished::Failed(error) => {
                self.error(error, Some(stream.name))?;
                AirbyteStreamStatus::Incomplete
            }
            Finished::Stopped => AirbyteStreamStatus::Incomplete,
        };
        self.stream_status(stream.name, status)
    }

    /// One closing ERROR trace when any stream failed, with the most telling
    /// failure type (see [`FailureType::of_all`]); before it, the rejected
    /// key, once.
    fn read_finished(&mut self, summary: &ReadSummary) -> Result<(), Error> {
        if let Some(error) = &summary.rejected_key {
            self.error(error, None)?;
        }
        let failed = &summary.failed;
        if failed.is_empty() {
            return Ok(());
        }
        let failure_type = FailureType::of_all(failed.iter().map(|(_, e)| e.failure_type()));
        let from_request = failed.iter().any(|(_, e)| e.from_request());
        let list = failed
            .iter()
            .map(|(name, e)| format!("{name}: {e}"))
            .collect::<Vec<_>>()
            .join(" | ");
        let message = format!(
            "{} of {} streams did not complete. Records and states emitted before the failure are \
             valid; fix the cause and run the sync again to continue from the last state. {list}",
            failed.len(),
            summary.streams
        );
        let message = self.noted(message, from_request);
        self.error_message(message, failure_type, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_passes_data_through_byte_for_byte() {
        let mut e = Emitter::new(Vec::new());
        let data = br#"{"id": 4099260516, "metadata":"", "amount":1.50e2}"#;
        e.record("transactions", data, 1_700_000_000_123).unwrap();
        let out = String::from_utf8(e.into_inner().unwrap()).unwrap();
        assert_eq!(
            out,
            "{\"type\":\"RECORD\",\"record\":{\"stream\":\"transactions\",\"data\":{\"id\": 4099260516, \"metadata\":\"\", \"amount\":1.50e2},\"emitted_at\":1700000000123}}\n"
        );
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["record"]["data"]["id"], 4099260516u64);
    }

    #[test]
    fn tagged_records_get_the_tag_first() {
        let mut e = Emitter::new(Vec::new());
        let tag = br#""settlement_id":12,"settlement_created_at":"2024-01-01T00:00:00.000Z","#;
        e.record_tagged("settlement_transactions", tag, br#"{"id":1,"amount":5}"#, 7)
            .unwrap();
        e.record_tagged("settlement_transactions", tag, b"{ }", 7)
            .unwrap();
        let out = String::from_utf8(e.into_inner().unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0]["record"]["data"],
            serde_json::json!({"settlement_id": 12, "settlement_created_at": "2024-01-01T00:00:00.000Z", "id": 1, "amount": 5})
        );
        assert_eq!(lines[1]["record"]["data"]["settlement_id"], 12);
    }

    /// The request note ends the trace of an error from a request, and the
    /// closing trace of a read once; a config error does not get it.
    #[test]
    fn the_request_note_ends_the_messages_of_errors_from_requests() {
        let mut e = Emitter::new(Vec::new());
        e.set_request_note(Some(" NOTE.".to_owned()));
        let transport = || Error::Transport {
            path: "/customer".into(),
            detail: "could not connect".into(),
            attempts: 1,
        };
        e.error(&transport(), Some("customers")).unwrap();
        e.error(&Error::config("bad"), None).unwrap();
        let summary = ReadSummary {
            streams: 2,
            records: 0,
            failed: vec![("customers", transport()), ("refunds", transport())],
            skipped: vec![],
            rejected_key: None,
            stopped: None,
        };
        e.read_finished(&summary).unwrap();
        let out = String::from_utf8(e.into_inner().unwrap()).unwrap();
        let messages: Vec<String> = out
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["trace"]["error"]["message"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(
            messages[0],
            "Could not get an answer from Paystack for /customer: could not connect. NOTE."
        );
        assert_eq!(messages[1], "bad");
        assert!(messages[2].starts_with("2 of 2 streams did not complete."));
        assert_eq!(messages[2].matches("NOTE.").count(), 1, "{}", messages[2]);
        assert!(
            messages[2].ends_with("could not connect. NOTE."),
            "{}",
            messages[2]
        );
    }

    #[test]
    fn status_and_error_traces_have_the_protocol_shape() {
        let mut e = Emitter::new(Vec::new());
        e.stream_started(crate::streams::find("customers").unwrap())
            .unwrap();
        e.error(&Error::config("bad"), Some("customers")).unwrap();
        let out = String::from_utf8(e.into_inner().unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["trace"]["type"], "STREAM_STATUS");
        assert_eq!(lines[0]["trace"]["stream_status"]["status"], "STARTED");
        assert_eq!(
            lines[0]["trace"]["stream_status"]["stream_descriptor"]["name"],
            "customers"
        );
        assert_eq!(lines[1]["trace"]["error"]["failure_type"], "config_error");
        assert_eq!(
            lines[1]["trace"]["error"]["stream_descriptor"]["name"],
            "customers"
        );
    }
}
