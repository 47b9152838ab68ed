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

/// A usage error is one config_error trace naming what is wrong (the
/// missing argument itself) and the command's usage; the usage text is on
/// stderr.
#[test]
fn unknown_flags_and_missing_arguments_are_usage_errors_that_name_them() {
    for (args, needle) in [
        (
            &["read", "--bogus"][..],
            "unexpected argument '--bogus' found",
        ),
        (&["sync"][..], "unrecognized subcommand 'sync'"),
        (
            &["check"][..],
            "the following required arguments were not provided: --config <CONFIG>. Usage: \
             source-paystack check --config <CONFIG>.",
        ),
        (
            &["read", "--config", "c.json"][..],
            "not provided: --catalog <CATALOG>. Usage: source-paystack read --config <CONFIG> \
             --catalog <CATALOG>.",
        ),
    ] {
        let out = bin().args(args).output().unwrap();
        let message = only_config_error(&out, &format!("{args:?}"));
        assert!(message.starts_with("Invalid command line: "), "{message}");
        assert!(message.contains(needle), "{args:?}: {message}");
        assert!(!out.stderr.is_empty(), "usage on stderr");
    }
}

/// No command at all, or --help: the help on stdout, exit code 0.
#[test]
fn no_command_prints_the_help() {
    for args in [&[][..], &["--help"][..]] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Usage: source-paystack [OPTIONS] <COMMAND>") && help.contains("check"),
            "{args:?}: {help}"
        );
        assert!(
            !help.contains("\"type\""),
            "{args:?}: no Airbyte message: {help}"
        );
    }
}

/// `PAYSTACK_API_URL` without a scheme, or plain http:// to another
/// machine: one config_error naming the variable, before any request, for
/// every command that reads it.
#[test]
fn a_malformed_or_clear_text_paystack_api_url_is_refused_at_once() {
    for (url, needle) in [
        ("127.0.0.1:8893", "did you mean http://127.0.0.1:8893?"),
        (
            "http://10.1.2.3:8893",
            "would send the secret key unencrypted",
        ),
    ] {
        for command in ["check", "discover"] {
            let out = run_with_env(command, &[("PAYSTACK_API_URL", url)]);
            let message = only_config_error(&out, &format!("{url} {command}"));
            assert!(
                message.starts_with(&format!(
                    "The environment variable PAYSTACK_API_URL is \"{url}\""
                )) && message.contains(needle)
                    && message.contains("unset PAYSTACK_API_URL"),
                "{url} {command}: {message}"
            );
        }
    }
}

/// `command` with a valid config and the environment variables `vars`
/// (`PAYSTACK_API_ALLOW_HTTP` removed).
fn run_with_env(command: &str, vars: &[(&str, &str)]) -> std::process::Output {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z"}));
    bin()
        .args([command, "--config"])
        .arg(&config)
        .env_remove("PAYSTACK_API_ALLOW_HTTP")
        .envs(vars.iter().copied())
        .output()
        .unwrap()
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

/// A tuning variable of 0 where 1 is the least that works (page size,
/// concurrency, slice pages, timeout): one config_error naming it, not a
/// read that quietly runs at 1.
#[test]
fn a_zero_page_size_or_concurrency_is_refused_by_name() {
    for (name, default) in [
        ("SOURCE_PAYSTACK_PAGE_SIZE", 200),
        ("SOURCE_PAYSTACK_CONCURRENCY", 8),
        ("SOURCE_PAYSTACK_SLICE_PAGES", 50),
        ("SOURCE_PAYSTACK_TIMEOUT_MS", 60000),
    ] {
        let out = run_with_env("discover", &[(name, "0")]);
        assert_eq!(
            only_config_error(&out, name),
            format!(
                "The environment variable {name} is 0, but it must be 1 or more (the default is \
                 {default}). Set it to a whole number of 1 or more, or unset it."
            ),
            "{name}"
        );
    }
}

/// The catalog command writes a configured catalog that read takes as it
/// is: the streams named, incremental where they have a cursor; discover's
/// output given as the catalog is refused with that command.
#[tokio::test(flavor = "multi_thread")]
async fn the_catalog_command_writes_what_read_takes() {
    let server = fake_with(|o| o.records = [("customers", 3), ("terminals", 2)].into()).await;
    let files = Files::new();
    let config = files.config(
        json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}),
    );
    let out = bin()
        .args(["catalog", "--streams", "customers,terminals"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let catalog: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let modes: Vec<_> = catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stream"]["name"].as_str().unwrap(),
                s["sync_mode"].as_str().unwrap(),
                s["destination_sync_mode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        modes,
        [
            ("customers", "incremental", "append"),
            ("terminals", "full_refresh", "overwrite")
        ]
    );
    let path = files.write("catalog.json", &String::from_utf8_lossy(&out.stdout));
    let (read, stderr) = read_binary(server.uri(), config.clone(), path, &[]).await;
    assert_eq!(read.code, 0, "{stderr}");
    assert_eq!(read.records("customers").len(), 3);
    assert_eq!(read.records("terminals").len(), 2);
    // discover's output as the catalog: the command to use instead.
    let discovered = bin()
        .args(["discover", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let path = files.write(
        "catalog.jsonl",
        &String::from_utf8_lossy(&discovered.stdout),
    );
    let refused = bin()
        .args(["read", "--config"])
        .arg(&config)
        .arg("--catalog")
        .arg(&path)
        .output()
        .unwrap();
    let message = only_config_error(&refused, "discover's output");
    assert!(
        message.starts_with("The catalog file holds the output of discover")
            && message.contains("source-paystack catalog [--streams"),
        "{message}"
    );
}
