//! The secret key never appears in stdout, stderr or logs, at any log level,
//! on any command or failure path; and a closed stdout ends the run quietly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn bin(api: &str, log: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.env("PAYSTACK_API_URL", api)
        .env("SOURCE_PAYSTACK_BACKOFF_MS", "1")
        .env("SOURCE_PAYSTACK_MAX_ATTEMPTS", "2")
        .env("SOURCE_PAYSTACK_TIMEOUT_MS", "300");
    match log {
        Some(level) => c.env("RUST_LOG", level),
        None => c.env_remove("RUST_LOG"),
    };
    c
}

async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

/// Every command and failure path, at every log level, with a recognisable
/// key (the key's distinctive part is searched for, so a partly printed
/// key is caught too).
#[tokio::test(flavor = "multi_thread")]
async fn the_key_appears_nowhere_on_any_path() {
    let ok = fake_with(|o| o.records = [("customers", 3)].into()).await;
    let rejected = fake_with(|o| o.keys = vec!["sk_test_another".into()]).await;
    // Answers no Paystack would send in this form: a bare 429 saying to
    // retry now, a body cut inside its JSON, a slow empty answer, and a
    // plain-text 500 on every other path.
    let broken = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/customer"))
        .respond_with(ResponseTemplate::new(429).insert_header("x-ratelimit-reset", "0"))
        .mount(&broken)
        .await;
    Mock::given(method("GET"))
        .and(path("/transfer"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("{\"status\":true,\"data\":[{\"id\":1"),
        )
        .mount(&broken)
        .await;
    Mock::given(method("GET"))
        .and(path("/refund"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(2)))
        .mount(&broken)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal error"))
        .mount(&broken)
        .await;

    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}));
    let bad_config = files.config_named(
        "bad.json",
        json!({"secret_key": format!("{KEY}$"), "start_date": "2024-01-01T00:00:00Z"}),
    );
    let future = files.config_named(
        "future.json",
        json!({"secret_key": KEY, "start_date": "2999-01-01T00:00:00Z"}),
    );
    let all: Vec<(&str, &str)> = core("incremental");
    let catalog = files.catalog(&all);
    let bad_state = files.state("[{\"type\": \"STREAM\"}]");

    let mut runs = 0;
    for api in [ok.uri(), rejected.uri(), broken.uri()] {
        for log in [None, Some("trace"), Some("debug")] {
            let mut commands: Vec<Command> = Vec::new();
            commands.push({
                let mut c = bin(&api, log);
                c.arg("spec");
                c
            });
            for cfg in [&config, &bad_config, &future] {
                commands.push({
                    let mut c = bin(&api, log);
                    c.arg("check").arg("--config").arg(cfg);
                    c
                });
                commands.push({
                    let mut c = bin(&api, log);
                    c.arg("discover").arg("--config").arg(cfg);
                    c
                });
                commands.push({
                    let mut c = bin(&api, log);
                    c.args(["read", "--debug", "--config"])
                        .arg(cfg)
                        .arg("--catalog")
                        .arg(&catalog);
                    c
                });
            }
            commands.push({
                let mut c = bin(&api, log);
                c.arg("read")
                    .arg("--config")
                    .arg(&config)
                    .arg("--catalog")
                    .arg(&catalog)
                    .arg("--state")
                    .arg(&bad_state);
                c
            });
            commands.push({
                let mut c = bin(&api, log);
                c.args(["read", "--config"]).arg(&config).args([
                    "--catalog",
                    "/nope",
                    "--bogus",
                    KEY,
                ]);
                c
            });
            for c in commands {
                let what = format!("{c:?}");
                let out = output(c).await;
                runs += 1;
                for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                    let text = String::from_utf8_lossy(stream);
                    assert!(
                        !text.contains("LEAKCANARY"),
                        "the key leaked to {name} of {what}:\n{text}"
                    );
                }
                // A failure is always reported, never a panic.
                assert!(
                    !String::from_utf8_lossy(&out.stderr).contains("panicked"),
                    "{what}"
                );
            }
        }
    }
    assert!(runs >= 90, "{runs} runs");
}

/// A reader that stops reading ends the run quietly: exit code 0, no panic.
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_ends_the_run_quietly() {
    let def = an_offset_stream_with_a_total();
    let server = fake_list(
        def.name,
        3000,
        t("2024-02-01T00:00:00Z"),
        chrono::TimeDelta::minutes(5),
    )
    .await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 100000}));
    let catalog = files.catalog(&[(def.name, "full_refresh")]);
    let mut c = bin(&server.uri(), None);
    c.arg("read")
        .arg("--config")
        .arg(&config)
        .arg("--catalog")
        .arg(&catalog);
    let status = tokio::task::spawn_blocking(move || {
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.starts_with('{'));
        drop(stdout); // the reader goes away
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap();
    assert_eq!(status.0.code(), Some(0), "{}", status.1);
    assert!(!status.1.contains("panicked"), "{}", status.1);
    assert!(
        !status.1.contains("ERROR"),
        "no error is reported: {}",
        status.1
    );
}
