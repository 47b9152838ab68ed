//! Faults from the API, each scripted on the fake Paystack: a passing fault
//! is retried and the sync delivers every record of the window exactly once;
//! a fault that persists fails only its stream, with the right failure type.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use fake_paystack::{Behaviour, FakePaystack, Fault, FaultRule, Options};
use serde_json::json;
use source_paystack::Tuning;
use source_paystack::app::Settings;

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";

/// A fake holding `n` records of each of `streams`, created over 2024.
async fn fake(streams: &[&'static str], n: u64) -> FakePaystack {
    FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: streams.iter().map(|s| (*s, n)).collect(),
        start: t(START),
        end: t("2025-01-01T00:00:00Z"),
        ..Options::default()
    })
    .await
    .unwrap()
}

fn fast(server: &FakePaystack, concurrency: usize) -> Settings {
    let mut s = fake_settings(server.uri(), 25, concurrency);
    s.http.retry.max_attempts = 4;
    s.http.retry.max_rate_limited_attempts = 6;
    s.http.request_timeout = Duration::from_millis(400);
    s
}

fn window_ids(server: &FakePaystack, stream: &str, to: DateTime<Utc>) -> Vec<u64> {
    let mut ids = server.ids(stream, t(START), to);
    ids.sort_unstable();
    ids
}

/// Reads `streams` and returns the output.
async fn read(streams: &[&str], settings: &Settings) -> Output {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog: Vec<(&str, &str)> = streams.iter().map(|s| (*s, "incremental")).collect();
    run(read_cmd(&config, &files.catalog(&catalog), None), settings).await
}

fn assert_exactly_once(out: &Output, server: &FakePaystack, stream: &str, what: &str) {
    let got: Vec<u64> = out
        .records(stream)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    let unique: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "{what}: duplicates");
    let mut got = got;
    got.sort_unstable();
    assert_eq!(got, window_ids(server, stream, now()), "{what}: records");
}

/// Every passing fault, on a page in the middle of the sync: retried, and
/// nothing lost or repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_passing_fault_is_retried_without_loss_or_duplicates() {
    let faults = [
        Fault::Status(500),
        Fault::Status(502),
        Fault::Status(503),
        Fault::Status(504),
        Fault::RateLimited {
            reset_secs: 0,
            retry_after: None,
        },
        Fault::RateLimited {
            reset_secs: 0,
            retry_after: Some(0),
        },
        Fault::DropMidBody,
        Fault::TruncatedJson,
        Fault::Html(200),
        Fault::Html(502),
        Fault::Slow(Duration::from_secs(2)),
        Fault::StatusFalse("Temporarily unavailable".into()),
        Fault::MissingMeta,
        Fault::PerPageString,
    ];
    let def = an_offset_stream_with_a_total();
    for fault in faults {
        for concurrency in [1, 4] {
            let server = fake(&[def.name], 1000).await;
            // The 5th request, then the 9th and 10th in a row.
            server.push_fault(FaultRule::nth_on(def.path, 5, fault.clone()));
            server.push_fault(FaultRule::nth_on(def.path, 9, fault.clone()).times(2));
            let out = read(&[def.name], &fast(&server, concurrency)).await;
            let what = format!("{fault:?} c={concurrency}");
            assert_eq!(out.code, 0, "{what}: {}", out.text);
            assert_exactly_once(&out, &server, def.name, &what);
            let stats = server.stats();
            // (A slow answer the client gave up on is not counted.)
            if !matches!(fault, Fault::Slow(_)) {
                assert!(
                    stats.faults >= 3,
                    "{what}: the faults were served: {stats:?}"
                );
            }
            if matches!(fault, Fault::RateLimited { .. }) {
                assert!(
                    out.text.contains("RATE_LIMITED"),
                    "{what}: a RATE_LIMITED status"
                );
            }
        }
    }
}

/// A fault that never goes away fails its stream with the right failure
/// type; the other stream completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_fault_fails_only_its_stream_with_the_right_failure_type() {
    let cases = [
        (Fault::Status(500), "transient_error"),
        (Fault::Status(503), "transient_error"),
        (
            Fault::RateLimited {
                reset_secs: 0,
                retry_after: None,
            },
            "transient_error",
        ),
        (Fault::DropMidBody, "transient_error"),
        (Fault::Slow(Duration::from_secs(2)), "transient_error"),
        (Fault::TruncatedJson, "system_error"),
        (Fault::Html(200), "system_error"),
        (Fault::Html(502), "transient_error"),
        (
            Fault::StatusFalse("Something went wrong".into()),
            "system_error",
        ),
        // 400, 401, 403 and 404 on every request are a feature the
        // business lacks: the stream is skipped (see `unavailable.rs`).
    ];
    for (fault, failure_type) in cases {
        let server = fake(&["transactions", "customers"], 60).await;
        server.push_fault(FaultRule::every_on("/transaction", fault.clone()));
        let out = read(&["transactions", "customers"], &fast(&server, 2)).await;
        let what = format!("{fault:?}");
        assert_eq!(out.code, 1, "{what}");
        assert_eq!(
            out.statuses("transactions"),
            ["STARTED", "INCOMPLETE"],
            "{what}"
        );
        let e = out.errors()[0];
        assert_eq!(e["failure_type"], failure_type, "{what}: {e}");
        assert_eq!(e["stream_descriptor"]["name"], "transactions", "{what}");
        assert_eq!(
            out.statuses("customers"),
            ["STARTED", "RUNNING", "COMPLETE"],
            "{what}"
        );
        assert_exactly_once(&out, &server, "customers", &what);
    }
}

/// A list without `meta`, with several requests in flight: nothing lost,
/// nothing repeated. (Every other undocumented behaviour is a line of
/// `scenarios::every_paging_kind_reads_every_record_exactly_once`, for
/// every paging kind; a cursor list cannot page without `meta`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undocumented_behaviours_lose_nothing() {
    let behaviour = Behaviour {
        omit_meta: true,
        ..Behaviour::default()
    };
    let server = fake(&["refunds"], 400).await;
    server.set_behaviour(behaviour);
    let out = read(&["refunds"], &fast(&server, 4)).await;
    assert_eq!(out.code, 0, "{behaviour:?}: {}", out.text);
    assert_exactly_once(&out, &server, "refunds", &format!("{behaviour:?}"));
}

/// Records created while the sync runs (one with every list request) do not
/// shift offset pages into losing or repeating records: the window ends when
/// the sync started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_created_during_the_sync_do_not_shift_the_pages() {
    for concurrency in [1, 4] {
        let server = FakePaystack::start(Options {
            keys: vec![KEY.to_owned()],
            records: [("customers", 500)].into(),
            start: t(START),
            end: t("2025-01-01T00:00:00Z"),
            grow_every: Some(1),
            ..Options::default()
        })
        .await
        .unwrap();
        let mut settings = fast(&server, concurrency);
        settings.now = None; // the real clock: inserted records are "now"
        settings.tuning = Tuning {
            per_page: 20,
            max_pages_per_slice: 50,
        };
        let out = read(&["customers"], &settings).await;
        assert_eq!(out.code, 0, "{}", out.text);
        assert!(
            server.total("customers") > 500,
            "records were created during the sync"
        );
        let got: Vec<u64> = out
            .records("customers")
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect();
        let unique: HashSet<u64> = got.iter().copied().collect();
        assert_eq!(unique.len(), got.len(), "c={concurrency}: duplicates");
        let mut got = got;
        got.sort_unstable();
        // Exactly the records that existed when the sync started (the
        // generated ones, all created in 2024); none created during it.
        assert_eq!(
            got,
            window_ids(&server, "customers", t("2025-01-01T00:00:00Z")),
            "c={concurrency}"
        );
        assert_eq!(got.len(), 500);
    }
}
