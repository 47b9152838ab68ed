//! Drift made visible: a [`Sink`] that counts, per stream, the values that
//! did not arrive in their schema's type ([`crate::normalise`]), and says so
//! when the stream ends:
//!
//! - one INFO line for the values converted to their type (`""` to null,
//!   `0`/`1` to booleans…), with a count per field and conversion;
//! - one WARN line per field whose values were emitted as sent because they
//!   could not be converted exactly: how many, what kinds were seen, and an
//!   example (cut short, any secret key masked).
//!
//! It keeps its own counts and hears only the records and the end of each
//! stream, so other per-stream accounting sits beside it behind a
//! [`crate::sink::Tee`].

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use crate::error::Error;
use crate::json_scan::Kind;
use crate::normalise::{Conversion, Outcome};
use crate::schema_plan::Type;
use crate::sink::{Batch, Finished, Sink, Stream};

/// The drift counts of the streams being read.
#[derive(Debug, Default)]
pub struct DriftLog {
    streams: HashMap<&'static str, Counts>,
}

/// One stream's counts, by field path.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    fields: BTreeMap<Arc<str>, Field>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Field {
    converted: BTreeMap<Conversion, u64>,
    kept: BTreeMap<Kind, u64>,
    wanted: Option<Type>,
    /// The first value kept.
    example: Option<Box<str>>,
}

/// A field whose values were emitted as sent: the content of one WARN line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub field: String,
    pub values: u64,
    pub wanted: &'static str,
    /// The kinds seen, with counts: `object (3), string (1)`.
    pub seen: String,
    pub example: String,
}

impl Counts {
    fn add(&mut self, batch: &Batch<'_>) {
        for drift in batch.drift() {
            for seen in &drift.seen {
                let field = self.fields.entry(Arc::clone(&seen.path)).or_default();
                match &seen.outcome {
                    Outcome::Converted(how) => *field.converted.entry(*how).or_default() += 1,
                    Outcome::Kept {
                        kind,
                        wanted,
                        example,
                    } => {
                        *field.kept.entry(*kind).or_default() += 1;
                        field.wanted = Some(*wanted);
                        field.example.get_or_insert_with(|| example.clone());
                    }
                }
            }
        }
    }

    /// The conversions made, one `field: conversion (n)` per field and
    /// conversion (`metadata: "" to null (12)`), joined by `; `; `None`
    /// when there were none.
    pub fn converted(&self) -> Option<String> {
        let mut out = String::new();
        for (path, field) in &self.fields {
            for (how, n) in &field.converted {
                if !out.is_empty() {
                    out.push_str("; ");
                }
                let _ = write!(out, "{path}: {how} ({n})");
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The fields whose values were emitted as sent, in path order.
    pub fn kept(&self) -> Vec<Kept> {
        self.fields
            .iter()
            .filter(|(_, f)| !f.kept.is_empty())
            .map(|(path, f)| Kept {
                field: path.to_string(),
                values: f.kept.values().sum(),
                wanted: f.wanted.map_or("?", Type::name),
                seen: f
                    .kept
                    .iter()
                    .map(|(kind, n)| format!("{kind} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", "),
                example: f.example.as_deref().unwrap_or_default().to_owned(),
            })
            .collect()
    }
}

impl Sink for DriftLog {
    fn records(&mut self, stream: Stream, batch: &Batch<'_>) -> Result<(), Error> {
        if batch.drift().next().is_some() {
            self.streams.entry(stream.name).or_default().add(batch);
        }
        Ok(())
    }

    /// The stream's lines, however it ended: its records are out.
    fn stream_finished(&mut self, stream: Stream, _how: Finished<'_>) -> Result<(), Error> {
        let Some(counts) = self.streams.remove(stream.name) else {
            return Ok(());
        };
        if let Some(converted) = counts.converted() {
            tracing::info!(
                stream = stream.name,
                converted,
                "Values sent in another type than their schema's were converted to it."
            );
        }
        for k in counts.kept() {
            tracing::warn!(
                stream = stream.name,
                field = k.field,
                values = k.values,
                schema_type = k.wanted,
                seen = k.seen,
                example = k.example,
                "Values that do not match their schema's type were emitted as sent: a \
                 destination may not load them into the field's typed column. Please report \
                 it, with this line, so that the schema can follow what Paystack sends."
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{Fields, decode_page};
    use crate::schema_plan::Plan;
    use crate::streams::find;

    /// A page of `records`, decoded with the plan of this schema.
    fn page(records: &str) -> crate::page::Page {
        let t = |ty: &str| serde_json::json!({"type": ["null", ty]});
        let plan = Plan::compile(&serde_json::json!({"type": "object", "properties": {
            "id": t("integer"), "metadata": t("object"), "customer": t("integer"),
            "refunded": t("boolean"), "active": t("boolean"),
        }}));
        let body = format!(r#"{{"status":true,"data":[{records}]}}"#);
        let fields = Fields {
            plan: Some(&plan),
            ..Fields::default()
        };
        decode_page(body.into_bytes(), fields).unwrap()
    }

    #[test]
    fn counts_are_kept_per_stream_and_field_for_the_records_emitted() {
        let orders = find("orders").unwrap();
        let p = page(
            r#"{"id":1,"metadata":"","customer":{"id":7,"email":"a@example.com"},"refunded":1},
               {"id":2,"metadata":"{\"is_gift\":false}","customer":5,"refunded":0},
               {"id":3,"metadata":null,"customer":"x","refunded":true},
               {"id":4,"metadata":"","customer":[1],"refunded":"no"}"#,
        );
        let mut log = DriftLog::default();
        // Record 4 is not emitted: it is not counted.
        log.records(orders, &Batch::new(&p, &[0, 1, 2], b"", 1))
            .unwrap();
        let counts = log.streams.get("orders").unwrap();
        assert_eq!(
            counts.converted().unwrap(),
            "metadata: \"\" to null (1); metadata: JSON text to object (1); \
             refunded: 0/1 to boolean (2)"
        );
        assert_eq!(
            counts.kept(),
            [Kept {
                field: "customer".into(),
                values: 2,
                wanted: "integer",
                seen: "string (1), object (1)".into(),
                example: r#"{"id":7,"email":"a@example.com"}"#.into(),
            }]
        );
        // The end of the stream clears its counts; other streams are apart.
        log.records(
            find("products").unwrap(),
            &Batch::new(&page(r#"{"id":1,"active":1}"#), &[0], b"", 1),
        )
        .unwrap();
        log.stream_finished(orders, Finished::Complete).unwrap();
        assert!(!log.streams.contains_key("orders"));
        assert_eq!(
            log.streams.get("products").unwrap().converted().unwrap(),
            "active: 0/1 to boolean (1)"
        );
    }

    #[test]
    fn records_that_match_leave_no_counts() {
        let mut log = DriftLog::default();
        let p = page(r#"{"id":1,"metadata":{"a":1}},{"id":2}"#);
        log.records(find("customers").unwrap(), &Batch::new(&p, &[0, 1], b"", 1))
            .unwrap();
        assert!(!log.streams.contains_key("customers"));
        assert!(p.records.iter().all(|r| r.drift.is_none()));
    }
}
