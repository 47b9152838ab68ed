//! Shared helpers: files for config/catalog/state, running commands
//! in-process and the binary, a fake Paystack per test (with its request
//! log), streams picked from the table by property, and hand-made records
//! for the few wiremock answers the fake does not give.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use fake_paystack::{FakePaystack, Options};
use serde_json::{Value, json};
use source_paystack::Emitter;
use source_paystack::RetryPolicy;
use source_paystack::Tuning;
use source_paystack::app::{self, Settings};
use source_paystack::cli::Command;
use source_paystack::{STREAMS, StreamDef};
use tempfile::TempDir;
use wiremock::MockServer;

/// Airbyte's eight streams, which come first in the table (the discover
/// test pins their names).
pub fn core_streams() -> impl Iterator<Item = &'static str> {
    STREAMS.iter().take(8).map(|d| d.name)
}

/// A catalog entry for each of the eight, in `mode`.
pub fn core(mode: &'static str) -> Vec<(&'static str, &'static str)> {
    core_streams().map(|s| (s, mode)).collect()
}

/// A catalog entry for every stream, in `mode` where the stream supports it
/// (streams without a creation-time filter: full refresh).
pub fn every_stream(mode: &'static str) -> Vec<(&'static str, &'static str)> {
    STREAMS
        .iter()
        .map(|d| {
            (
                d.name,
                if d.cursor_field().is_some() {
                    mode
                } else {
                    "full_refresh"
                },
            )
        })
        .collect()
}

/// A key that is easy to spot if it ever leaks into output.
pub const KEY: &str = "sk_test_LEAKCANARY0123456789";

/// The frozen "now" of in-process runs: the sync starts here.
pub fn now() -> DateTime<Utc> {
    t("2024-06-01T12:00:00Z")
}

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("test time {s}: {e}"))
        .with_timezone(&Utc)
}

/// The row of the stream table named `name`.
pub fn def(name: &str) -> &'static StreamDef {
    STREAMS
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no stream {name}"))
}

pub fn fmt(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A temporary folder with the files of one run.
pub struct Files {
    pub dir: TempDir,
}

impl Files {
    pub fn new() -> Self {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn config(&self, value: Value) -> PathBuf {
        self.write("config.json", &value.to_string())
    }

    pub fn config_named(&self, name: &str, value: Value) -> PathBuf {
        self.write(name, &value.to_string())
    }

    /// A config with the canary key, start_date 2024-01-01 and `lookback`.
    pub fn default_config(&self, lookback: u64) -> PathBuf {
        self.config(json!({
            "secret_key": KEY,
            "start_date": "2024-01-01T00:00:00Z",
            "lookback_window_days": lookback,
        }))
    }

    /// A configured catalog of `(stream, sync_mode)`.
    pub fn catalog(&self, streams: &[(&str, &str)]) -> PathBuf {
        let s: Vec<Value> = streams
            .iter()
            .map(|(name, mode)| {
                let def = STREAMS.iter().find(|d| d.name == *name);
                json!({
                    "stream": {
                        "name": name,
                        "json_schema": {},
                        "supported_sync_modes": ["full_refresh", "incremental"],
                        "source_defined_cursor": true,
                        "default_cursor_field": def.and_then(|d| d.cursor_field()).into_iter().collect::<Vec<_>>(),
                    },
                    "sync_mode": mode,
                    "destination_sync_mode": "append",
                })
            })
            .collect();
        self.write("catalog.json", &json!({ "streams": s }).to_string())
    }

    pub fn state(&self, value: &str) -> PathBuf {
        self.write("state.json", value)
    }
}

/// Settings for a run against a fake at `uri`: no pacing, millisecond
/// retries, the frozen clock, `concurrency` requests at once, small pages
/// and slices (many states, as in a long real sync).
pub fn fake_settings(uri: String, per_page: u32, concurrency: usize) -> Settings {
    let mut s = Settings::default();
    s.http.base_url = uri;
    s.http.retry = RetryPolicy {
        max_attempts: 3,
        max_rate_limited_attempts: 5,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_server_wait: Duration::from_millis(5),
    };
    s.http.request_timeout = Duration::from_secs(5);
    s.requests_per_minute = Some(None);
    s.concurrency = concurrency;
    s.now = Some(now());
    s.tuning = Tuning {
        per_page,
        max_pages_per_slice: 4,
    };
    s
}

/// Settings for a run against the fake `server`, with the connector's own
/// page and slice sizes.
pub fn settings(server: &FakePaystack, concurrency: usize) -> Settings {
    let mut s = fake_settings(server.uri(), 200, concurrency);
    s.tuning = Tuning::default();
    s
}

/// [`settings`] for a run against the wiremock `server`.
pub fn mock_settings(server: &MockServer, concurrency: usize) -> Settings {
    let mut s = fake_settings(server.uri(), 200, concurrency);
    s.tuning = Tuning::default();
    s
}

/// A fake Paystack holding `records` of every stream (and children for the
/// child streams), created from 2024-01-01 to 2024-05-01.
pub async fn fake_paystack(records: u64) -> FakePaystack {
    FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        default_records: records,
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-05-01T00:00:00Z"),
        ..Options::default()
    })
    .await
    .unwrap()
}

/// The messages and exit code of one in-process run.
pub struct Output {
    pub code: i32,
    pub messages: Vec<Value>,
    pub text: String,
}

impl Output {
    pub fn of_type(&self, kind: &str) -> Vec<&Value> {
        self.messages.iter().filter(|m| m["type"] == kind).collect()
    }

    pub fn records(&self, stream: &str) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| m["type"] == "RECORD" && m["record"]["stream"] == stream)
            .map(|m| &m["record"]["data"])
            .collect()
    }

    pub fn record_ids(&self, stream: &str) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .records(stream)
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The ids of `stream`'s records, sorted; panics on a duplicate.
    pub fn unique_ids(&self, stream: &str) -> Vec<u64> {
        let ids = self.record_ids(stream);
        assert!(ids.windows(2).all(|w| w[0] != w[1]), "{stream}: duplicates");
        ids
    }

    pub fn states(&self, stream: &str) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| {
                m["type"] == "STATE" && m["state"]["stream"]["stream_descriptor"]["name"] == stream
            })
            .map(|m| &m["state"])
            .collect()
    }

    /// The cursor values of a stream's states, in order.
    pub fn state_cursors(&self, stream: &str) -> Vec<String> {
        let field = def(stream).cursor_field().unwrap();
        self.states(stream)
            .iter()
            .map(|s| {
                s["stream"]["stream_state"][field]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    pub fn statuses(&self, stream: &str) -> Vec<String> {
        self.messages
            .iter()
            .filter(|m| m["type"] == "TRACE" && m["trace"]["type"] == "STREAM_STATUS")
            .filter(|m| m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
            .filter(|m| m["trace"]["stream_status"].get("reasons").is_none())
            .map(|m| {
                m["trace"]["stream_status"]["status"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    pub fn errors(&self) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| m["type"] == "TRACE" && m["trace"]["type"] == "ERROR")
            .map(|m| &m["trace"]["error"])
            .collect()
    }
}

/// Runs a command in-process and parses every output line (each must be JSON).
pub async fn run(command: Command, settings: &Settings) -> Output {
    let mut out = Emitter::new(Vec::new());
    let code = app::run(&command, settings, &mut out).await;
    let bytes = out.into_inner().unwrap();
    let text = String::from_utf8(bytes).expect("utf-8 output");
    let messages = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    Output {
        code,
        messages,
        text,
    }
}

/// The connector's binary, without the caller's `RUST_LOG`.
pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.env_remove("RUST_LOG");
    c
}

/// Every stdout line of a run of the binary, parsed (each must be one JSON
/// message).
pub fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))
        })
        .collect()
}

/// The message of the one config_error trace a run of the binary wrote,
/// having checked that it exited with code 1 and wrote nothing else.
pub fn only_config_error(out: &std::process::Output, what: &str) -> String {
    assert_eq!(out.status.code(), Some(1), "{what}");
    let msgs = lines(out);
    assert_eq!(msgs.len(), 1, "{what}: {msgs:?}");
    let error = &msgs[0]["trace"]["error"];
    assert_eq!(error["failure_type"], "config_error", "{what}");
    error["message"].as_str().unwrap().to_owned()
}

/// Runs the binary's `read` (with `flags`) against the API at `uri`, off
/// the async runtime; its stdout as an [`Output`], and its stderr.
pub async fn read_binary(
    uri: String,
    config: PathBuf,
    catalog: PathBuf,
    flags: &'static [&'static str],
) -> (Output, String) {
    read_binary_with(uri, config, catalog, flags, Vec::new()).await
}

/// [`read_binary`] with these environment variables set (the
/// `SOURCE_PAYSTACK_*` tuning).
pub async fn read_binary_with(
    uri: String,
    config: PathBuf,
    catalog: PathBuf,
    flags: &'static [&'static str],
    envs: Vec<(&'static str, String)>,
) -> (Output, String) {
    let args = flags.iter().map(Into::into).collect();
    run_read(uri, config, catalog, args, envs).await
}

/// [`read_binary_with`] resuming from the state file `state`.
pub async fn read_binary_from(
    uri: String,
    config: PathBuf,
    catalog: PathBuf,
    state: PathBuf,
    envs: Vec<(&'static str, String)>,
) -> (Output, String) {
    let args = vec!["--state".into(), state.into_os_string()];
    run_read(uri, config, catalog, args, envs).await
}

async fn run_read(
    uri: String,
    config: PathBuf,
    catalog: PathBuf,
    args: Vec<std::ffi::OsString>,
    envs: Vec<(&'static str, String)>,
) -> (Output, String) {
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .arg("read")
            .arg("--config")
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog)
            .args(args)
            .env("PAYSTACK_API_URL", uri)
            .envs(envs)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let output = Output {
        code: out.status.code().unwrap_or(-1),
        messages: lines(&out),
        text: String::from_utf8_lossy(&out.stdout).into_owned(),
    };
    (output, String::from_utf8_lossy(&out.stderr).into_owned())
}

pub fn read_cmd(config: &Path, catalog: &Path, state: Option<&Path>) -> Command {
    Command::Read {
        config: config.to_owned(),
        catalog: catalog.to_owned(),
        state: state.map(Path::to_owned),
    }
}

/// A record of `stream` with this id and creation time, built from the
/// stream's realistic fixture so it has every real field.
pub fn record(stream: &str, id: u64, created: DateTime<Utc>) -> Value {
    let fixtures = fixtures(stream);
    let mut r = fixtures[(id as usize) % fixtures.len()].clone();
    let field = def(stream).cursor_field().unwrap();
    r["id"] = json!(id);
    r[field] = json!(fmt(created));
    r
}

/// The realistic records of `stream`: `tests/fixtures/records/<stream>.json`.
pub fn fixtures(stream: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/records")
        .join(format!("{stream}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("no fixture for {stream} ({}): {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `count` records of `stream`, one every `step`, the oldest at `first`,
/// ids from `first_id` up (ids grow with creation time, as at Paystack).
pub fn records(
    stream: &str,
    count: u64,
    first: DateTime<Utc>,
    step: TimeDelta,
    first_id: u64,
) -> Vec<Value> {
    (0..count)
        .map(|i| record(stream, first_id + i, first + step * i as i32))
        .collect()
}

/// A fake Paystack for one test: the test key, creation times from
/// 2024-01-01 to 2024-05-01, no records unless `setup` says so, and a log of
/// every request ([`queries`]).
pub async fn fake_with(setup: impl FnOnce(&mut Options)) -> FakePaystack {
    let mut options = Options {
        keys: vec![KEY.to_owned()],
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-05-01T00:00:00Z"),
        log_requests: true,
        ..Options::default()
    };
    setup(&mut options);
    FakePaystack::start(options).await.unwrap()
}

/// A fake Paystack holding `count` records of the top-level `stream`,
/// record `i` created at `first + i × step` (ids ascending with time), with
/// Paystack's default behaviour.
pub async fn fake_list(
    stream: &'static str,
    count: u64,
    first: DateTime<Utc>,
    step: TimeDelta,
) -> FakePaystack {
    fake_with(|o| {
        o.records = [(stream, count)].into();
        o.start = first;
        o.end = first + step * count.max(1) as i32;
    })
    .await
}

/// The query parameters of each request `server` received for `endpoint`,
/// in arrival order.
pub fn queries(server: &FakePaystack, endpoint: &str) -> Vec<Vec<(String, String)>> {
    server
        .requests()
        .iter()
        .map(|r| reqwest::Url::parse(&format!("http://fake{r}")).unwrap())
        .filter(|u| u.path() == endpoint)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .collect()
}

/// The value of `key` in one request's query.
pub fn param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The first top-level stream of the table with these properties.
fn first_stream(what: &str, wanted: impl Fn(&StreamDef) -> bool) -> &'static StreamDef {
    STREAMS
        .iter()
        .find(|d| wanted(d))
        .unwrap_or_else(|| panic!("the table has no {what}"))
}

/// A top-level offset list with a count (`meta.total`) that filters on
/// creation time: read incrementally, sliced, checked against its count.
pub fn an_offset_stream_with_a_total() -> &'static StreamDef {
    first_stream("offset list with a total", |d| {
        d.parent.is_none() && d.cursor_field().is_some() && d.counted()
    })
}

/// Checks every RECORD of `out` against its stream's discovered schema.
pub fn assert_records_match_schemas(out: &Output) {
    for def in STREAMS {
        let schema: Value = serde_json::from_str(def.schema).unwrap();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        for r in out.records(def.name) {
            let errors: Vec<String> = validator.iter_errors(r).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{} record {} breaks its schema: {errors:?}",
                def.name,
                r
            );
        }
    }
}

/// One page of `records` (in the order given: Paystack's is newest first),
/// the whole list, as Paystack sends it: for a wiremock answer with records
/// the fake does not serve.
pub fn one_page(records: &[Value]) -> Value {
    json!({
        "status": true,
        "message": "Records retrieved",
        "data": records,
        "meta": {"total": records.len(), "skipped": 0, "perPage": 200, "page": 1, "pageCount": 1},
    })
}

/// Shorthand for a one-day step.
pub fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}
