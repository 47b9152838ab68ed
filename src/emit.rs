//! The one writer of standard output: one Airbyte message per line.
//!
//! Records take a fast path: the record's bytes, exactly as Paystack sent them,
//! are copied between a fixed prefix and suffix, with no JSON tree built.
//! Output is buffered and flushed after every STATE message (so a state never
//! sits in a buffer while the records before it are already out, or the other
//! way round) and at the end of each command.

use std::io::{self, BufWriter, Write};

use crate::error::{Error, FailureType};
use crate::protocol::{
    AirbyteErrorTraceMessage, AirbyteEstimateTraceMessage, AirbyteMessage,
    AirbyteStreamStatusReason, AirbyteStreamStatusTraceMessage, AirbyteTraceMessage,
    StreamDescriptor, TraceType,
};
use crate::protocol::{AirbyteStreamStatus, AirbyteStreamStatusRateLimitedReason};

/// Milliseconds since the Unix epoch, as Airbyte wants `emitted_at`.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Owns the output; every message goes through here.
pub struct Emitter<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> Emitter<W> {
    pub fn new(out: W) -> Self {
        Emitter {
            out: BufWriter::with_capacity(1 << 16, out),
        }
    }

    /// Writes any protocol message as one line.
    ///
    /// # Errors
    /// Fails when the output cannot be written (for example a closed pipe).
    pub fn message(&mut self, msg: &AirbyteMessage<'_>) -> Result<(), Error> {
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
    pub fn record(&mut self, stream: &str, data: &[u8], emitted_at: i64) -> Result<(), Error> {
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
    pub fn record_tagged(
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
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn stream_status(
        &mut self,
        stream: &str,
        status: AirbyteStreamStatus,
    ) -> Result<(), Error> {
        self.trace(AirbyteTraceMessage {
            kind: TraceType::StreamStatus,
            emitted_at: now_millis() as f64,
            error: None,
            estimate: None,
            stream_status: Some(AirbyteStreamStatusTraceMessage {
                stream_descriptor: StreamDescriptor::named(stream),
                status,
                reasons: Vec::new(),
            }),
        })
    }

    /// Writes a STREAM_STATUS RUNNING trace with a RATE_LIMITED reason.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn rate_limited(&mut self, stream: &str, quota_reset_ms: Option<i64>) -> Result<(), Error> {
        self.trace(AirbyteTraceMessage {
            kind: TraceType::StreamStatus,
            emitted_at: now_millis() as f64,
            error: None,
            estimate: None,
            stream_status: Some(AirbyteStreamStatusTraceMessage {
                stream_descriptor: StreamDescriptor::named(stream),
                status: AirbyteStreamStatus::Running,
                reasons: vec![AirbyteStreamStatusReason {
                    kind: "RATE_LIMITED",
                    rate_limited: Some(AirbyteStreamStatusRateLimitedReason {
                        quota_reset: quota_reset_ms,
                    }),
                }],
            }),
        })
    }

    /// Writes a per-stream ESTIMATE trace.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn estimate(&mut self, stream: &str, rows: u64) -> Result<(), Error> {
        self.trace(AirbyteTraceMessage {
            kind: TraceType::Estimate,
            emitted_at: now_millis() as f64,
            error: None,
            estimate: Some(AirbyteEstimateTraceMessage {
                name: stream.to_owned(),
                kind: "STREAM",
                row_estimate: rows,
            }),
            stream_status: None,
        })
    }

    /// Writes an ERROR trace for `error`, optionally naming a stream.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn error(&mut self, error: &Error, stream: Option<&str>) -> Result<(), Error> {
        self.error_message(error.to_string(), error.failure_type(), stream)
    }

    /// Writes an ERROR trace with a given message and failure type.
    ///
    /// # Errors
    /// Fails when the output cannot be written.
    pub fn error_message(
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

    #[test]
    fn status_and_error_traces_have_the_protocol_shape() {
        let mut e = Emitter::new(Vec::new());
        e.stream_status("customers", AirbyteStreamStatus::Started)
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
