//! Every stream beyond Airbyte's eight, read from the fake Paystack: the
//! records are exactly what the fake holds, incremental streams through two
//! incremental reads, child streams tagged with their parent, full refresh
//! and cursor-paged lists, features that are not enabled, and `end_date`.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use fake_paystack::{FakePaystack, Fault, FaultRule};
use serde_json::{Value, json};
use source_paystack::STREAMS;
use source_paystack::app::Settings;
use source_paystack::cli::Command;

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";

async fn fake(records: u64) -> FakePaystack {
    fake_paystack(records).await
}

fn settings(server: &FakePaystack) -> Settings {
    fake_settings(server.uri(), 7, 4)
}

fn ids_of(out: &Output, stream: &str) -> Vec<u64> {
    out.records(stream)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect()
}

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v
}

fn assert_unique(ids: &[u64], what: &str) {
    let set: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(set.len(), ids.len(), "{what}: duplicates");
}

/// The newest state cursor of `stream` in `out`.
fn final_cursor(out: &Output, stream: &str) -> Option<DateTime<Utc>> {
    out.state_cursors(stream).last().map(|c| t(c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_reads_exactly_what_paystack_holds_then_only_what_is_new() {
    let server = fake(60).await;
    let files = Files::new();
    let config = files.default_config(0);
    let catalog = files.catalog(&every_stream("incremental"));
    let first = run(read_cmd(&config, &catalog, None), &settings(&server)).await;
    assert_eq!(first.code, 0, "{}", first.text);
    assert_records_match_schemas(&first);
    for def in STREAMS {
        let got = ids_of(&first, def.name);
        assert_unique(&got, def.name);
        assert!(!got.is_empty(), "{}: records", def.name);
        assert_eq!(
            sorted(got),
            sorted(server.all_ids(def.name)),
            "{}: every record once",
            def.name
        );
        assert_eq!(
            first.statuses(def.name),
            ["STARTED", "RUNNING", "COMPLETE"],
            "{}",
            def.name
        );
        assert!(!first.states(def.name).is_empty(), "{}: a state", def.name);
    }

    // A second read from the final states: incremental streams return only
    // what was created at or after their cursor; full refresh streams
    // return everything again.
    let finals: BTreeMap<String, Value> = first
        .of_type("STATE")
        .iter()
        .map(|m| {
            let name = m["state"]["stream"]["stream_descriptor"]["name"]
                .as_str()
                .unwrap();
            (name.to_owned(), m["state"].clone())
        })
        .collect();
    let state = files.state(&json!(finals.values().collect::<Vec<_>>()).to_string());
    let second = run(
        read_cmd(&config, &catalog, Some(&state)),
        &settings(&server),
    )
    .await;
    assert_eq!(second.code, 0, "{}", second.text);
    for def in STREAMS {
        let got = sorted(ids_of(&second, def.name));
        match def.cursor_field() {
            Some(_) => {
                let cursor = final_cursor(&first, def.name).unwrap();
                let want = sorted(server.ids(def.name, cursor, now()));
                assert_eq!(got, want, "{}: only records at or after {cursor}", def.name);
                assert!(
                    got.len() < server.all_ids(def.name).len(),
                    "{}: not everything again",
                    def.name
                );
                assert_eq!(
                    final_cursor(&second, def.name),
                    Some(cursor),
                    "{}: state kept",
                    def.name
                );
            }
            None => {
                assert_eq!(
                    got,
                    sorted(server.all_ids(def.name)),
                    "{}: full refresh",
                    def.name
                );
                assert_eq!(
                    second.states(def.name)[0]["stream"]["stream_state"],
                    json!({}),
                    "{}",
                    def.name
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_records_are_tagged_with_their_parent() {
    let server = fake(40).await;
    let files = Files::new();
    let catalog = files.catalog(&[
        ("settlement_transactions", "incremental"),
        ("bulk_charge_items", "full_refresh"),
    ]);
    let out = run(
        read_cmd(&files.default_config(0), &catalog, None),
        &settings(&server),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    for (stream, parent, key_tag, time_tag) in [
        (
            "settlement_transactions",
            "settlements",
            "settlement_id",
            "settlement_created_at",
        ),
        (
            "bulk_charge_items",
            "bulk_charges",
            "bulk_charge_code",
            "bulk_charge_created_at",
        ),
    ] {
        let records = out.records(stream);
        assert!(records.len() > 40, "{stream}: {} records", records.len());
        let mut by_parent: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for r in &records {
            let key = match &r[key_tag] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert!(
                t(r[time_tag].as_str().unwrap()) >= t(START),
                "{stream}: {r}"
            );
            by_parent
                .entry(key)
                .or_default()
                .push(r["id"].as_u64().unwrap());
        }
        for (key, ids) in by_parent {
            assert_eq!(
                sorted(ids),
                sorted(server.children(parent, &key)),
                "{stream}: children of {key}"
            );
        }
        assert!(
            out.of_type("TRACE")
                .iter()
                .all(|m| m["trace"]["estimate"]["name"] != stream),
            "no ESTIMATE for a child stream"
        );
    }
}

/// Only the parents inside the incremental window are re-read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_stream_rereads_only_the_parents_in_the_window() {
    let server = fake(40).await;
    let files = Files::new();
    let catalog = files.catalog(&[("settlement_transactions", "incremental")]);
    let config = files.default_config(0);
    let first = run(read_cmd(&config, &catalog, None), &settings(&server)).await;
    let cursor = first
        .state_cursors("settlement_transactions")
        .last()
        .unwrap()
        .clone();
    let state =
        files.state(&json!([first.states("settlement_transactions").last().unwrap()]).to_string());
    server.reset_stats();
    let second = run(
        read_cmd(&config, &catalog, Some(&state)),
        &settings(&server),
    )
    .await;
    assert_eq!(second.code, 0);
    let parents: HashSet<String> = second
        .records("settlement_transactions")
        .iter()
        .map(|r| r["settlement_created_at"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        parents.iter().all(|p| *p >= cursor),
        "only parents at or after {cursor}: {parents:?}"
    );
    let child_requests = server
        .stats()
        .by_path
        .get("/settlement/{id}/transactions")
        .copied()
        .unwrap_or(0);
    let parents_in_window = server.ids("settlements", t(&cursor), now()).len() as u64;
    assert!(
        child_requests <= parents_in_window * 2,
        "{child_requests} child requests for {parents_in_window} parents"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminals_are_read_by_cursor_and_full_refresh_lists_ignore_time() {
    let server = fake(50).await;
    let files = Files::new();
    let catalog = files.catalog(&[
        ("terminals", "full_refresh"),
        ("subaccounts", "full_refresh"),
        ("storefronts", "full_refresh"),
    ]);
    let out = run(
        read_cmd(&files.default_config(0), &catalog, None),
        &settings(&server),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    for stream in ["terminals", "subaccounts", "storefronts"] {
        let got = ids_of(&out, stream);
        assert_unique(&got, stream);
        assert_eq!(sorted(got), sorted(server.all_ids(stream)), "{stream}");
    }
    assert!(
        server.stats().by_path["/terminal"] >= 8,
        "50 terminals, 7 a page: followed the cursors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_that_is_not_enabled_skips_only_its_stream_and_check_says_so() {
    for status in [401, 403, 404] {
        let server = fake(20).await;
        server.push_fault(FaultRule::every_on(
            "/dedicated_account",
            Fault::Status(status),
        ));
        let files = Files::new();
        let catalog = files.catalog(&[
            ("dedicated_accounts", "full_refresh"),
            ("plans", "incremental"),
            ("orders", "incremental"),
        ]);
        let config = files.default_config(0);
        let out = run(read_cmd(&config, &catalog, None), &settings(&server)).await;
        assert_eq!(out.code, 0, "{status}: {}", out.text);
        assert_eq!(
            out.statuses("dedicated_accounts"),
            ["STARTED", "COMPLETE"],
            "{status}"
        );
        assert!(out.records("dedicated_accounts").is_empty(), "{status}");
        for stream in ["plans", "orders"] {
            assert_eq!(
                out.statuses(stream),
                ["STARTED", "RUNNING", "COMPLETE"],
                "{status} {stream}"
            );
        }
        assert!(out.errors().is_empty(), "{status}");

        let check = run(Command::Check { config }, &settings(&server)).await;
        let cs = &check.messages[0]["connectionStatus"];
        assert_eq!(cs["status"], "SUCCEEDED", "{status}");
        let note = cs["message"].as_str().unwrap();
        assert!(
            note.contains("dedicated_accounts (GET /dedicated_account answered HTTP")
                && note.contains("read skips them")
                && !note.contains("plans"),
            "{status}: {note}"
        );
    }
}

/// `end_date` bounds a sync, its state never passes it, and moving it
/// forward backfills the next piece: the pieces add up to everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_date_backfills_history_in_bounded_pieces() {
    let server = fake(80).await;
    let files = Files::new();
    let catalog = files.catalog(&[
        ("transactions", "incremental"),
        ("balance_history", "incremental"),
    ]);
    let mut delivered: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut state: Option<std::path::PathBuf> = None;
    for end in [
        "2024-02-01T00:00:00Z",
        "2024-03-15T00:00:00Z",
        "2024-06-01T00:00:00Z",
    ] {
        let config = files.config(json!({"secret_key": KEY, "start_date": START, "end_date": end}));
        let out = run(
            read_cmd(&config, &catalog, state.as_deref()),
            &settings(&server),
        )
        .await;
        assert_eq!(out.code, 0, "{end}: {}", out.text);
        let mut finals = vec![];
        for stream in ["transactions", "balance_history"] {
            for r in out.records(stream) {
                let field = def(stream).cursor_field().unwrap();
                assert!(
                    t(r[field].as_str().unwrap()) < t(end),
                    "{stream}: a record at or after {end}"
                );
            }
            let cursor = final_cursor(&out, stream).unwrap();
            assert!(cursor < t(end), "{stream}: the state {cursor} passed {end}");
            delivered
                .entry(stream)
                .or_default()
                .extend(ids_of(&out, stream));
            finals.push((*out.states(stream).last().unwrap()).clone());
        }
        state = Some(files.state(&json!(finals).to_string()));
    }
    for (stream, ids) in delivered {
        let unique: HashSet<u64> = ids.into_iter().collect();
        assert_eq!(
            sorted(unique.into_iter().collect()),
            sorted(server.all_ids(stream)),
            "{stream}"
        );
    }
}
