//! Stopping early: SIGTERM (a cancelled Airbyte sync) and SIGINT (Ctrl-C)
//! stop a read cleanly, and so does the death of the shell that launched it,
//! which is how Airbyte's launcher cancels a source (it kills the subshell
//! running `eval "$AIRBYTE_ENTRYPOINT read ..."`, not the connector). Each
//! stop leaves valid states, and a resume from them delivers every record.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use fake_paystack::{FakePaystack, Options};
use serde_json::{Value, json};

use crate::support::*;

const STREAMS: [&str; 3] = ["customers", "invoices", "transfers"];
const RECORDS: u64 = 300;

/// A fake whose full read takes several seconds: 20-record pages, 90
/// requests, at most 1200 a minute.
fn slow_fake() -> FakePaystack {
    FakePaystack::spawn(Options {
        keys: vec![KEY.to_owned()],
        records: STREAMS.iter().map(|s| (*s, RECORDS)).collect(),
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-03-01T00:00:00Z"),
        ..Options::default()
    })
    .unwrap()
}

fn connector(api: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.env("PAYSTACK_API_URL", api)
        .env("SOURCE_PAYSTACK_PAGE_SIZE", "20")
        .env("SOURCE_PAYSTACK_SLICE_PAGES", "2")
        .env("SOURCE_PAYSTACK_CONCURRENCY", "2")
        .env("RUST_LOG", "info");
    c
}

/// What Airbyte would have seen on stdout.
#[derive(Default)]
struct Seen {
    ids: BTreeMap<String, HashSet<u64>>,
    /// The last STATE message of each stream.
    states: BTreeMap<String, Value>,
    /// The last STREAM_STATUS of each stream.
    statuses: BTreeMap<String, String>,
    records: usize,
}

impl Seen {
    /// Takes one stdout line; every line must be a whole Airbyte message.
    fn take(&mut self, line: &str) -> usize {
        let m: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:.200}"));
        match m["type"].as_str() {
            Some("RECORD") => {
                let stream = m["record"]["stream"].as_str().unwrap().to_owned();
                let id = m["record"]["data"]["id"].as_u64().unwrap();
                self.ids.entry(stream).or_default().insert(id);
                self.records += 1;
            }
            Some("STATE") => {
                let s = &m["state"]["stream"]["stream_descriptor"]["name"];
                self.states
                    .insert(s.as_str().unwrap().to_owned(), m["state"].clone());
                return 1;
            }
            Some("TRACE") if m["trace"]["type"] == "STREAM_STATUS" => {
                let st = &m["trace"]["stream_status"];
                let name = st["stream_descriptor"]["name"].as_str().unwrap();
                let status = st["status"].as_str().unwrap();
                self.statuses.insert(name.to_owned(), status.to_owned());
            }
            Some("TRACE") if m["trace"]["type"] == "ERROR" => {
                panic!("a stop is not a failure, yet: {line}")
            }
            _ => {}
        }
        0
    }

    /// Reads `child`'s stdout to the end; `after_states` is called once,
    /// when the `n`th STATE has been read.
    fn read_all(&mut self, child: &mut Child, n: usize, mut after_states: impl FnMut()) {
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut states = 0;
        for line in stdout.lines() {
            let was = states;
            states += self.take(&line.unwrap());
            if was < n && states == n {
                after_states();
            }
        }
    }
}

/// Resumes from `seen`'s states and checks that, together, the two reads
/// delivered every record of the fake.
fn resume_and_check(
    server: &FakePaystack,
    files: &Files,
    config: &Path,
    catalog: &Path,
    mut seen: Seen,
) {
    let all: Vec<&Value> = seen.states.values().collect();
    let state = files.write("state.json", &json!(all).to_string());
    let mut child = connector(&server.uri())
        .args(["read", "--config"])
        .arg(config)
        .arg("--catalog")
        .arg(catalog)
        .arg("--state")
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    seen.read_all(&mut child, usize::MAX, || {});
    assert!(child.wait().unwrap().success(), "the resumed read failed");
    for stream in STREAMS {
        assert_eq!(
            seen.statuses[stream], "COMPLETE",
            "{stream} after the resume"
        );
    }
    for (stream, ids) in ids_of(server) {
        let have = seen.ids.get(&stream).cloned().unwrap_or_default();
        let missing = ids.difference(&have).count();
        assert_eq!(missing, 0, "{stream}: {missing} records never delivered");
    }
}

fn ids_of(server: &FakePaystack) -> BTreeMap<String, HashSet<u64>> {
    STREAMS
        .iter()
        .map(|s| (s.to_string(), server.all_ids(s).into_iter().collect()))
        .collect()
}

fn send(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) with a child's pid and a signal number.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill({pid}, {signal})");
}

#[test]
fn sigterm_and_sigint_stop_a_read_cleanly_and_a_resume_loses_nothing() {
    for (signal, name, code) in [
        (libc::SIGTERM, "SIGTERM", 143),
        (libc::SIGINT, "SIGINT", 130),
    ] {
        let server = slow_fake();
        let files = Files::new();
        let config = files.config(json!({
            "secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 1200,
        }));
        let catalog = files.catalog(&STREAMS.map(|s| (s, "incremental")));
        let mut child = connector(&server.uri())
            .args(["read", "--config"])
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut seen = Seen::default();
        seen.read_all(&mut child, 2, || send(pid, signal));
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();

        assert_eq!(
            status.code(),
            Some(code),
            "{name}: exit code; stderr:\n{stderr}"
        );
        let total: usize = ids_of(&server).values().map(HashSet::len).sum();
        assert!(
            seen.records < total,
            "{name} came too late to stop anything ({} of {total} records)",
            seen.records
        );
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("Stopped by {name}")))
            .unwrap_or_else(|| panic!("no stop line on stderr:\n{stderr}"));
        assert!(line.contains("--state"), "{line}");
        for stream in STREAMS {
            let status = seen.statuses.get(stream).map(String::as_str);
            assert!(
                matches!(status, None | Some("INCOMPLETE" | "COMPLETE")),
                "{name}: {stream} ended {status:?}"
            );
        }
        assert!(
            seen.statuses.values().any(|s| s == "INCOMPLETE"),
            "{name}: no stream ended INCOMPLETE"
        );

        resume_and_check(&server, &files, &config, &catalog, seen);
    }
}

/// Airbyte's launcher (ContainerCommandFactory.kt) runs the connector as
/// `(eval "$AIRBYTE_ENTRYPOINT read ...") &` and, on cancel, kills that
/// subshell. dash forks for `eval`, so without the connector asking for its
/// parent's death as a signal it would read on, unseen, to the end.
#[test]
fn killing_the_launcher_subshell_stops_the_connector() {
    let server = slow_fake();
    let files = Files::new();
    let config = files.config(json!({
        "secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 1200,
    }));
    let catalog = files.catalog(&STREAMS.map(|s| (s, "incremental")));
    let err = files.dir.path().join("connector.err");
    let mut shell = Command::new("sh")
        .arg("-c")
        .arg(
            r#"(eval "$AIRBYTE_ENTRYPOINT read --config $CONFIG --catalog $CATALOG" 2> "$ERR") &
echo $! >&2
wait $!"#,
        )
        .env("AIRBYTE_ENTRYPOINT", env!("CARGO_BIN_EXE_source-paystack"))
        .env("CONFIG", &config)
        .env("CATALOG", &catalog)
        .env("ERR", &err)
        .env("PAYSTACK_API_URL", server.uri())
        .env("SOURCE_PAYSTACK_PAGE_SIZE", "20")
        .env("SOURCE_PAYSTACK_SLICE_PAGES", "2")
        .env("SOURCE_PAYSTACK_CONCURRENCY", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut subshell = String::new();
    BufReader::new(shell.stderr.take().unwrap())
        .read_line(&mut subshell)
        .unwrap();
    let subshell: u32 = subshell.trim().parse().unwrap();

    // stdout reaches its end only when the connector has exited: the
    // subshell's death alone does not close it.
    let mut seen = Seen::default();
    seen.read_all(&mut shell, 2, || send(subshell, libc::SIGTERM));
    shell.wait().unwrap();

    let total: usize = ids_of(&server).values().map(HashSet::len).sum();
    assert!(seen.records < total, "the connector read on to the end");
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(
        stderr.contains("Stopped by SIGTERM"),
        "the connector did not stop on its parent's death:\n{stderr}"
    );
    resume_and_check(&server, &files, &config, &catalog, seen);
}
