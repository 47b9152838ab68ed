//! The real binary: exit codes, stdout holding only protocol lines, logs on
//! stderr, `PAYSTACK_API_URL`.

use serde_json::json;

use crate::support::*;

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
    let server = fake_with(|o| o.records = [("customers", 3)].into()).await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}));
    let catalog = files.catalog(&[("customers", "incremental"), ("invoices", "full_refresh")]);
    let (out, stderr) = read_binary(server.uri(), config, catalog, &["--debug"]).await;
    assert_eq!(out.code, 0, "{stderr}");
    assert_eq!(out.of_type("RECORD").len(), 3);
    assert!(
        stderr.contains("Reading stream"),
        "logs go to stderr: {stderr}"
    );
    assert!(
        !out.text.contains(KEY) && !stderr.contains(KEY),
        "the key never appears, even with --debug"
    );
}

#[test]
fn source_paystack_now_sets_the_clock_and_a_bad_value_is_a_config_error() {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z"}));
    let discover = |now: &str| {
        let out = bin()
            .args(["discover", "--config"])
            .arg(&config)
            .env("SOURCE_PAYSTACK_NOW", now)
            .output()
            .unwrap();
        (out.status.code(), lines(&out))
    };
    // Before start_date, the start date is in the future of that clock.
    let (code, msgs) = discover("2023-06-01T00:00:00Z");
    assert_eq!(code, Some(1));
    assert_eq!(msgs[0]["trace"]["error"]["failure_type"], "config_error");
    let message = msgs[0]["trace"]["error"]["message"].as_str().unwrap();
    assert!(message.contains("in the future"), "{message}");
    // After it, the same config is fine.
    let (code, msgs) = discover("2024-06-01T00:00:00+02:00");
    assert_eq!(code, Some(0));
    assert_eq!(msgs[0]["type"], "CATALOG");
    // Not a date-time: an error naming the variable.
    let (code, msgs) = discover("yesterday");
    assert_eq!(code, Some(1));
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["trace"]["error"]["failure_type"], "config_error");
    let message = msgs[0]["trace"]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("SOURCE_PAYSTACK_NOW") && message.contains("RFC 3339"),
        "{message}"
    );
}
