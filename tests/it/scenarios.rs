//! Read scenarios, one line per case, each run for every paging kind of the
//! stream table (its first top-level stream of each kind), against the fake
//! Paystack: every record of the window comes out exactly once, the stream
//! completes, and its last state is its newest record. A new paging kind in
//! the table is covered by every line. The lines vary sizes, concurrency and
//! slice splitting; Paystack's undocumented behaviours are the rows of the
//! matrix (`matrix.rs`), which reads every stream. And one snapshot of a
//! whole read.

use std::collections::HashSet;

use fake_paystack::{FakePaystack, Options};
use serde_json::json;
use source_paystack::{STREAMS, StreamDef};

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";

/// One read: the records the fake holds and how it serves them, and how
/// the connector asks.
#[derive(Debug, Clone, Copy)]
struct Case {
    records: u64,
    per_page: u32,
    /// `max_pages_per_slice`: a slice of more pages is split.
    slice_pages: u32,
    concurrency: usize,
}

impl Case {
    /// `records` records, read 10 a page, 4 requests at once, slices of at
    /// most 4 pages.
    fn of(records: u64) -> Self {
        Case {
            records,
            per_page: 10,
            slice_pages: 4,
            concurrency: 4,
        }
    }

    fn slice_pages(self, slice_pages: u32) -> Self {
        Case {
            slice_pages,
            ..self
        }
    }

    fn concurrency(self, concurrency: usize) -> Self {
        Case {
            concurrency,
            ..self
        }
    }
}

/// The first top-level stream of each paging kind in the table.
fn one_stream_per_paging_kind() -> Vec<&'static StreamDef> {
    let mut kinds: Vec<&'static StreamDef> = Vec::new();
    for d in STREAMS.iter().filter(|d| d.parent.is_none()) {
        if !kinds.iter().any(|k| k.paging == d.paging) {
            kinds.push(d);
        }
    }
    kinds
}

/// Reads `def` as `case` says and checks the outcome.
async fn read_case(what: &str, def: &'static StreamDef, case: Case) {
    let what = format!("{what}, {} ({:?} paging)", def.name, def.paging);
    let server = FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: [(def.name, case.records)].into(),
        start: t(START),
        end: t("2024-05-01T00:00:00Z"),
        ..Options::default()
    })
    .await
    .unwrap();
    let mut settings = fake_settings(server.uri(), case.per_page, case.concurrency);
    settings.tuning.max_pages_per_slice = case.slice_pages;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let mode = if def.cursor_field().is_some() {
        "incremental"
    } else {
        "full_refresh"
    };
    let catalog = files.catalog(&[(def.name, mode)]);
    let out = run(read_cmd(&config, &catalog, None), &settings).await;
    assert_eq!(out.code, 0, "{what}: {}", out.text);

    let got: Vec<u64> = out
        .records(def.name)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    let unique: HashSet<u64> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "{what}: duplicates");
    let mut want = match def.cursor_field() {
        Some(_) => server.ids(def.name, t(START), now()),
        None => server.all_ids(def.name),
    };
    want.sort_unstable();
    assert_eq!(out.record_ids(def.name), want, "{what}: every record once");
    assert_eq!(
        out.statuses(def.name),
        ["STARTED", "RUNNING", "COMPLETE"],
        "{what}"
    );
    let states = out.states(def.name);
    assert!(!states.is_empty(), "{what}: a state");
    if def.cursor_field().is_some() {
        let newest = want
            .iter()
            .map(|id| server.created_at(def.name, *id).unwrap())
            .max()
            .unwrap_or(t(START));
        let last = out.state_cursors(def.name).last().map(|c| t(c));
        assert_eq!(last, Some(newest), "{what}: the state is the newest record");
    } else {
        assert_eq!(states[0]["stream"]["stream_state"], json!({}), "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_paging_kind_reads_every_record_exactly_once() {
    // One line per case.
    #[rustfmt::skip]
    let cases = [
        ("an empty list", Case::of(0)),
        ("one record", Case::of(1)),
        ("exactly one full page", Case::of(10)),
        ("one more than a page", Case::of(11)),
        ("pages one at a time", Case::of(400).concurrency(1)),
        ("pages four at a time", Case::of(400)),
        ("dense slices, split again", Case::of(2_000).slice_pages(2)),
        ("no split needed", Case::of(400).slice_pages(1_000)),
    ];
    let kinds = one_stream_per_paging_kind();
    assert!(kinds.len() >= 2, "offset and cursor paging");
    for (what, case) in cases {
        for def in &kinds {
            read_case(what, def, case).await;
        }
    }
}

/// The whole output of a small read, offset, cursor and child lists
/// included, with `emitted_at` redacted: any change to what the connector
/// writes shows up here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_read() {
    let server = FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: [("customers", 3), ("terminals", 3), ("settlements", 2)].into(),
        children_per_parent: 1,
        start: t(START),
        end: t("2024-05-01T00:00:00Z"),
        ..Options::default()
    })
    .await
    .unwrap();
    let files = Files::new();
    let catalog = files.catalog(&[
        ("customers", "incremental"),
        ("terminals", "full_refresh"),
        ("settlement_transactions", "incremental"),
    ]);
    let settings = fake_settings(server.uri(), 2, 1);
    let out = run(
        read_cmd(&files.default_config(0), &catalog, None),
        &settings,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    insta::assert_json_snapshot!("read", out.messages, {
        "[].record.emitted_at" => "[emitted_at]",
        "[].trace.emitted_at" => "[emitted_at]",
    });
}
