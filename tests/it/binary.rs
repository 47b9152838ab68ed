//! The real binary: exit codes, stdout holding only protocol lines, logs on
//! stderr, `PAYSTACK_API_URL`.

use std::process::{Command, Output};

use serde_json::{Value, json};
use wiremock::MockServer;

use crate::support::*;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.env_remove("RUST_LOG");
    c
}

/// Every stdout line, parsed (each must be one JSON message).
fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))
        })
        .collect()
}

#[test]
fn spec_prints_one_message_and_exits_0() {
    let out = bin().arg("spec").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let msgs = lines(&out);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["type"], "SPEC");
}

#[test]
fn a_missing_config_is_a_config_error_trace_and_exit_1() {
    let out = bin()
        .args([
            "read",
            "--config",
            "/nonexistent/config.json",
            "--catalog",
            "/nonexistent/c.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let msgs = lines(&out);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["trace"]["error"]["failure_type"], "config_error");
    assert!(
        msgs[0]["trace"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Could not read the config file")
    );
}

#[test]
fn check_with_a_bad_config_fails_the_connection_and_exits_0() {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2020-13-01T00:00:00Z"}));
    let out = bin()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let msgs = lines(&out);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["connectionStatus"]["status"], "FAILED");
}

#[test]
fn unknown_flags_and_missing_commands_are_usage_errors() {
    for args in [&["read", "--bogus"][..], &[][..], &["sync"][..]] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let msgs = lines(&out);
        assert_eq!(msgs.len(), 1, "{args:?}");
        assert_eq!(msgs[0]["trace"]["error"]["failure_type"], "config_error");
        assert!(!out.stderr.is_empty(), "usage on stderr");
    }
    let help = bin().arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn read_goes_to_paystack_api_url_and_logs_only_to_stderr() {
    let server = MockServer::start().await;
    mount_empty_lists(&server, &["customers"]).await;
    let recs = records("customers", 3, t("2024-02-01T00:00:00Z"), days(1), 1);
    mount_list(
        &server,
        "customers",
        PaystackList::new("customers", recs, Behaviour::default()),
    )
    .await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}));
    let catalog = files.catalog(&[("customers", "incremental"), ("invoices", "full_refresh")]);
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .args(["read", "--debug", "--config"])
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog)
            .env("PAYSTACK_API_URL", uri)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let msgs = lines(&out);
    let records: Vec<&Value> = msgs.iter().filter(|m| m["type"] == "RECORD").collect();
    assert_eq!(records.len(), 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Reading stream"),
        "logs go to stderr: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "the key never appears, even with --debug"
    );
}
