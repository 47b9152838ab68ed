//! Airbyte's connector acceptance tests (CAT), re-implemented as cargo tests
//! against the fake Paystack, so CI runs them without a key. The same suites
//! are declared in `acceptance-test-config.yml` for Airbyte's tools:
//! airbyte-cdk's standard tests (`DockerConnectorTestSuite`, run against the
//! image on every change by `ci/standard-tests.sh`) and the older Connector
//! Acceptance Tests (`connector-acceptance-test`).

use std::collections::BTreeMap;

use chrono::DateTime;
use fake_paystack::FakePaystack;
use serde_json::{Value, json};
use source_paystack::STREAMS;
use source_paystack::app::Settings;
use source_paystack::cli::Command;

use crate::support::*;

const RECORDS: u64 = 120;

async fn fake() -> FakePaystack {
    fake_paystack(RECORDS).await
}

fn settings_for(server: &FakePaystack) -> Settings {
    fake_settings(server.uri(), 10, 1)
}

fn all(mode: &'static str) -> Vec<(&'static str, &'static str)> {
    every_stream(mode)
}

fn schema_of(stream: &str) -> Value {
    serde_json::from_str(def(stream).schema).unwrap()
}

/// The `type` of a schema node as a list.
fn types(node: &Value) -> Vec<&str> {
    match &node["type"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// CAT's stricter checks than JSON Schema: a field typed integer (and not
/// number) holds an integer literal, and a `date-time` field parses.
fn strict_check(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    let ty = types(schema);
    match value {
        Value::Number(n)
            if ty.contains(&"integer")
                && !ty.contains(&"number")
                && !(n.is_i64() || n.is_u64()) =>
        {
            errors.push(format!("{path}: {n} is not an integer literal"));
        }
        Value::String(s)
            if schema["format"] == "date-time" && DateTime::parse_from_rfc3339(s).is_err() =>
        {
            errors.push(format!("{path}: {s:?} is not a date-time"));
        }
        Value::Object(map) => {
            for (k, v) in map {
                if let Some(sub) = schema["properties"].get(k) {
                    strict_check(v, sub, &format!("{path}.{k}"), errors);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                strict_check(v, &schema["items"], &format!("{path}[{i}]"), errors);
            }
        }
        _ => {}
    }
}

// The spec suite is `spec_discover::spec_is_a_valid_draft7_schema_that_hides_the_key`.

#[tokio::test]
async fn connection_suite() {
    let server = fake().await;
    let files = Files::new();
    let good = run(
        Command::Check {
            config: files.default_config(0),
        },
        &settings_for(&server),
    )
    .await;
    let invalid = files.write(
        "invalid.json",
        include_str!("../../integration_tests/invalid_config.json"),
    );
    let bad = run(Command::Check { config: invalid }, &settings_for(&server)).await;
    for (out, want) in [(&good, "SUCCEEDED"), (&bad, "FAILED")] {
        assert_eq!(out.code, 0);
        let statuses = out.of_type("CONNECTION_STATUS");
        assert_eq!(statuses.len(), 1, "exactly one CONNECTION_STATUS");
        assert_eq!(out.messages.len(), 1);
        assert_eq!(statuses[0]["connectionStatus"]["status"], want);
    }
}

// The discovery suite is `spec_discover::discover_lists_every_stream_with_keys_and_cursors`.

#[tokio::test]
async fn basic_read_suite() {
    let server = fake().await;
    let files = Files::new();
    let out = run(
        read_cmd(
            &files.default_config(0),
            &files.catalog(&all("incremental")),
            None,
        ),
        &settings_for(&server),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_records_match_schemas(&out);
    let mut errors = vec![];
    for m in out.of_type("RECORD") {
        let stream = m["record"]["stream"].as_str().unwrap();
        strict_check(
            &m["record"]["data"],
            &schema_of(stream),
            stream,
            &mut errors,
        );
    }
    assert!(errors.is_empty(), "{errors:?}");
    let states = out.of_type("STATE");
    assert!(
        states.len() >= STREAMS.len(),
        "at least as many states as streams"
    );
    for s in &states {
        assert_eq!(s["state"]["type"], "STREAM", "no LEGACY state");
        assert!(
            s["state"]["sourceStats"]["recordCount"].is_f64(),
            "sourceStats on every state"
        );
    }
    for def in STREAMS {
        assert_eq!(
            out.statuses(def.name),
            ["STARTED", "RUNNING", "COMPLETE"],
            "{}",
            def.name
        );
        assert!(
            !out.records(def.name).is_empty(),
            "{} has records",
            def.name
        );
    }
    // A catalog with an unknown stream, and one with an invalid sync mode.
    for catalog in [
        r#"{"streams":[{"stream":{"name":"not_a_stream"},"sync_mode":"full_refresh","destination_sync_mode":"append"}]}"#,
        r#"{"streams":[{"stream":{"name":"customers"},"sync_mode":"sideways","destination_sync_mode":"append"}]}"#,
    ] {
        let path = files.write("bad_catalog.json", catalog);
        let out = run(
            read_cmd(&files.default_config(0), &path, None),
            &settings_for(&server),
        )
        .await;
        assert_eq!(out.code, 1);
        assert_eq!(out.errors()[0]["failure_type"], "config_error");
    }
}

#[tokio::test]
async fn full_refresh_suite() {
    let server = fake().await;
    let files = Files::new();
    let cmd = || {
        read_cmd(
            &files.default_config(0),
            &files.catalog(&all("full_refresh")),
            None,
        )
    };
    let first = run(cmd(), &settings_for(&server)).await;
    let last_emitted = first
        .of_type("RECORD")
        .iter()
        .map(|m| m["record"]["emitted_at"].as_i64().unwrap())
        .max()
        .unwrap();
    // Let the clock pass the first read's last millisecond (no sleep: a
    // short spin on the clock).
    while chrono::Utc::now().timestamp_millis() <= last_emitted {
        std::hint::spin_loop();
    }
    let second = run(cmd(), &settings_for(&server)).await;
    let second_first = second
        .of_type("RECORD")
        .iter()
        .map(|m| m["record"]["emitted_at"].as_i64().unwrap())
        .min()
        .unwrap();
    assert!(
        second_first > last_emitted,
        "every emitted_at of the second read is later"
    );
    for def in STREAMS {
        let strip = |o: &Output| -> Vec<String> {
            let mut v: Vec<String> = o.records(def.name).iter().map(|r| r.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(
            strip(&first),
            strip(&second),
            "{}: the same records twice",
            def.name
        );
    }
}

#[tokio::test]
async fn incremental_suite() {
    let server = fake().await;
    let files = Files::new();
    let config = files.default_config(0);
    let catalog = files.catalog(&all("incremental"));
    let settings = settings_for(&server);
    let first = run(read_cmd(&config, &catalog, None), &settings).await;
    assert_eq!(first.code, 0);

    // A second read from the final states returns a different (smaller) set.
    let finals: BTreeMap<String, Value> = first
        .of_type("STATE")
        .iter()
        .map(|m| {
            (
                m["state"]["stream"]["stream_descriptor"]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                m["state"].clone(),
            )
        })
        .collect();
    let state = files.state(&json!(finals.values().collect::<Vec<_>>()).to_string());
    let second = run(read_cmd(&config, &catalog, Some(&state)), &settings).await;
    assert_eq!(second.code, 0);
    assert!(second.of_type("RECORD").len() < first.of_type("RECORD").len());
    assert_ne!(
        second
            .of_type("RECORD")
            .iter()
            .map(|m| m["record"]["data"]["id"].clone())
            .collect::<Vec<_>>(),
        first
            .of_type("RECORD")
            .iter()
            .map(|m| m["record"]["data"]["id"].clone())
            .collect::<Vec<_>>()
    );

    // Reading from any intermediate state returns at least as many records
    // as the later states' recordCount say remain.
    let stream = "transactions";
    let one_stream = files.catalog(&[(stream, "incremental")]);
    let states = first.states(stream);
    assert!(states.len() > 3, "several intermediate states");
    for (i, s) in states.iter().enumerate() {
        let remaining: f64 = states[i + 1..]
            .iter()
            .map(|s| s["sourceStats"]["recordCount"].as_f64().unwrap())
            .sum();
        let state = files.state(&json!([s]).to_string());
        let out = run(read_cmd(&config, &one_stream, Some(&state)), &settings).await;
        assert!(
            out.records(stream).len() as f64 >= remaining,
            "state {i}: {} records < {remaining}",
            out.records(stream).len()
        );
    }

    // A far-future state: no records, and a state (the streams of the
    // acceptance catalog that support incremental).
    let incremental: Vec<(&str, &str)> = all("incremental")
        .into_iter()
        .filter(|(name, mode)| *mode == "incremental" && !name.is_empty())
        .filter(|(name, _)| {
            include_str!("../../integration_tests/abnormal_state.json")
                .contains(&format!("\"{name}\""))
        })
        .collect();
    assert!(incremental.len() >= 15);
    let catalog = files.catalog(&incremental);
    let future = files.write(
        "abnormal.json",
        include_str!("../../integration_tests/abnormal_state.json"),
    );
    let out = run(read_cmd(&config, &catalog, Some(&future)), &settings).await;
    assert!(out.of_type("RECORD").is_empty(), "{}", out.text);
    assert_eq!(out.of_type("STATE").len(), incremental.len());
}
