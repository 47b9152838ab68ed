//! Reads the connector's stdout as it arrives and checks it against the
//! fake's ground truth: every record id of every stream exactly once.
//!
//! This runs on the harness's reader thread at the connector's full output
//! rate (scenario 1 runs it as fast as it goes), on a machine the connector and the
//! fake share, so it avoids JSON trees for records. The connector writes each
//! RECORD as `{"type":"RECORD","record":{"stream":"NAME","data":{…},…}`; the
//! checker matches that prefix, takes the stream name, and scans `data` only
//! as far as its top-level `id` (a small scanner that tracks strings and
//! nesting, so a nested `"id"` such as `customer.id` is never taken for the
//! record's). Any other line, and a RECORD line in another shape, is parsed
//! with `serde_json` (counted as `slow_path`).

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;
use serde_json::Value;

/// The ground truth and tallies of one stream.
#[derive(Debug)]
struct StreamTally {
    name: String,
    /// Every id the fake holds for this stream, ascending.
    ids: Vec<u64>,
    /// How many times each of `ids` arrived (saturating).
    seen: Vec<u8>,
    records: u64,
    /// Records whose id the fake does not hold.
    unexpected: u64,
    /// Records without an integer top-level `id`.
    without_id: u64,
}

/// What came out on stdout, per stream and in all.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub lines: u64,
    pub bytes: u64,
    pub records: u64,
    pub expected: u64,
    /// Expected ids that never arrived.
    pub missing: u64,
    /// Extra arrivals of ids that had already arrived.
    pub duplicates: u64,
    /// Records with an id the fake does not hold, or no id.
    pub unexpected: u64,
    pub states: u64,
    pub error_traces: Vec<String>,
    pub rate_limited_traces: u64,
    /// Last STREAM_STATUS per stream.
    pub final_status: BTreeMap<String, String>,
    pub per_stream: BTreeMap<String, StreamOutcome>,
    /// Lines that did not take the fast path (non-RECORD messages included).
    pub slow_path: u64,
    /// Lines that are not JSON.
    pub garbage: u64,
    /// The last STATE message of each stream (its `state` object), to
    /// resume from.
    #[serde(skip)]
    pub last_states: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StreamOutcome {
    pub expected: u64,
    pub records: u64,
    pub missing: u64,
    pub duplicates: u64,
    pub unexpected: u64,
}

impl Outcome {
    /// Every expected record exactly once, nothing else, every stream
    /// COMPLETE, and no ERROR trace.
    pub fn all_once(&self) -> bool {
        self.missing == 0
            && self.duplicates == 0
            && self.unexpected == 0
            && self.records == self.expected
            && self.error_traces.is_empty()
            && self.garbage == 0
            && !self.per_stream.is_empty()
            && self
                .per_stream
                .keys()
                .all(|s| self.final_status.get(s).is_some_and(|st| st == "COMPLETE"))
    }

    /// A short verdict for the table.
    pub fn summary(&self) -> String {
        if self.all_once() {
            return "all once".into();
        }
        let mut parts = Vec::new();
        if self.missing > 0 {
            parts.push(format!("{} missing", self.missing));
        }
        if self.duplicates > 0 {
            parts.push(format!("{} dup", self.duplicates));
        }
        if self.unexpected > 0 {
            parts.push(format!("{} unexpected", self.unexpected));
        }
        if !self.error_traces.is_empty() {
            parts.push(format!("{} ERROR", self.error_traces.len()));
        }
        let incomplete = self
            .per_stream
            .keys()
            .filter(|s| self.final_status.get(*s).is_none_or(|st| st != "COMPLETE"))
            .count();
        if incomplete > 0 {
            parts.push(format!("{incomplete} streams not COMPLETE"));
        }
        if self.garbage > 0 {
            parts.push(format!("{} non-JSON lines", self.garbage));
        }
        if parts.is_empty() {
            parts.push("mismatch".into());
        }
        parts.join(", ")
    }
}

/// Checks one run's stdout.
pub struct Checker {
    streams: Vec<StreamTally>,
    out: Outcome,
}

const RECORD_PREFIX: &[u8] = br#"{"type":"RECORD","record":{"stream":""#;
const DATA_INFIX: &[u8] = br#"","data":"#;

impl Checker {
    /// `truth`: each stream's name and all its ids, ascending.
    pub fn new(truth: Vec<(String, Vec<u64>)>) -> Self {
        let streams = truth
            .into_iter()
            .map(|(name, ids)| StreamTally {
                seen: vec![0; ids.len()],
                name,
                ids,
                records: 0,
                unexpected: 0,
                without_id: 0,
            })
            .collect();
        Checker {
            streams,
            out: Outcome::default(),
        }
    }

    /// Reads `input` to its end, line by line, without copying lines out of
    /// the read buffer (except one partial line per refill).
    ///
    /// # Errors
    /// A read error of the pipe.
    pub fn consume<R: Read>(mut self, mut input: R) -> std::io::Result<Outcome> {
        let mut buf = vec![0u8; 1 << 20];
        let mut filled = 0usize;
        loop {
            if filled == buf.len() {
                // One line longer than the buffer.
                buf.resize(buf.len() * 2, 0);
            }
            let n = match input.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.out.bytes += n as u64;
            let scan_from = filled;
            filled += n;
            let mut start = 0usize;
            let mut search = scan_from;
            while let Some(pos) = memchr::memchr(b'\n', &buf[search..filled]) {
                let end = search + pos;
                self.line(&buf[start..end]);
                start = end + 1;
                search = start;
            }
            if start > 0 {
                buf.copy_within(start..filled, 0);
                filled -= start;
            }
        }
        if filled > 0 {
            // A last line without a newline.
            let tail = buf[..filled].to_vec();
            self.line(&tail);
        }
        Ok(self.finish())
    }

    fn line(&mut self, line: &[u8]) {
        self.out.lines += 1;
        if let Some((i, data)) = self.fast_record(line) {
            let id = top_level_id(data);
            self.record(i, id);
            return;
        }
        self.out.slow_path += 1;
        let Ok(mut v) = serde_json::from_slice::<Value>(line) else {
            self.out.garbage += 1;
            return;
        };
        match v["type"].as_str() {
            Some("RECORD") => {
                let name = v["record"]["stream"].as_str().unwrap_or_default();
                let id = v["record"]["data"]["id"].as_u64();
                match self.streams.iter().position(|s| s.name == name) {
                    Some(i) => self.record(i, id),
                    None => {
                        self.out.records += 1;
                        self.out.unexpected += 1;
                    }
                }
            }
            Some("STATE") => {
                self.out.states += 1;
                let state = v["state"].take();
                if let Some(name) = state["stream"]["stream_descriptor"]["name"].as_str() {
                    self.out.last_states.insert(name.to_owned(), state);
                }
            }
            Some("TRACE") => {
                let t = &v["trace"];
                match t["type"].as_str() {
                    Some("ERROR") => self.out.error_traces.push(
                        t["error"]["message"]
                            .as_str()
                            .unwrap_or("(no message)")
                            .to_owned(),
                    ),
                    Some("STREAM_STATUS") => {
                        let ss = &t["stream_status"];
                        let name = ss["stream_descriptor"]["name"].as_str().unwrap_or("?");
                        let status = ss["status"].as_str().unwrap_or("?");
                        let limited = ss["reasons"].as_array().is_some_and(|r| {
                            r.iter().any(|x| x["type"].as_str() == Some("RATE_LIMITED"))
                        });
                        if limited {
                            self.out.rate_limited_traces += 1;
                        }
                        self.out
                            .final_status
                            .insert(name.to_owned(), status.to_owned());
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// A RECORD line in the connector's own shape: the stream's index and
    /// the bytes from the start of `data`.
    fn fast_record<'l>(&self, line: &'l [u8]) -> Option<(usize, &'l [u8])> {
        let rest = line.strip_prefix(RECORD_PREFIX)?;
        let q = memchr::memchr(b'"', rest)?;
        let data = rest[q..].strip_prefix(DATA_INFIX)?;
        let name = &rest[..q];
        let i = self
            .streams
            .iter()
            .position(|s| s.name.as_bytes() == name)?;
        Some((i, data))
    }

    fn record(&mut self, i: usize, id: Option<u64>) {
        self.out.records += 1;
        let s = &mut self.streams[i];
        s.records += 1;
        match id {
            None => s.without_id += 1,
            Some(id) => match s.ids.binary_search(&id) {
                Ok(k) => s.seen[k] = s.seen[k].saturating_add(1),
                Err(_) => s.unexpected += 1,
            },
        }
    }

    fn finish(mut self) -> Outcome {
        for s in &self.streams {
            let missing = s.seen.iter().filter(|&&c| c == 0).count() as u64;
            let duplicates: u64 = s.seen.iter().map(|&c| u64::from(c.saturating_sub(1))).sum();
            let unexpected = s.unexpected + s.without_id;
            self.out.expected += s.ids.len() as u64;
            self.out.missing += missing;
            self.out.duplicates += duplicates;
            self.out.unexpected += unexpected;
            self.out.per_stream.insert(
                s.name.clone(),
                StreamOutcome {
                    expected: s.ids.len() as u64,
                    records: s.records,
                    missing,
                    duplicates,
                    unexpected,
                },
            );
        }
        self.out
    }
}

/// The integer value of the top-level `"id"` key of the JSON object that
/// starts `data` (trailing bytes after the object are ignored), scanning no
/// further than that key. `None` when the object has no such key or its value
/// is not a non-negative integer.
pub fn top_level_id(data: &[u8]) -> Option<u64> {
    if data.first() != Some(&b'{') {
        return None;
    }
    let mut depth = 1u32;
    // At depth 1: true between `{`/`,` and the next key.
    let mut expect_key = true;
    let mut i = 1;
    while i < data.len() {
        match data[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < data.len() {
                    match data[j] {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                if depth == 1 && expect_key && data.get(start..j) == Some(b"id") {
                    return number_after_colon(data.get(j + 1..)?);
                }
                i = j + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            }
            b':' if depth == 1 => expect_key = false,
            b',' if depth == 1 => expect_key = true,
            _ => {}
        }
        i += 1;
    }
    None
}

fn number_after_colon(rest: &[u8]) -> Option<u64> {
    let mut k = 0;
    let skip_ws = |k: &mut usize| {
        while rest.get(*k).is_some_and(u8::is_ascii_whitespace) {
            *k += 1;
        }
    };
    skip_ws(&mut k);
    if rest.get(k) != Some(&b':') {
        return None;
    }
    k += 1;
    skip_ws(&mut k);
    let digits = rest[k..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    // A fraction or exponent makes it not an integer id.
    if matches!(rest.get(k + digits), Some(b'.' | b'e' | b'E')) {
        return None;
    }
    std::str::from_utf8(&rest[k..k + digits]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_top_level_id_not_a_nested_one() {
        let d = br#"{"customer":{"id":7,"x":"}{\"id\":9"},"list":[{"id":8}],"id" : 42,"y":1}"#;
        assert_eq!(top_level_id(d), Some(42));
        assert_eq!(
            top_level_id(br#"{"id":4300000009,"a":1}"#),
            Some(4_300_000_009)
        );
        assert_eq!(top_level_id(br#"{"a":{"id":1}}"#), None);
        assert_eq!(top_level_id(br#"{"a":"id","b":2}"#), None);
        assert_eq!(top_level_id(br#"{"id":"abc"}"#), None);
        assert_eq!(top_level_id(br#"{"id":1.5}"#), None);
        assert_eq!(top_level_id(br#"{"xid":1,"id":2}"#), Some(2));
    }

    #[test]
    fn counts_missing_duplicate_and_unexpected_records_and_keeps_the_last_state() {
        let c = Checker::new(vec![("customers".into(), vec![1, 2, 3])]);
        let text = concat!(
            r#"{"type":"TRACE","trace":{"type":"STREAM_STATUS","stream_status":{"stream_descriptor":{"name":"customers"},"status":"STARTED"}}}"#,
            "\n",
            r#"{"type":"RECORD","record":{"stream":"customers","data":{"n":{"id":3},"id":1},"emitted_at":1}}"#,
            "\n",
            r#"{"type":"RECORD","record":{"stream":"customers","data":{"id":1},"emitted_at":1}}"#,
            "\n",
            r#"{"type": "RECORD", "record": {"stream": "customers", "data": {"id": 2}}}"#,
            "\n",
            r#"{"type":"RECORD","record":{"stream":"customers","data":{"id":99},"emitted_at":1}}"#,
            "\n",
            r#"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"n":1}}}}"#,
            "\n",
            r#"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"n":2}}}}"#,
            "\n",
            r#"{"type":"TRACE","trace":{"type":"STREAM_STATUS","stream_status":{"stream_descriptor":{"name":"customers"},"status":"COMPLETE"}}}"#,
        );
        let o = c.consume(text.as_bytes()).unwrap();
        assert_eq!(o.lines, 8);
        assert_eq!(o.bytes, text.len() as u64);
        assert_eq!(o.records, 4);
        assert_eq!((o.missing, o.duplicates, o.unexpected), (1, 1, 1));
        assert_eq!(o.states, 2);
        assert_eq!(
            o.last_states["customers"]["stream"]["stream_state"]["n"], 2,
            "the last state of the stream"
        );
        assert_eq!(o.slow_path, 5);
        assert_eq!(o.final_status["customers"], "COMPLETE");
        assert!(!o.all_once());
        assert_eq!(o.summary(), "1 missing, 1 dup, 1 unexpected");
    }

    #[test]
    fn lines_longer_than_the_buffer_and_split_reads() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(b.len()).min(7);
                b[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let pad = "x".repeat(3 << 20);
        let text = format!(
            "{{\"type\":\"RECORD\",\"record\":{{\"stream\":\"s\",\"data\":{{\"p\":\"{pad}\",\"id\":5}}}}}}\n\
             {{\"type\":\"RECORD\",\"record\":{{\"stream\":\"s\",\"data\":{{\"id\":6}}}}}}\n\
             {{\"type\":\"TRACE\",\"trace\":{{\"type\":\"STREAM_STATUS\",\"stream_status\":{{\"stream_descriptor\":{{\"name\":\"s\"}},\"status\":\"COMPLETE\"}}}}}}"
        );
        let c = Checker::new(vec![("s".into(), vec![5, 6])]);
        let o = c.consume(text.as_bytes()).unwrap();
        assert!(o.all_once(), "{o:?}");
        let c = Checker::new(vec![("s".into(), vec![5, 6])]);
        let o = c.consume(Trickle(text.as_bytes())).unwrap();
        assert!(o.all_once(), "{o:?}");
    }
}
