//! Bad input, every kind: a config_error trace that names the problem and
//! the fix with exit code 1 (`check`: one FAILED status, exit code 0), and
//! never a panic. Run through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::support::*;

fn run_bin(args: &[&str], files: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.args(args);
    for (flag, path) in files {
        c.arg(flag).arg(path);
    }
    // Nothing listens here: a test that reached the network would fail.
    c.env("PAYSTACK_API_URL", "http://127.0.0.1:9");
    c.output().unwrap()
}

fn messages(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn assert_config_error(out: &Output, needle: &str, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: panic: {stderr}");
    assert_eq!(out.status.code(), Some(1), "{what}");
    let msgs = messages(out);
    assert_eq!(msgs.len(), 1, "{what}: {msgs:?}");
    let e = &msgs[0]["trace"]["error"];
    assert_eq!(e["failure_type"], "config_error", "{what}");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains(needle), "{what}: {m}");
}

fn assert_check_failed(out: &Output, needle: &str, what: &str) {
    assert_eq!(out.status.code(), Some(0), "{what}");
    let msgs = messages(out);
    assert_eq!(msgs.len(), 1, "{what}: {msgs:?}");
    assert_eq!(msgs[0]["connectionStatus"]["status"], "FAILED", "{what}");
    let m = msgs[0]["connectionStatus"]["message"].as_str().unwrap();
    assert!(m.contains(needle), "{what}: {m}");
}

fn bad_configs(files: &Files) -> Vec<(&'static str, PathBuf, &'static str)> {
    let ok = |extra: Value| {
        let mut c = json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c.to_string()
    };
    vec![
        (
            "missing file",
            files.dir.path().join("nope.json"),
            "Could not read the config file",
        ),
        (
            "not JSON",
            files.write("c1.json", "secret_key = sk_test_x"),
            "not valid JSON",
        ),
        (
            "not an object",
            files.write("c2.json", "[1,2]"),
            "must be a JSON object",
        ),
        (
            "no secret_key",
            files.write("c3.json", &ok(json!({"secret_key": null}))),
            "no secret_key",
        ),
        (
            "malformed key",
            files.write("c4.json", &ok(json!({"secret_key": "sk_test_has spaces"}))),
            "not shaped like",
        ),
        (
            "no start_date",
            files.write("c5.json", &ok(json!({"start_date": null}))),
            "no start_date",
        ),
        (
            "start_date not a date",
            files.write("c6.json", &ok(json!({"start_date": "yesterday"}))),
            "YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            "start_date in the future",
            files.write(
                "c7.json",
                &ok(json!({"start_date": "2999-01-01T00:00:00Z"})),
            ),
            "in the future",
        ),
        (
            "negative lookback",
            files.write("c8.json", &ok(json!({"lookback_window_days": -3}))),
            "cannot be negative",
        ),
        (
            "fractional lookback",
            files.write("c9.json", &ok(json!({"lookback_window_days": 2.5}))),
            "whole number",
        ),
        (
            "string lookback",
            files.write("c10.json", &ok(json!({"lookback_window_days": "7"}))),
            "whole number",
        ),
        (
            "a stream lookback for a stream that does not exist",
            files.write(
                "c11.json",
                &ok(json!({"stream_lookback_days": {"dispute": 60}})),
            ),
            r#"stream_lookback_days names "dispute", which is not a stream. Did you mean "disputes"?"#,
        ),
        (
            "a stream lookback for a full refresh stream",
            files.write(
                "c12.json",
                &ok(json!({"stream_lookback_days": {"subaccounts": 3}})),
            ),
            "a full refresh stream: it has no cursor",
        ),
        (
            "a refresh window of 0 days",
            files.write("c13.json", &ok(json!({"refresh_window_days": 0}))),
            "refresh_window_days is 0, but it must be at least 1",
        ),
        (
            "a stream refresh window for a full refresh stream",
            files.write(
                "c14.json",
                &ok(json!({"stream_refresh_days": {"subaccounts": 7}})),
            ),
            "a full refresh stream: it has no cursor and is read whole on every sync, so it is always fresh",
        ),
    ]
}

#[test]
fn every_bad_config_is_named_with_its_fix() {
    let files = Files::new();
    let catalog = files.catalog(&[("customers", "incremental")]);
    for (what, config, needle) in bad_configs(&files) {
        assert_config_error(
            &run_bin(&["read"], &[("--config", &config), ("--catalog", &catalog)]),
            needle,
            what,
        );
        assert_config_error(
            &run_bin(&["discover"], &[("--config", &config)]),
            needle,
            what,
        );
        assert_check_failed(&run_bin(&["check"], &[("--config", &config)]), needle, what);
    }
}

#[test]
fn unknown_config_fields_are_accepted() {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "window_in_days": 30, "x": {}}));
    let out = run_bin(&["discover"], &[("--config", &config)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(messages(&out)[0]["type"], "CATALOG");
}

#[test]
fn every_bad_catalog_is_named_with_its_fix() {
    let files = Files::new();
    let config = files.default_config(0);
    let cases = [
        ("missing file", files.dir.path().join("nope.json"), "Could not read the catalog file"),
        ("not JSON", files.write("k1.json", "streams: all"), "not valid"),
        ("empty file", files.write("k2.json", ""), "not valid"),
        ("no streams", files.write("k3.json", r#"{"streams": []}"#), "selects no streams"),
        ("unknown stream", files.write("k4.json", r#"{"streams":[{"stream":{"name":"payouts"},"sync_mode":"incremental","destination_sync_mode":"append"}]}"#), "or write a new catalog: source-paystack catalog"),
        ("misspelt stream", files.write("k4b.json", r#"{"streams":[{"stream":{"name":"transaction"},"sync_mode":"incremental","destination_sync_mode":"append"}]}"#), "Did you mean \"transactions\"?"),
        ("invalid sync_mode", files.write("k5.json", r#"{"streams":[{"stream":{"name":"customers"},"sync_mode":"cdc","destination_sync_mode":"append"}]}"#), "sync_mode"),
    ];
    for (what, catalog, needle) in cases {
        assert_config_error(
            &run_bin(&["read"], &[("--config", &config), ("--catalog", &catalog)]),
            needle,
            what,
        );
    }
}

#[test]
fn every_bad_state_is_named_with_its_fix() {
    let files = Files::new();
    let config = files.default_config(0);
    let catalog = files.catalog(&[("customers", "incremental")]);
    let cases = [
        ("missing file", files.dir.path().join("nope.json"), "Could not read the state file"),
        ("not JSON", files.write("s1.json", "createdAt=2024"), "not valid JSON"),
        ("wrong shape", files.write("s2.json", "\"2024-01-01\""), "must be a JSON array"),
        ("wrong message", files.write("s3.json", r#"[{"type":"STREAM","stream":{"stream_state":{}}}]"#), "stream_descriptor.name"),
        ("cursor not a date", files.write("s4.json", r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"last week"}}}]"#), "reset"),
    ];
    for (what, state, needle) in cases {
        assert_config_error(
            &run_bin(
                &["read"],
                &[
                    ("--config", &config),
                    ("--catalog", &catalog),
                    ("--state", &state),
                ],
            ),
            needle,
            what,
        );
    }
}
