//! Completeness, checked against Paystack's own counts, on the fake
//! Paystack: a record lost once is recovered by a second read; lost on every
//! read (or a `meta.total` that is too high), the stream fails loudly and its
//! state holds back; without a count (or with a surplus) reads go on; records
//! created while an unfiltered list is read lose nothing. And the log lines a
//! user sees, from the real binary.

use std::collections::HashSet;
use std::process::Command;

use chrono::TimeDelta;
use fake_paystack::{FakePaystack, Fault, FaultRule, Options};
use serde_json::json;

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";

/// A fake holding these records (settlements: 0 to 6 transactions each),
/// created from 2024-01-01 to 2024-05-01, with these faults.
async fn fake(records: &[(&'static str, u64)], faults: Vec<FaultRule>) -> FakePaystack {
    FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: records.iter().copied().collect(),
        children_per_parent: 3,
        start: t(START),
        end: t("2024-05-01T00:00:00Z"),
        faults,
        ..Options::default()
    })
    .await
    .unwrap()
}

/// Reads `streams` incrementally (full refresh where there is no cursor),
/// 25 records a page, slices of at most 4 pages.
async fn read(server: &FakePaystack, streams: &[&str], concurrency: usize) -> Output {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog: Vec<(&str, &str)> = streams
        .iter()
        .map(|s| match def(s).cursor_field() {
            Some(_) => (*s, "incremental"),
            None => (*s, "full_refresh"),
        })
        .collect();
    let settings = fake_settings(server.uri(), 25, concurrency);
    run(read_cmd(&config, &files.catalog(&catalog), None), &settings).await
}

/// Every record of `stream`'s window came out, once.
fn assert_exactly_once(out: &Output, server: &FakePaystack, stream: &str, what: &str) {
    let got = out.record_ids(stream);
    let unique: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "{what}: duplicates");
    let mut want = server.ids(stream, t(START), now());
    want.sort_unstable();
    assert_eq!(got, want, "{what}: every record of the window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_lost_once_is_recovered_by_a_second_read() {
    let lists = [
        ("transactions", "transactions", "/transaction"),
        (
            "settlement_transactions",
            "settlements",
            "/settlement/{id}/transactions",
        ),
    ];
    for (stream, stored, path) in lists {
        for concurrency in [1, 4] {
            let what = format!("{stream}, c={concurrency}");
            let clean = fake(&[(stored, 300)], vec![]).await;
            let baseline = read(&clean, &[stream], concurrency).await;
            assert_eq!(baseline.code, 0, "{what}: {}", baseline.text);
            let server = fake(&[(stored, 300)], vec![]).await;
            server.push_fault(FaultRule::nth_on(path, 3, Fault::LoseRecord));
            let out = read(&server, &[stream], concurrency).await;
            assert_eq!(out.code, 0, "{what}: {}", out.text);
            assert_exactly_once(&out, &server, stream, &what);
            assert_eq!(out.statuses(stream), ["STARTED", "RUNNING", "COMPLETE"]);
            assert_eq!(server.stats().faults_by_kind["lose-record"], 1, "{what}");
            // The list was read a second time, unless the fault fell on a
            // settlement without transactions (requests go out in any order
            // at c=4), where there was nothing to lose: then the fake served
            // exactly what it served without the fault.
            let (faulted, clean) = (server.stats(), clean.stats());
            assert!(
                faulted.requests > clean.requests || faulted.records_served == clean.records_served,
                "{what}: a record was lost and the list was not read again"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shortfall_on_every_read_fails_the_stream_and_holds_its_state_back() {
    // A record lost from every page from the 6th request on, or a count one
    // too high: the same shortfall on the second read.
    for fault in [Fault::LoseRecord, Fault::WrongTotal(1)] {
        let what = format!("{fault:?}");
        let server = fake(&[("transactions", 200), ("customers", 50)], vec![]).await;
        server.push_fault(FaultRule::nth_on("/transaction", 6, fault).onwards());
        let out = read(&server, &["transactions", "customers"], 1).await;
        assert_eq!(out.code, 1, "{what}");
        let statuses = ["STARTED", "RUNNING", "INCOMPLETE"];
        assert_eq!(out.statuses("transactions"), statuses, "{what}");
        let complete = ["STARTED", "RUNNING", "COMPLETE"];
        assert_eq!(out.statuses("customers"), complete, "{what}");
        let e = out.errors()[0];
        assert_eq!(e["failure_type"], "system_error", "{what}: {e}");
        assert_eq!(e["stream_descriptor"]["name"], "transactions");
        let message = e["message"].as_str().unwrap();
        for needle in ["Paystack announced", "(meta.total)", "Run the sync again"] {
            assert!(message.contains(needle), "{what}: {message}");
        }
        // The slice it names: `from` is its start less the one-second overlap.
        let from = message
            .split("GET /transaction?from=")
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .unwrap_or_else(|| panic!("{what}: no query in {message}"));
        let slice_start = t(from) + TimeDelta::seconds(1);
        let cursors = out.state_cursors("transactions");
        assert!(
            !cursors.is_empty(),
            "{what}: the slices before it checkpoint"
        );
        for c in &cursors {
            assert!(
                t(c) < slice_start,
                "{what}: state {c} past the slice at {from}"
            );
        }
        // Everything up to the last state is out: it is safe to resume there.
        let last = t(cursors.last().unwrap());
        let got: HashSet<u64> = out.record_ids("transactions").into_iter().collect();
        for id in server.ids("transactions", t(START), last + TimeDelta::seconds(1)) {
            assert!(
                got.contains(&id),
                "{what}: {id} before the state is missing"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_list_short_on_every_read_fails_its_stream() {
    let server = fake(&[("settlements", 40)], vec![]).await;
    let path = "/settlement/{id}/transactions";
    server.push_fault(FaultRule::every_on(path, Fault::LoseRecord));
    let out = read(&server, &["settlement_transactions"], 2).await;
    assert_eq!(out.code, 1);
    let e = out.errors()[0];
    assert_eq!(e["failure_type"], "system_error", "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("GET /settlement/"), "{message}");
    assert!(
        message.contains("/transactions (listed for a record of GET /settlement?from="),
        "{message}"
    );
    let incomplete = ["STARTED", "RUNNING", "INCOMPLETE"];
    assert_eq!(out.statuses("settlement_transactions"), incomplete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_count_or_with_a_surplus_reads_go_on() {
    for fault in [Fault::NoTotal, Fault::WrongTotal(-2)] {
        let what = format!("{fault:?}");
        let server = fake(&[("transactions", 300)], vec![]).await;
        server.push_fault(FaultRule::every_on("/transaction", fault));
        let out = read(&server, &["transactions"], 4).await;
        assert_eq!(out.code, 0, "{what}: {}", out.text);
        assert_exactly_once(&out, &server, "transactions", &what);
    }
}

/// An unfiltered (full refresh) list shifts while it is read: a record
/// created with every request pushes the others down a place, so pages
/// fetched out of order can skip a record. The count catches it, and the
/// second read, one page after another, cannot skip one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_created_while_an_unfiltered_list_is_read_lose_nothing() {
    for concurrency in [1, 4] {
        let server = FakePaystack::start(Options {
            keys: vec![KEY.to_owned()],
            records: [("subaccounts", 400)].into(),
            start: t(START),
            end: t("2024-05-01T00:00:00Z"),
            grow_every: Some(1),
            ..Options::default()
        })
        .await
        .unwrap();
        let before = server.all_ids("subaccounts");
        let files = Files::new();
        let config = files.config(json!({"secret_key": KEY, "start_date": START}));
        let catalog = files.catalog(&[("subaccounts", "full_refresh")]);
        let mut settings = fake_settings(server.uri(), 20, concurrency);
        settings.tuning.max_pages_per_slice = 1_000;
        let out = run(read_cmd(&config, &catalog, None), &settings).await;
        let what = format!("c={concurrency}");
        assert_eq!(out.code, 0, "{what}: {}", out.text);
        assert!(server.total("subaccounts") > 400, "records were created");
        let got = out.record_ids("subaccounts");
        let unique: HashSet<u64> = got.iter().copied().collect();
        assert_eq!(unique.len(), got.len(), "{what}: duplicates");
        for id in before {
            assert!(unique.contains(&id), "{what}: {id} is missing");
        }
    }
}

/// What a user sees in the logs: the second read, the list read unchecked
/// (DEBUG), and one accounting line per stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_say_what_was_checked_per_stream() {
    let server = fake(
        &[("transactions", 60), ("customers", 30)],
        vec![
            FaultRule::every_on("/customer", Fault::NoTotal),
            FaultRule::nth_on("/transaction", 2, Fault::LoseRecord),
            FaultRule::nth_on("/transaction", 4, Fault::Status(500)),
            FaultRule::nth_on(
                "/transaction",
                5,
                Fault::RateLimited {
                    reset_secs: 0,
                    retry_after: None,
                },
            ),
        ],
    )
    .await;
    let files = Files::new();
    let config = files
        .config(json!({"secret_key": KEY, "start_date": START, "requests_per_minute": 100000}));
    let catalog = files.catalog(&[
        ("transactions", "incremental"),
        ("customers", "incremental"),
    ]);
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_source-paystack"))
            .args(["read", "--debug", "--config"])
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog)
            .env_remove("RUST_LOG")
            .env("PAYSTACK_API_URL", uri)
            .env("SOURCE_PAYSTACK_PAGE_SIZE", "10")
            .env("SOURCE_PAYSTACK_BACKOFF_MS", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let line = |needle: &str| {
        stderr
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in {stderr}"))
            .to_owned()
    };
    let again = line("reading it again from its first page");
    assert!(again.contains("WARN"), "{again}");
    assert!(
        again.contains("list=\"GET /transaction?from=2023-12-31T23:59:59.000Z&to="),
        "{again}"
    );
    assert!(again.contains("announced=60 delivered=59"), "{again}");
    let unchecked = line("Paystack announced no count (meta.total) for this list");
    assert!(unchecked.contains("DEBUG"), "{unchecked}");
    assert!(
        unchecked.contains("list=\"GET /customer?from="),
        "{unchecked}"
    );
    // One line per stream, at its end, with its counts.
    let accounts = [
        (
            "transactions",
            [
                "60 records",
                "12 pages",
                "14 requests",
                "2 retried",
                "1 after a 429",
                "0 duplicates",
                "1 list checked",
                "0 unchecked",
                "1 shortfall recovered",
            ],
        ),
        (
            "customers",
            [
                "30 records",
                "3 pages",
                "3 requests",
                "0 retried",
                "0 after a 429",
                "0 duplicates",
                "0 lists checked",
                "1 unchecked",
                "0 shortfalls recovered",
            ],
        ),
    ];
    for (stream, facts) in accounts {
        let l = stderr
            .lines()
            .find(|l| l.contains("Stream complete") && l.contains(&format!("stream=\"{stream}\"")))
            .unwrap_or_else(|| panic!("no account of {stream} in {stderr}"));
        for fact in facts {
            assert!(l.contains(fact), "{stream}: {fact}: {l}");
        }
        assert!(l.contains("INFO"), "{l}");
        assert!(l.ends_with(&format!("stream=\"{stream}\"")), "{l}");
    }
}

/// How a row of [`what_paystack_may_do_to_a_count`] must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Exit 0, every record of the window exactly once.
    Whole,
    /// Exit 0, every record that existed before the read exactly once,
    /// nothing twice (records were created in the lists while read).
    WholeAndMore,
    /// Exit 1: the stream fails with a `system_error`, its state held back.
    Fails,
    /// Exit 0 with one WARN per short list: the stream trusts what was
    /// delivered, and its state reaches the newest record.
    Trusted,
}

struct Row {
    what: &'static str,
    stream: &'static str,
    /// The fault on every request to this path.
    fault: Option<(&'static str, Fault)>,
    /// Records created inside each list while it is read.
    grows: bool,
    /// The config's `completeness` for the stream.
    completeness: Option<&'static str>,
    concurrency: usize,
    verdict: Verdict,
}

/// Reads `stream` with the binary (its logs are the point), 25 records a
/// page, slices of at most 4 pages, against a fake holding 300 transactions
/// or settlements (3 transactions each on average), or 120 subaccounts.
async fn read_logged(server: &FakePaystack, row: &Row) -> (Output, String) {
    let files = Files::new();
    let mut config =
        json!({"secret_key": KEY, "start_date": START, "requests_per_minute": 100_000});
    if let Some(mode) = row.completeness {
        config["completeness"] = json!({ row.stream: mode });
    }
    let config = files.config(config);
    let mode = match def(row.stream).cursor_field() {
        Some(_) => "incremental",
        None => "full_refresh",
    };
    let catalog = files.catalog(&[(row.stream, mode)]);
    let envs = vec![
        ("SOURCE_PAYSTACK_PAGE_SIZE", "25".to_owned()),
        ("SOURCE_PAYSTACK_SLICE_PAGES", "4".to_owned()),
        ("SOURCE_PAYSTACK_CONCURRENCY", row.concurrency.to_string()),
        ("SOURCE_PAYSTACK_BACKOFF_MS", "1".to_owned()),
    ];
    read_binary_with(server.uri(), config, catalog, &[], envs).await
}

/// The plausible ways Paystack's pages may fall short of, or run past, the
/// count they announce, each a row: a page that leaves out a different
/// record each time it is served (every read is short, the reads together
/// are whole), on a time-sliced list, an unfiltered one and child lists; a
/// record left out of every serving (short for good), with completeness
/// strict and warn; and records created inside the list while it is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_paystack_may_do_to_a_count() {
    let moving = |path| Some((path, Fault::LoseMovingRecord));
    let fixed = |path| Some((path, Fault::LoseRecord));
    let children = "/settlement/{id}/transactions";
    let row = |what, stream, fault, verdict| Row {
        what,
        stream,
        fault,
        grows: false,
        completeness: None,
        concurrency: 4,
        verdict,
    };
    let rows = [
        Row {
            concurrency: 1,
            ..row(
                "moving loss, sliced list, c=1",
                "transactions",
                moving("/transaction"),
                Verdict::Whole,
            )
        },
        row(
            "moving loss, sliced list, c=4",
            "transactions",
            moving("/transaction"),
            Verdict::Whole,
        ),
        row(
            "moving loss, unfiltered list",
            "subaccounts",
            moving("/subaccount"),
            Verdict::Whole,
        ),
        row(
            "moving loss, child lists",
            "settlement_transactions",
            moving(children),
            Verdict::Whole,
        ),
        row(
            "moving loss, parents of child lists",
            "settlement_transactions",
            moving("/settlement"),
            Verdict::Whole,
        ),
        row(
            "fixed loss, strict",
            "transactions",
            fixed("/transaction"),
            Verdict::Fails,
        ),
        Row {
            completeness: Some("strict"),
            ..row(
                "fixed loss, strict (set)",
                "settlement_transactions",
                fixed(children),
                Verdict::Fails,
            )
        },
        Row {
            completeness: Some("warn"),
            ..row(
                "fixed loss, warn",
                "transactions",
                fixed("/transaction"),
                Verdict::Trusted,
            )
        },
        Row {
            completeness: Some("warn"),
            ..row(
                "fixed loss, warn, child lists",
                "settlement_transactions",
                fixed(children),
                Verdict::Trusted,
            )
        },
        Row {
            grows: true,
            concurrency: 1,
            ..row(
                "a total that grows, c=1",
                "transactions",
                None,
                Verdict::WholeAndMore,
            )
        },
        Row {
            grows: true,
            ..row(
                "a total that grows, c=4",
                "transactions",
                None,
                Verdict::WholeAndMore,
            )
        },
    ];
    for row in &rows {
        let what = row.what;
        let stored = match row.stream {
            "subaccounts" => ("subaccounts", 120),
            "settlement_transactions" => ("settlements", 100),
            _ => ("transactions", 300),
        };
        let server = FakePaystack::start(Options {
            keys: vec![KEY.to_owned()],
            records: [stored].into(),
            children_per_parent: 3,
            start: t(START),
            end: t("2024-05-01T00:00:00Z"),
            faults: row
                .fault
                .iter()
                .map(|(path, fault)| FaultRule::every_on(path, fault.clone()))
                .collect(),
            grow_every: row.grows.then_some(1),
            grow_in_range: row.grows,
            ..Options::default()
        })
        .await
        .unwrap();
        let truth = |server: &FakePaystack| -> Vec<u64> {
            if def(row.stream).cursor_field().is_some() {
                server.ids(row.stream, t(START), chrono::Utc::now())
            } else {
                server.all_ids(row.stream)
            }
        };
        let before = truth(&server);
        let (out, stderr) = read_logged(&server, row).await;
        let got = out.record_ids(row.stream);
        let unique: HashSet<u64> = got.iter().copied().collect();
        assert_eq!(unique.len(), got.len(), "{what}: duplicates");
        if let Some((_, fault)) = &row.fault {
            let kind = fault.kind();
            assert!(
                server.stats().faults_by_kind[&kind] > 0,
                "{what}: no {kind}"
            );
        }
        let statuses = out.statuses(row.stream);
        let final_status = statuses.last().map(String::as_str);
        let trusted: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("Completeness is set to warn for this stream"))
            .collect();
        match row.verdict {
            Verdict::Whole | Verdict::WholeAndMore | Verdict::Trusted => {
                assert_eq!(out.code, 0, "{what}: {stderr}");
                assert_eq!(final_status, Some("COMPLETE"), "{what}");
                assert!(out.errors().is_empty(), "{what}");
            }
            Verdict::Fails => {
                assert_eq!(out.code, 1, "{what}");
                assert_eq!(final_status, Some("INCOMPLETE"), "{what}");
            }
        }
        match row.verdict {
            Verdict::Whole => {
                let mut got = got.clone();
                got.sort_unstable();
                assert_eq!(got, before, "{what}: every record, once");
                assert_eq!(truth(&server), before, "{what}: nothing was created");
                assert!(trusted.is_empty(), "{what}: {stderr}");
            }
            Verdict::WholeAndMore => {
                for id in &before {
                    assert!(unique.contains(id), "{what}: {id} is missing: {stderr}");
                }
                let after: HashSet<u64> = server.all_ids(row.stream).into_iter().collect();
                assert!(
                    unique.is_subset(&after),
                    "{what}: a record the fake never held"
                );
                assert!(after.len() > before.len(), "{what}: the lists grew");
                assert!(trusted.is_empty(), "{what}: {stderr}");
            }
            Verdict::Fails => {
                let e = out.errors()[0];
                assert_eq!(e["failure_type"], "system_error", "{what}: {e}");
                let message = e["message"].as_str().unwrap();
                let hint = format!(r#"set "completeness": {{"{}": "warn"}}"#, row.stream);
                for needle in [
                    "but two reads delivered",
                    "different ones between them",
                    &hint,
                ] {
                    assert!(message.contains(needle), "{what}: {message}");
                }
                assert!(got.len() < before.len(), "{what}");
            }
            Verdict::Trusted => {
                assert!(!trusted.is_empty(), "{what}: no WARN in {stderr}");
                for line in &trusted {
                    assert!(line.contains("WARN"), "{what}: {line}");
                    let head = format!("{}: Paystack announced", row.stream);
                    assert!(line.contains(&head), "{what}: {line}");
                    assert!(line.contains("Which records are missing, if any, cannot be known"));
                }
                let account = format!(
                    "{} trusted (completeness: warn). stream=\"{}\"",
                    if trusted.len() == 1 {
                        "1 shortfall".to_owned()
                    } else {
                        format!("{} shortfalls", trusted.len())
                    },
                    row.stream
                );
                assert!(stderr.contains(&account), "{what}: {account} in {stderr}");
                let missing = before.iter().filter(|id| !unique.contains(id)).count();
                assert!(missing > 0, "{what}: a record is lost on every read");
                assert!(unique.iter().all(|id| before.contains(id)), "{what}");
                // The state moves as for complete slices: to the newest
                // record emitted (a child stream: its newest parent).
                if row.stream == "transactions" {
                    let newest = got
                        .iter()
                        .filter_map(|id| server.created_at(row.stream, *id))
                        .max();
                    let last = out.state_cursors(row.stream).last().map(|c| t(c));
                    assert_eq!(last, newest, "{what}");
                }
            }
        }
    }
}
