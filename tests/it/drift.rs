//! Drift, end to end, through the binary (issue 11): the fake Paystack
//! serves its type drift on a share of records; every record the connector
//! writes validates against its schema, each value differs from what was
//! sent only by one of the exact conversions, and the INFO line of each
//! stream counts them. A value that cannot be converted goes out as sent,
//! and one WARN line per field says so.

use std::collections::BTreeMap;

use fake_paystack::{FakePaystack, Options};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// The `key=value` fields of a log line (after its message); quoted values
/// unescaped.
fn log_fields(line: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let Some(at) = line.find(" stream=") else {
        return fields;
    };
    let mut rest = &line[at + 1..];
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_owned();
        rest = &rest[eq + 1..];
        let value = if rest.starts_with('"') {
            let mut end = 1;
            let bytes = rest.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let quoted = &rest[..=end];
            rest = &rest[end + 1..];
            serde_json::from_str(quoted).unwrap_or_else(|e| panic!("{e}: {quoted}"))
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            let bare = rest[..end].to_owned();
            rest = &rest[end..];
            bare
        };
        fields.insert(key, value);
    }
    fields
}

/// The log lines of `level` with the message `message`, as fields.
fn logs(stderr: &str, level: &str, message: &str) -> Vec<BTreeMap<String, String>> {
    stderr
        .lines()
        .filter(|l| l.contains(&format!(" {level} ")) && l.contains(message))
        .map(log_fields)
        .collect()
}

const CONVERTED: &str = "converted to it.";
const KEPT: &str = "emitted as sent";

/// Where `sent` and `emitted` differ, each as (path, conversion), with the
/// paths and names the connector logs. Panics on any other difference.
fn conversions(sent: &Value, emitted: &Value, path: &str, out: &mut Vec<(String, String)>) {
    let member = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (sent, emitted) {
        (a, b) if a == b => {}
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let got = b
                    .get(key)
                    .unwrap_or_else(|| panic!("{path}: {key} is gone"));
                conversions(value, got, &member(key), out);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            for (x, y) in a.iter().zip(b) {
                conversions(x, y, &format!("{path}[]"), out);
            }
        }
        (Value::Number(n), Value::Bool(b)) => {
            assert_eq!(n.as_u64(), Some(u64::from(*b)), "{path}");
            out.push((path.to_owned(), "0/1 to boolean".into()));
        }
        (Value::Bool(b), Value::Number(n)) => {
            assert_eq!(n.as_u64(), Some(u64::from(*b)), "{path}");
            out.push((path.to_owned(), "true/false to integer".into()));
        }
        (Value::String(s), Value::Null) if s.is_empty() => {
            out.push((path.to_owned(), "\"\" to null".into()));
        }
        (Value::String(s), Value::Number(n)) => {
            assert_eq!(s, &n.to_string(), "{path}");
            out.push((path.to_owned(), "numeric string to integer".into()));
        }
        (Value::String(s), got @ (Value::Object(_) | Value::Array(_))) => {
            let parsed: Value = serde_json::from_str(s).unwrap();
            conversions(&parsed, got, path, out);
            let ty = if got.is_object() { "object" } else { "array" };
            out.push((path.to_owned(), format!("JSON text to {ty}")));
        }
        (a, b) => panic!("{path}: {a} was written as {b}"),
    }
}

/// Parses an INFO line's `converted` field: `path: conversion (n); …`.
fn parse_converted(text: &str) -> BTreeMap<(String, String), u64> {
    text.split("; ")
        .map(|part| {
            let (path, rest) = part.split_once(": ").unwrap();
            let (how, n) = rest.rsplit_once(" (").unwrap();
            let n = n.trim_end_matches(')').parse().unwrap();
            ((path.to_owned(), how.to_owned()), n)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drifted_records_are_written_in_their_schema_types_and_counted() {
    let server = FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        default_records: 120,
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-05-01T00:00:00Z"),
        ..Options::default()
    })
    .await
    .unwrap();
    let files = Files::new();
    let config = files.config(json!({
        "secret_key": KEY,
        "start_date": "2024-01-01T00:00:00Z",
        "requests_per_minute": 100000,
    }));
    let catalog = files.catalog(&every_stream("incremental"));
    let (out, stderr) = read_binary(server.uri(), config, catalog, &[]).await;
    assert_eq!(out.code, 0, "{stderr}");
    assert_records_match_schemas(&out);
    for m in out.of_type("RECORD") {
        let at = m["record"]["emitted_at"].as_i64().unwrap();
        assert!(
            at > 1_600_000_000_000,
            "emitted_at is in milliseconds: {at}"
        );
    }

    let info = logs(&stderr, "INFO", CONVERTED);
    let mut total = 0;
    for def in source_paystack::STREAMS {
        let records = out.records(def.name);
        assert_eq!(
            records.len() as u64,
            server.total(def.name),
            "{}: every record",
            def.name
        );
        let mut want: BTreeMap<(String, String), u64> = BTreeMap::new();
        for emitted in records {
            let id = emitted["id"].as_u64().unwrap();
            let sent: Value = serde_json::from_str(&server.record(def.name, id).unwrap()).unwrap();
            let mut seen = Vec::new();
            conversions(&sent, emitted, "", &mut seen);
            for key in seen {
                *want.entry(key).or_default() += 1;
            }
            // Nothing else was added but a child's parent tags.
            let added: Vec<&String> = emitted
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| sent.get(k.as_str()).is_none())
                .collect();
            let tags: Vec<&str> = def
                .parent
                .iter()
                .flat_map(|p| [p.key_tag, p.cursor_tag])
                .collect();
            assert!(
                added.iter().all(|k| tags.contains(&k.as_str())),
                "{}: {added:?}",
                def.name
            );
        }
        let line: Vec<_> = info.iter().filter(|f| f["stream"] == def.name).collect();
        if want.is_empty() {
            assert!(line.is_empty(), "{}: no INFO line: {line:?}", def.name);
            continue;
        }
        assert_eq!(line.len(), 1, "{}: one INFO line", def.name);
        assert_eq!(parse_converted(&line[0]["converted"]), want, "{}", def.name);
        total += want.values().sum::<u64>();
    }
    // Every kind of drift the fake serves was met and converted.
    for how in [
        "0/1 to boolean",
        "true/false to integer",
        "\"\" to null",
        "JSON text to object",
        "numeric string to integer",
    ] {
        assert!(
            info.iter().any(|f| f["converted"].contains(how)),
            "{how}: {info:?}"
        );
    }
    assert!(total > 500, "{total} values converted");
    assert!(logs(&stderr, "WARN", KEPT).is_empty(), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_that_cannot_be_converted_go_out_as_sent_with_one_warn_per_field() {
    let server = MockServer::start().await;
    let mut records = Vec::new();
    for i in 0..6u64 {
        let mut r = record(
            "orders",
            100 + i,
            t("2024-02-01T00:00:00Z") + days(i as i64),
        );
        match i {
            // An id, as Paystack's OpenAPI spec types the list's customer;
            // the docs' samples send an object, the schema's type.
            0 => r["customer"] = json!(181873746),
            // The newer record, so the first one read: the example.
            1 => r["customer"] = json!("CUS_x sk_live_0123456789abcdef"),
            2 => r["metadata"] = json!(""),
            3 => r["refunded"] = json!("no"),
            4 => r["amount"] = json!("12.50"),
            _ => {}
        }
        records.push(r);
    }
    // Values the fake never serves: one page of hand-made records, newest
    // first.
    let newest_first: Vec<Value> = records.iter().rev().cloned().collect();
    Mock::given(method("GET"))
        .and(path("/order"))
        .respond_with(ResponseTemplate::new(200).set_body_json(one_page(&newest_first)))
        .mount(&server)
        .await;
    let files = Files::new();
    let config = files.config(json!({
        "secret_key": KEY,
        "start_date": "2024-01-01T00:00:00Z",
        "requests_per_minute": 100000,
    }));
    let catalog = files.catalog(&[("orders", "incremental")]);
    let (out, stderr) = read_binary(server.uri(), config, catalog, &[]).await;
    assert_eq!(out.code, 0, "{stderr}");
    let emitted: BTreeMap<u64, &Value> = out
        .records("orders")
        .into_iter()
        .map(|r| (r["id"].as_u64().unwrap(), r))
        .collect();
    assert_eq!(emitted.len(), 6, "nothing is dropped");
    assert_eq!(out.records("orders").len(), 6, "nothing is read twice");
    for (i, sent) in records.iter().enumerate() {
        let got = emitted[&(100 + i as u64)];
        if i == 2 {
            assert_eq!(got["metadata"], Value::Null);
        } else {
            assert_eq!(got, sent, "written as sent");
        }
    }
    let warns = logs(&stderr, "WARN", KEPT);
    let by_field: BTreeMap<&str, &BTreeMap<String, String>> =
        warns.iter().map(|f| (f["field"].as_str(), f)).collect();
    assert_eq!(warns.len(), 3, "one line per field: {warns:?}");
    let customer = by_field["customer"];
    assert_eq!(customer["stream"], "orders");
    assert_eq!(customer["values"], "2");
    assert_eq!(customer["schema_type"], "object");
    assert_eq!(customer["seen"], "integer (1), string (1)");
    // The first value kept is the example, with anything like a secret key
    // masked.
    assert_eq!(customer["example"], r#""CUS_x sk_***""#);
    assert_eq!(by_field["refunded"]["seen"], "string (1)");
    assert_eq!(by_field["refunded"]["example"], r#""no""#);
    assert_eq!(by_field["amount"]["schema_type"], "integer");
    assert_eq!(by_field["amount"]["example"], r#""12.50""#);
    assert!(!stderr.contains("0123456789abcdef"), "{stderr}");
    let info = logs(&stderr, "INFO", CONVERTED);
    assert_eq!(info.len(), 1);
    assert_eq!(info[0]["converted"], "metadata: \"\" to null (1)");
}
