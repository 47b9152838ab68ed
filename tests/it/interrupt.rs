//! Interruptions: a sync killed with SIGKILL at random points, again and
//! again, each time restarted with the last state it emitted, ends with every
//! record of the window delivered at least once.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fake_paystack::{FakePaystack, Options};
use serde_json::{Value, json};

use crate::support::*;

const STREAMS: [&str; 3] = ["customers", "invoices", "transfers"];

/// What one run delivered before it ended or was killed.
struct RunResult {
    finished: bool,
    killed: bool,
    /// Ids of the records read, by stream.
    records: BTreeMap<String, Vec<u64>>,
    /// The last STATE message read, by stream.
    states: BTreeMap<String, Value>,
}

/// Where to kill a run.
#[derive(Clone, Copy)]
enum Kill {
    Never,
    /// Right after reading this many records.
    AfterRecords(usize),
    /// Right after reading this many states (the riskiest moment: a state
    /// that ran ahead of its records would lose them).
    AfterStates(usize),
}

/// Runs the connector, reading its stdout as Airbyte would, and kills it
/// (SIGKILL) where `kill` says.
fn run_until(
    api: &str,
    config: &std::path::Path,
    catalog: &std::path::Path,
    state: Option<&std::path::Path>,
    kill: Kill,
    concurrency: usize,
) -> RunResult {
    let mut c = Command::new(env!("CARGO_BIN_EXE_source-paystack"));
    c.args(["read", "--config"])
        .arg(config)
        .arg("--catalog")
        .arg(catalog);
    if let Some(s) = state {
        c.arg("--state").arg(s);
    }
    c.env("PAYSTACK_API_URL", api)
        .env("SOURCE_PAYSTACK_PAGE_SIZE", "20")
        .env("SOURCE_PAYSTACK_SLICE_PAGES", "4")
        .env("SOURCE_PAYSTACK_CONCURRENCY", concurrency.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut result = RunResult {
        finished: false,
        killed: false,
        records: BTreeMap::new(),
        states: BTreeMap::new(),
    };
    let (mut records, mut states) = (0usize, 0usize);
    for line in stdout.lines() {
        let Ok(line) = line else { break };
        let m: Value = serde_json::from_str(&line).unwrap();
        match m["type"].as_str() {
            Some("RECORD") => {
                let stream = m["record"]["stream"].as_str().unwrap().to_owned();
                result
                    .records
                    .entry(stream)
                    .or_default()
                    .push(m["record"]["data"]["id"].as_u64().unwrap());
                records += 1;
            }
            Some("STATE") => {
                let stream = m["state"]["stream"]["stream_descriptor"]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                result.states.insert(stream, m["state"].clone());
                states += 1;
            }
            _ => {}
        }
        let now = match kill {
            Kill::Never => false,
            Kill::AfterRecords(n) => records >= n,
            Kill::AfterStates(n) => states >= n,
        };
        if now {
            child.kill().unwrap(); // SIGKILL
            result.killed = true;
            break;
        }
    }
    let status = child.wait().unwrap();
    // A kill that lands after the last line still ended the reading of
    // stdout early: such a run did not deliver what it wrote after the kill
    // point, so it does not count as finished.
    result.finished = status.success() && !result.killed;
    result
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_at_random_points_and_resumed_delivers_every_record() {
    let server = FakePaystack::spawn(Options {
        keys: vec![KEY.to_owned()],
        records: STREAMS.iter().map(|s| (*s, 400)).collect(),
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-03-01T00:00:00Z"),
        // Answers take 0-15 ms more or less: concurrent slices complete out
        // of order.
        latency_jitter: std::time::Duration::from_millis(15),
        ..Options::default()
    })
    .unwrap();
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z", "requests_per_minute": 1000000}));
    let catalog = files.catalog(&STREAMS.map(|s| (s, "incremental")));
    let api = server.uri();

    let (delivered, kills) = tokio::task::spawn_blocking(move || {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut delivered: BTreeMap<String, HashSet<u64>> = BTreeMap::new();
        let mut states: BTreeMap<String, Value> = BTreeMap::new();
        let mut runs = 0;
        let mut kills = 0;
        loop {
            runs += 1;
            assert!(runs <= 60, "no progress after 60 runs");
            let state_file = (!states.is_empty()).then(|| {
                let all: Vec<&Value> = states.values().collect();
                files.write(&format!("state{runs}.json"), &json!(all).to_string())
            });
            // Kill at a random record or right after a random state; after
            // ten runs, let a run finish now and then. The number of
            // requests in flight varies too.
            let kill = match (runs <= 10 || rng.bool(), rng.bool()) {
                (false, _) => Kill::Never,
                (true, true) => Kill::AfterRecords(rng.usize(1..400)),
                (true, false) => Kill::AfterStates(rng.usize(1..6)),
            };
            let concurrency = rng.usize(2..9);
            let r = run_until(
                &api,
                &config,
                &catalog,
                state_file.as_deref(),
                kill,
                concurrency,
            );
            for (stream, ids) in r.records {
                delivered.entry(stream).or_default().extend(ids);
            }
            states.extend(r.states);
            kills += usize::from(r.killed);
            if r.finished {
                break;
            }
        }
        (delivered, kills)
    })
    .await
    .unwrap();

    assert!(
        kills >= 5,
        "the sync was killed several times ({kills} kills)"
    );
    for stream in STREAMS {
        let want: HashSet<u64> = server.all_ids(stream).into_iter().collect();
        let got = delivered.get(stream).cloned().unwrap_or_default();
        let missing: Vec<&u64> = want.difference(&got).collect();
        assert!(
            missing.is_empty(),
            "{stream}: {} records never delivered, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
    }
}
