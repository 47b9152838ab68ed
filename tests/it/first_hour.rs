//! What a new user meets in the first hour (issue 13): a `--state` that is
//! not this connector's is refused with what was expected; what a state or
//! a config holds that is ignored is a WARN on stderr; a file the
//! connector's user may not read is explained with its uid and the fix; the
//! quick start's summary shows the newest record of each stream.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::support::*;

fn bin(api: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.env("PAYSTACK_API_URL", api)
        .env("SOURCE_PAYSTACK_BACKOFF_MS", "1")
        .env("SOURCE_PAYSTACK_MAX_ATTEMPTS", "2")
        .env_remove("RUST_LOG");
    c
}

/// `read` of the binary against `api`.
fn read_bin(api: &str, config: &Path, catalog: &Path, state: Option<&Path>) -> Command {
    let mut c = bin(api);
    c.args(["read", "--config"])
        .arg(config)
        .arg("--catalog")
        .arg(catalog);
    if let Some(state) = state {
        c.arg("--state").arg(state);
    }
    c
}

async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

fn stdout_messages(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The WARN lines of a run's stderr.
fn warnings(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(" WARN "))
        .map(str::to_owned)
        .collect()
}

/// Another connector's state, a state keyed on the wrong field, the catalog
/// or the config given as `--state`: one config_error trace saying what was
/// expected, exit code 1, and not one request (nothing is re-read from
/// start_date behind the user's back).
#[tokio::test]
async fn a_state_that_is_not_this_connectors_is_refused_before_any_request() {
    let files = Files::new();
    let config = files.default_config(0);
    let catalog = files.catalog(&[("customers", "incremental"), ("invoices", "incremental")]);
    let catalog_text = std::fs::read_to_string(&catalog).unwrap();
    let config_text = std::fs::read_to_string(&config).unwrap();
    let cases = [
        (
            r#"{"customers": {"updatedAt": "2024-05-01T10:00:00.000Z"}}"#,
            "The state of customers (keyed updatedAt, not createdAt) does not hold the stream's cursor",
        ),
        (
            r#"{"customers": {"updated_at": "2024-05-01T10:00:00.000Z"}}"#,
            "The state of customers (keyed updated_at, not createdAt)",
        ),
        (
            r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"charges"},"stream_state":{"created":1714557600}}},
                {"type":"STREAM","stream":{"stream_descriptor":{"name":"balance_transactions"},"stream_state":{"created":1714557600}}}]"#,
            "The state is not a state of this connector: it names no stream of this connector (balance_transactions, charges)",
        ),
        (&catalog_text, "it looks like a catalog, not a state"),
        (&config_text, "it looks like the config, not a state"),
    ];
    for (state, needle) in cases {
        let server = fake_with(|_| {}).await;
        let state_file = files.write("wrong_state.json", state);
        let out = run(
            read_cmd(&config, &catalog, Some(&state_file)),
            &settings(&server, 1),
        )
        .await;
        assert_eq!(out.code, 1, "{state}");
        assert_eq!(out.messages.len(), 1, "only the error: {}", out.text);
        let error = &out.errors()[0];
        assert_eq!(error["failure_type"], "config_error");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(needle), "{state}: {message}");
        // What a state should hold: each stream's cursor field, and an
        // example to copy.
        for fact in [
            "createdAt for customers",
            "created_at for invoices",
            r#"{"customers": {"createdAt": "2024-01-01T00:00:00.000Z"}}"#,
        ] {
            assert!(message.contains(fact), "{fact}: {message}");
        }
        assert!(!out.text.contains(KEY), "the key leaked: {}", out.text);
        assert!(server.stats().requests == 0, "{state}: no request");
    }
}

/// Entries for streams not selected, or not of this connector, are ignored
/// with a WARN, and the selected stream resumes from its cursor.
#[tokio::test(flavor = "multi_thread")]
async fn ignored_state_entries_are_warnings_and_the_rest_resumes() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let config = files.config(json!({
        "secret_key": KEY,
        "start_date": "2024-01-01T00:00:00Z",
        "requests_per_minute": 100000,
    }));
    let catalog = files.catalog(&[("customers", "incremental")]);
    let state = files.state(
        r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-05-10T00:00:00.000Z"}}},
            {"type":"STREAM","stream":{"stream_descriptor":{"name":"refunds"},"stream_state":{"createdAt":"2024-05-10T00:00:00.000Z"}}},
            {"type":"STREAM","stream":{"stream_descriptor":{"name":"charges"},"stream_state":{"created":1714557600}}}]"#,
    );
    let out = output(read_bin(&server.uri(), &config, &catalog, Some(&state))).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let warns = warnings(&out);
    assert_eq!(warns.len(), 2, "{warns:#?}");
    // Which entries are ignored, and why.
    for (warn, why, streams) in [
        (&warns[0], "this connector does not have", ": charges."),
        (&warns[1], "the catalog does not select", ": refunds."),
    ] {
        assert!(warn.contains("WARN"), "{warn}");
        assert!(warn.contains(why) && warn.contains("ignored"), "{warn}");
        assert!(warn.ends_with(streams), "{warn}");
    }
    let froms: Vec<String> = queries(&server, "/customer")
        .iter()
        .filter_map(|q| q.iter().find(|(k, _)| k == "from").map(|(_, v)| v.clone()))
        .collect();
    assert_eq!(
        froms,
        ["2024-05-09T23:59:59.000Z"],
        "resumed from the cursor"
    );
    assert!(
        queries(&server, "/refund").is_empty(),
        "refunds is not read"
    );
    let states: Vec<Value> = stdout_messages(&out)
        .into_iter()
        .filter(|m| m["type"] == "STATE")
        .collect();
    assert_eq!(states.len(), 1);
    assert_eq!(
        states[0]["state"]["stream"]["stream_state"],
        json!({"createdAt": "2024-05-10T00:00:00.000Z"})
    );
}

/// A near miss of an optional field is accepted, with a WARN naming the
/// field meant, from every command that reads the config.
#[tokio::test(flavor = "multi_thread")]
async fn a_misspelt_config_field_is_a_warning_from_check_discover_and_read() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let typo = files.config_named(
        "typo.json",
        json!({
            "secret_key": KEY,
            "start_date": "2024-01-01T00:00:00Z",
            "lookback_window_day": 7,
            "requests_per_minute": 100000,
            "airbyte_extra": true,
        }),
    );
    let clean = files.config_named(
        "clean.json",
        json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}),
    );
    let catalog = files.catalog(&[("customers", "incremental")]);
    for config in [&typo, &clean] {
        for command in ["check", "discover", "read"] {
            let c = if command == "read" {
                read_bin(&server.uri(), config, &catalog, None)
            } else {
                let mut c = bin(&server.uri());
                c.args([command, "--config"]).arg(config);
                c
            };
            let out = output(c).await;
            assert_eq!(out.status.code(), Some(0), "{command}");
            let warns = warnings(&out);
            if config == &typo {
                assert_eq!(warns.len(), 1, "{command}: {warns:#?}");
                assert!(
                    warns[0].ends_with(
                        "WARN The config field \"lookback_window_day\" is not one this \
                         connector knows, and is ignored: did you mean lookback_window_days?"
                    ),
                    "{command}: {warns:#?}"
                );
            } else {
                assert!(warns.is_empty(), "{command}: {warns:#?}");
            }
            let messages = stdout_messages(&out);
            if command == "check" {
                assert_eq!(messages[0]["connectionStatus"]["status"], "SUCCEEDED");
            }
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains(KEY),
                "the key leaked"
            );
        }
    }
}

/// A config, catalog or state the connector's user may not read (the
/// Docker case: a `chmod 600` file mounted into a container that runs as
/// another uid) is a config_error naming that user and the
/// `docker run --user` fix. Run as root, where permission bits do not stop
/// reads, the connector runs as uid 65534 (nobody) on a root-owned
/// `chmod 600` file; otherwise the file is `chmod 000`.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_file_the_user_cannot_read_is_explained_with_the_uid_and_the_docker_fix() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::process::CommandExt;

    let files = Files::new();
    std::fs::set_permissions(files.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = files.default_config(0);
    let catalog = files.catalog(&[("customers", "incremental")]);
    let state = files.state("[]");
    // Files are created with this process's effective uid.
    let me = std::fs::metadata(&config).unwrap().uid();
    let (reader, mode) = if me == 0 { (65534, 0o600) } else { (me, 0o000) };
    for (what, locked) in [
        ("config", &config),
        ("catalog", &catalog),
        ("state", &state),
    ] {
        std::fs::set_permissions(locked, std::fs::Permissions::from_mode(mode)).unwrap();
        let mut c = read_bin("http://127.0.0.1:9", &config, &catalog, Some(&state));
        if me == 0 {
            c.uid(reader).gid(reader);
        }
        let out = output(c).await;
        std::fs::set_permissions(locked, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        let messages = stdout_messages(&out);
        assert_eq!(messages.len(), 1, "{what}: {messages:?}");
        let error = &messages[0]["trace"]["error"];
        assert_eq!(error["failure_type"], "config_error");
        let message = error["message"].as_str().unwrap();
        let expected = format!(
            "Could not read the {what} file {}: permission denied. ",
            locked.display()
        );
        assert!(message.starts_with(&expected), "{message}");
        let runs_as = format!(
            "runs as uid {reader}, gid {reader}, and the file (owner uid {me}, mode {mode:o}) is not readable by that user."
        );
        assert!(message.contains(&runs_as), "{message}");
        assert!(
            message.contains("docker run --user \"$(id -u):$(id -g)\""),
            "{message}"
        );
        assert!(message.contains("the README's Docker section"), "{message}");
    }
}

/// The quick start's summary (`scripts/summary.py`) shows, per stream, the
/// record with the greatest cursor, wherever it came in the output (the
/// oldest slice is read first), and says what paces the records/s.
#[test]
fn the_quick_start_summary_shows_the_record_with_the_greatest_cursor() {
    let files = Files::new();
    let discover = Command::new(env!("CARGO_BIN_EXE_source-paystack"))
        .args(["discover", "--config"])
        .arg(files.default_config(0))
        .output()
        .unwrap();
    assert_eq!(discover.status.code(), Some(0));
    let catalog = files.write(
        "catalog.jsonl",
        &String::from_utf8(discover.stdout).unwrap(),
    );
    let record = |stream: &str, data: Value| {
        json!({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 0}})
            .to_string()
    };
    // Two slices, each newest first: the first record out is not the newest.
    // Invoice 8 is older than 7, though its text sorts after it.
    let lines = [
        record(
            "customers",
            json!({"id": 2, "createdAt": "2024-02-01T00:00:00.000Z"}),
        ),
        record(
            "customers",
            json!({"id": 1, "createdAt": "2024-01-01T00:00:00.000Z"}),
        ),
        record(
            "customers",
            json!({"id": 4, "createdAt": "2024-04-01T00:00:00.000Z"}),
        ),
        record(
            "customers",
            json!({"id": 3, "createdAt": "2024-03-01T00:00:00.000Z"}),
        ),
        record(
            "invoices",
            json!({"id": 7, "created_at": "2024-05-01T10:00:00Z"}),
        ),
        record(
            "invoices",
            json!({"id": 8, "created_at": "2024-05-01T11:30:00.000+02:00"}),
        ),
        record("terminals", json!({"id": 5})),
    ];
    let messages = files.write("messages.jsonl", &(lines.join("\n") + "\n"));
    let summary = |messages: &Path| {
        let out = Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/summary.py"))
            .arg(messages)
            .arg(&catalog)
            .arg("2")
            .output()
            .expect("python3, which scripts/quickstart.sh needs too");
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, text, stderr) = summary(&messages);
    assert_eq!(code, Some(0), "{stderr}");
    for line in [
        "7 records, 4 records/s",
        "newest customers record (createdAt 2024-04-01T00:00:00.000Z): \
         {\"createdAt\": \"2024-04-01T00:00:00.000Z\", \"id\": 4}",
        "newest invoices record (created_at 2024-05-01T10:00:00Z): \
         {\"created_at\": \"2024-05-01T10:00:00Z\", \"id\": 7}",
        "a terminals record (no cursor): {\"id\": 5}",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    // Why this read was fast, and what Paystack's limits allow.
    let paced = text
        .lines()
        .find(|l| l.contains("Paced by this machine"))
        .unwrap_or_else(|| panic!("no pace note: {text}"));
    for fact in [
        "the config lifts",
        "100 requests a minute with a test key",
        "600 with a live key",
        "200 records a page",
        "333",
        "2,000 records/s",
    ] {
        assert!(paced.contains(fact), "{fact}: {paced}");
    }
    let error = json!({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": 0,
        "error": {"message": "boom", "failure_type": "system_error"}}});
    let failed = files.write("failed.jsonl", &format!("{error}\n"));
    let (code, text, _) = summary(&failed);
    assert_eq!(code, Some(1));
    assert!(text.contains("ERROR: boom"), "{text}");
}

/// A fake holding `records` customers, and the binary reading them in
/// pages of 20 with `config` (the canary test key, start_date 2024-01-01,
/// and `extra`): the read's stderr.
fn read_customers(wanted: u64, extra: Value) -> String {
    let server = fake_paystack::FakePaystack::spawn(fake_paystack::Options {
        keys: vec![KEY.to_owned()],
        records: [("customers", wanted)].into_iter().collect(),
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-03-01T00:00:00Z"),
        ..fake_paystack::Options::default()
    })
    .unwrap();
    let files = Files::new();
    let mut config = json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z"});
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let config = files.config(config);
    let catalog = files.catalog(&[("customers", "incremental")]);
    let out = read_bin(&server.uri(), &config, &catalog, None)
        .env("SOURCE_PAYSTACK_PAGE_SIZE", "20")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let records = stdout_messages(&out)
        .iter()
        .filter(|m| m["type"] == "RECORD")
        .count();
    assert_eq!(records, wanted as usize, "{stderr}");
    stderr
}

/// The INFO lines saying the rate limit sets the pace.
fn pace_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("The rate limit sets the pace"))
        .collect()
}

/// With a test key and no `requests_per_minute`, the read goes at 100
/// requests a minute: one INFO line says so, where the limit comes from,
/// and what can change it. (5 pages: about 2.4 s.)
#[test]
fn a_read_paced_by_the_test_keys_limit_says_so_once() {
    let stderr = read_customers(100, json!({}));
    let lines = pace_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    let line = lines[0];
    assert!(line.contains(" INFO "), "{line}");
    for part in [
        "100 requests a minute, Paystack's documented limit for a test key",
        "cannot be raised from our side (a live key allows 600 a minute)",
        "requests_per_minute in the config",
    ] {
        assert!(line.contains(part), "{part:?} not in {line}");
    }
}

/// A configured rate names the config; a read the rate never holds back
/// (a rate far above what the requests reach) says nothing about pacing.
#[test]
fn a_configured_pace_names_the_config_and_an_unpaced_read_is_silent() {
    // 600 a minute: 15 pages queue for 1.4 s.
    let stderr = read_customers(300, json!({"requests_per_minute": 600}));
    let lines = pace_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    // Above the test key's documented 100: removing it would be slower.
    for part in [
        "600 requests a minute, requests_per_minute in the config, above Paystack's documented \
         limit for a test key (100 a minute)",
        "Removing requests_per_minute would not go faster",
    ] {
        assert!(lines[0].contains(part), "{part:?} not in {}", lines[0]);
    }
    let stderr = read_customers(300, json!({"requests_per_minute": 1_000_000}));
    assert_eq!(pace_lines(&stderr), Vec::<&str>::new(), "{stderr}");
}
