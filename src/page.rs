//! Decoding Paystack's answer bodies: a list page, and the message of an
//! error answer.
//!
//! A page keeps Paystack's response body as it arrived. Records are located in
//! it (byte ranges) and only their `id` and cursor field are read; they are
//! written out later straight from the body, never rebuilt as JSON trees.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::json_scan::Scanner;
use crate::normalise::{self, Seen};
use crate::schema_plan::{Misfit, Plan};
use crate::time::parse_cursor_str;

/// Where one record sits in a page body, and the two fields we read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRef {
    pub start: usize,
    pub end: usize,
    /// Values that do not match the stream's schema ([`crate::normalise`]),
    /// and where the record's normalised text is, if any; `None` for the
    /// records that match (nearly all).
    pub drift: Option<Box<Drift>>,
    /// The creation time, when present and parseable.
    pub cursor: Option<DateTime<Utc>>,
    /// The `id`, when it is an integer.
    pub id: Option<u64>,
    /// The value of the key field asked for (parents of child streams), as
    /// JSON text (`123` or `"BCH_x"`).
    pub key: Option<String>,
}

/// `meta` of an offset-paginated list. Numbers may arrive as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub total: Option<u64>,
    pub per_page: Option<u64>,
    pub page: Option<u64>,
    pub page_count: Option<u64>,
    /// Cursor paging: the cursor of the next page (`None` at the end).
    pub next: Option<String>,
    /// The answer had a `meta` object (`false`: none, or not an object).
    pub present: bool,
}

/// A record's values out of place ([`crate::normalise::fix`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// Where the normalised record is in [`Page::fixed`]; `None` when nothing
    /// was converted (the record is written as sent).
    fixed: Option<(usize, usize)>,
    pub seen: Vec<Seen>,
}

/// One decoded list page.
pub struct Page {
    pub body: Vec<u8>,
    pub records: Vec<RecordRef>,
    pub meta: Meta,
    /// The text of the records that were normalised, one after another.
    fixed: Vec<u8>,
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("records", &self.records.len())
            .field("meta", &self.meta)
            .finish()
    }
}

impl Page {
    /// The JSON text of a record: as Paystack sent it, or normalised when
    /// any of its values was converted to the schema's type.
    pub fn bytes(&self, r: &RecordRef) -> &[u8] {
        match r.drift.as_deref().and_then(|d| d.fixed) {
            Some((start, end)) => &self.fixed[start..end],
            None => &self.body[r.start..r.end],
        }
    }
}

/// The `message` of an error body, or a short, printable excerpt of it.
pub fn api_message(body: &[u8], status: StatusCode) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            return truncate(m, 300);
        }
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();
    if text.is_empty() {
        status.canonical_reason().unwrap_or("no message").to_owned()
    } else {
        truncate(text, 200)
    }
}

/// True when `body` is Paystack's error envelope: a JSON object whose
/// `status` is `false` and whose `message` is a string.
pub fn is_error_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|v| {
        v.get("status") == Some(&Value::Bool(false))
            && v.get("message").is_some_and(Value::is_string)
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// Why a 2xx body was not a page.
#[derive(Debug, PartialEq)]
pub enum DecodeError {
    /// `"status": false`, with Paystack's message.
    Refused(String),
    /// Not the documented envelope.
    Malformed(String),
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    status: Option<Value>,
    #[serde(borrow, default)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    meta: Option<Value>,
}

/// The fields read from each record of a page (all others are skipped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields<'a> {
    /// The creation-time field.
    pub cursor: Option<&'a str>,
    /// Another spelling of it, seen in the wild.
    pub cursor_alias: Option<&'a str>,
    /// A field to keep as JSON text ([`RecordRef::key`]).
    pub key: Option<&'a str>,
    /// The records' schema, to normalise them by; `None` for records that
    /// are not emitted (a child stream's parents).
    pub plan: Option<&'a Plan>,
}

#[cfg(test)]
impl<'a> Fields<'a> {
    /// Just the creation time, spelt `name`.
    pub fn cursor(name: &'a str) -> Self {
        Fields {
            cursor: Some(name),
            ..Fields::default()
        }
    }
}

/// Decodes a list response body into a [`Page`].
///
/// # Errors
/// [`DecodeError::Refused`] for `"status": false`, [`DecodeError::Malformed`]
/// when the body is not JSON, `data` is not a list, or a record is not an object.
pub fn decode_page(body: Vec<u8>, fields: Fields<'_>) -> Result<Page, DecodeError> {
    let records;
    let meta;
    let mut fixed = Vec::new();
    {
        let de = &mut serde_json::Deserializer::from_slice(&body);
        let env: Envelope<'_> = serde_path_to_error::deserialize(de)
            .map_err(|e| DecodeError::Malformed(format!("{} (at {})", e.inner(), e.path())))?;
        if env.status == Some(Value::Bool(false)) {
            let m = env.message.as_deref().unwrap_or("no message");
            return Err(DecodeError::Refused(truncate(m, 300)));
        }
        let data = env.data.unwrap_or_default();
        let base = body.as_ptr() as usize;
        let mut refs = Vec::with_capacity(data.len());
        for (i, raw) in data.iter().enumerate() {
            let text = raw.get();
            if !text.starts_with('{') {
                return Err(DecodeError::Malformed(format!(
                    "data[{i}] is not a JSON object"
                )));
            }
            let start = text.as_ptr() as usize - base;
            let probe = probe(text, fields)
                .ok_or_else(|| DecodeError::Malformed(format!("data[{i}] could not be read")))?;
            let drift = (!probe.misfits.is_empty()).then(|| {
                let mut seen = Vec::new();
                let at = normalise::resolve(text, &probe.misfits, &mut seen).map(|t| {
                    let from = fixed.len();
                    fixed.extend_from_slice(t.as_bytes());
                    (from, fixed.len())
                });
                Box::new(Drift { fixed: at, seen })
            });
            refs.push(RecordRef {
                start,
                end: start + text.len(),
                drift,
                cursor: probe.cursor,
                id: probe.id,
                key: probe.key,
            });
        }
        records = refs;
        meta = env.meta.as_ref().map(read_meta).unwrap_or_default();
    }
    Ok(Page {
        body,
        records,
        meta,
        fixed,
    })
}

fn read_meta(meta: &Value) -> Meta {
    let num = |key: &str| -> Option<u64> {
        match meta.get(key)? {
            Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                    .map(|f| f as u64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    // Paystack has been seen sending the string "null" for an absent cursor.
    let next = match meta.get("next") {
        Some(Value::String(s)) if !s.is_empty() && s != "null" => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Meta {
        total: num("total"),
        per_page: num("perPage"),
        page: num("page"),
        page_count: num("pageCount"),
        next,
        present: meta.is_object(),
    }
}

#[derive(Default)]
struct Probe<'p> {
    cursor: Option<DateTime<Utc>>,
    id: Option<u64>,
    key: Option<String>,
    /// The values that do not match the plan (see [`crate::normalise`]).
    misfits: Vec<Misfit<'p>>,
}

/// Reads only `id`, the cursor field and the key field of one record, in
/// one walk that checks every value against the plan on the way; nothing
/// else is decoded. `None` when the record is not a JSON object.
fn probe<'p>(record: &str, fields: Fields<'p>) -> Option<Probe<'p>> {
    let mut probe = Probe::default();
    let mut sc = Scanner::new(record);
    sc.members(|sc, key| {
        let node = fields.plan.and_then(|p| p.child(&key));
        let (start, end) = match node {
            Some(node) => sc.check(node, &mut probe.misfits)?,
            None => sc.skip()?,
        };
        let raw = || record.get(start..end);
        if fields.key == Some(&*key) {
            let value: Value = serde_json::from_str(raw()?).ok()?;
            if key == "id" {
                probe.id = value.as_u64();
            }
            probe.key = (!value.is_null()).then(|| value.to_string());
        } else if fields.cursor == Some(&*key) || fields.cursor_alias == Some(&*key) {
            if probe.cursor.is_none() {
                probe.cursor = string_value(raw()?).as_deref().and_then(parse_cursor_str);
            }
        } else if key == "id" {
            let raw = raw()?;
            probe.id = match string_value(raw) {
                Some(s) => s.parse().ok(),
                None => raw.parse().ok(),
            };
        }
        Some(())
    })?;
    sc.end()?;
    Some(probe)
}

/// The value of a JSON string literal; `None` for any other JSON value.
fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str(raw).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_located_not_copied() {
        let body = br#"{"status":true,"message":"Customers retrieved","data":[
            {"id":4099260516,"email":"a@example.com","metadata":{"x":[1,2]},"createdAt":"2024-03-01T10:15:30.000Z"},
            {"createdAt":"2024-03-01T10:15:29Z","nested":{"createdAt":"1999-01-01T00:00:00Z"},"id":"7"}
        ],"meta":{"total":2,"skipped":0,"perPage":"50","page":1,"pageCount":1}}"#
            .to_vec();
        let page = decode_page(body, Fields::cursor("createdAt")).unwrap();
        assert_eq!(page.records.len(), 2);
        let first: Value = serde_json::from_slice(page.bytes(&page.records[0])).unwrap();
        assert_eq!(first["id"], 4099260516u64);
        assert_eq!(page.records[0].id, Some(4099260516));
        assert_eq!(
            page.records[0].cursor,
            parse_cursor_str("2024-03-01T10:15:30Z")
        );
        assert_eq!(page.records[1].id, Some(7));
        assert_eq!(
            page.records[1].cursor,
            parse_cursor_str("2024-03-01T10:15:29Z"),
            "the top-level field, not a nested one"
        );
        assert_eq!(
            page.meta,
            Meta {
                total: Some(2),
                per_page: Some(50),
                page: Some(1),
                page_count: Some(1),
                next: None,
                present: true,
            }
        );
    }

    #[test]
    fn quirky_and_broken_bodies() {
        assert_eq!(
            decode_page(
                br#"{"status":false,"message":"Invalid key"}"#.to_vec(),
                Fields::cursor("createdAt")
            )
            .unwrap_err(),
            DecodeError::Refused("Invalid key".into())
        );
        for bad in [
            &b"<html>502 Bad Gateway</html>"[..],
            br#"{"status":true,"data":[{"id":1}"#,
            br#"{"status":true,"data":{"id":1}}"#,
            br#"{"status":true,"data":[1,2]}"#,
        ] {
            assert!(
                matches!(
                    decode_page(bad.to_vec(), Fields::cursor("createdAt")),
                    Err(DecodeError::Malformed(_))
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // No meta, null data, a record without a cursor: all readable.
        let p = decode_page(
            br#"{"status":true,"data":null}"#.to_vec(),
            Fields::cursor("createdAt"),
        )
        .unwrap();
        assert!(p.records.is_empty());
        assert_eq!(p.meta, Meta::default());
        let p = decode_page(
            br#"{"data":[{"id":1,"createdAt":null}]}"#.to_vec(),
            Fields::cursor("createdAt"),
        )
        .unwrap();
        assert_eq!(p.records[0].cursor, None);
    }

    #[test]
    fn keys_aliases_and_cursor_meta_are_read() {
        let body = br#"{"status":true,"data":[
            {"id":5,"batch_code":"BCH_a\"b","createdAt":"2024-01-02T00:00:00.000Z"},
            {"id":6,"created_at":"2024-01-03T00:00:00.000Z"}
        ],"meta":{"next":"dGVybWluYWw6NQ==","previous":"null","perPage":2}}"#
            .to_vec();
        let fields = Fields {
            cursor: Some("created_at"),
            cursor_alias: Some("createdAt"),
            key: Some("batch_code"),
            plan: None,
        };
        let p = decode_page(body, fields).unwrap();
        assert_eq!(p.records[0].key.as_deref(), Some(r#""BCH_a\"b""#));
        assert_eq!(
            p.records[0].cursor,
            parse_cursor_str("2024-01-02T00:00:00Z")
        );
        assert_eq!(
            p.records[1].cursor,
            parse_cursor_str("2024-01-03T00:00:00Z")
        );
        assert_eq!(p.records[1].key, None);
        assert_eq!(p.meta.next.as_deref(), Some("dGVybWluYWw6NQ=="));
        let end = decode_page(
            br#"{"status":true,"data":[],"meta":{"next":"null"}}"#.to_vec(),
            fields,
        )
        .unwrap();
        assert_eq!(end.meta.next, None, "the string null ends the list");
    }

    #[test]
    fn records_are_normalised_by_the_plan_and_only_those_that_need_it_are_copied() {
        let plan = crate::schema_plan::Plan::compile(&serde_json::json!({
            "type": "object",
            "properties": {
                "id": {"type": ["null", "integer"]},
                "metadata": {"type": ["null", "object"]},
                "customer": {"type": ["null", "integer"]},
            }
        }));
        let body = br#"{"status":true,"data":[
            {"id":1,"metadata":{"a":1},"createdAt":"2024-01-02T00:00:00.000Z"},
            {"id":2, "metadata" : "" ,"createdAt":"2024-01-03T00:00:00.000Z"},
            {"id":3,"customer":{"id":9},"createdAt":"2024-01-04T00:00:00.000Z"}
        ]}"#
        .to_vec();
        let fields = Fields {
            plan: Some(&plan),
            ..Fields::cursor("createdAt")
        };
        let p = decode_page(body, fields).unwrap();
        let text = |i: usize| String::from_utf8(p.bytes(&p.records[i]).to_vec()).unwrap();
        // Matching: no drift, the bytes are the body's own.
        assert!(p.records[0].drift.is_none());
        let range = p.body.as_ptr_range();
        assert!(range.contains(&p.bytes(&p.records[0]).as_ptr()));
        // Converted: the new text, everything else as sent.
        assert_eq!(
            text(1),
            r#"{"id":2, "metadata" : null ,"createdAt":"2024-01-03T00:00:00.000Z"}"#
        );
        assert_eq!(p.records[1].drift.as_ref().unwrap().seen.len(), 1);
        assert_eq!(
            p.records[1].cursor,
            parse_cursor_str("2024-01-03T00:00:00Z")
        );
        // Kept: reported, and written as sent.
        let kept = p.records[2].drift.as_ref().unwrap();
        assert_eq!(kept.fixed, None);
        assert!(matches!(
            kept.seen[0].outcome,
            crate::normalise::Outcome::Kept { .. }
        ));
        assert!(range.contains(&p.bytes(&p.records[2]).as_ptr()));
        // Without a plan (a child stream's parents) nothing is checked.
        let body = br#"{"data":[{"id":2,"metadata":""}]}"#.to_vec();
        let p = decode_page(body, Fields::default()).unwrap();
        assert!(p.records[0].drift.is_none());
    }

    #[test]
    fn only_paystacks_error_envelope_is_one() {
        assert!(is_error_envelope(
            br#"{"status":false,"message":"Invalid cursor"}"#
        ));
        for not in [
            &br#"{"status":true,"message":"ok"}"#[..],
            br#"{"status":false}"#,
            br#"{"status":"false","message":"x"}"#,
            b"<html>400 Bad Request</html>",
            b"",
        ] {
            assert!(!is_error_envelope(not), "{}", String::from_utf8_lossy(not));
        }
    }

    crate::testing::never_panics!(
        page_decoding_never_panics,
        |text: &str| drop(decode_page(text.into(), Fields::cursor("createdAt"))),
        r#"{"status": true, "data": [VALUE], "meta": {}}"#
    );
}
