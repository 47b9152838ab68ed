//! The behaviour matrix: every stream of the table read under each reading
//! Paystack's docs leave open (one row per switch of the fake, and a few
//! combinations), each checked against the fake's ground truth.
//!
//! One read per row covers all the streams, child streams included
//! (incremental where the stream has a cursor, full refresh otherwise). The
//! data is dense: 41 records per top-level stream over 20 seconds from
//! `start_date` on (two or three a second, so offset pages split ties), and
//! three more per stream in the last second before the sync starts (the end
//! of the window). A row's default outcome is that every
//! record is read exactly once, every stream completes with its newest
//! record as state, and the read exits 0; a row that expects otherwise says
//! so (a stream skipped with a WARN, another exit code).
//!
//! Adding a reading of Paystack is one line in [`rows`].

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use fake_paystack::{
    BoundPrecision, ENDPOINTS, FakePaystack, Fault, FaultRule, Feature, Options, Paging, RateLimit,
    ResetFormat, TieOrder, TimeFormat, Unavailable,
};
use serde_json::json;
use source_paystack::{STREAMS, StreamDef};

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";

/// Records per top-level stream, over 20 seconds from `START`: two or
/// three a second, so that ties straddle page boundaries.
const RECORDS: u64 = 41;

/// Records per top-level stream created in the last second before the
/// sync starts.
const LAST_SECOND: u64 = 3;

/// What a row expects of the read.
#[derive(Debug, Clone, Copy)]
struct Expect {
    /// The exit code.
    code: i32,
    /// Streams the read skips: no records, no state, and a WARN line
    /// naming the stream and containing the text.
    skipped: &'static [(&'static str, &'static str)],
    /// Streams that fail: INCOMPLETE, and an ERROR trace containing the
    /// text.
    failed: &'static [(&'static str, &'static str)],
    /// The records created in the last second before the sync starts are
    /// not read by this sync, and its state stays before them: the next
    /// sync reads them (checked with a second read from the first's state).
    late: bool,
    /// Streams may fail, each with an ERROR trace containing this text,
    /// but none completes with a record missing.
    may_fail: Option<&'static str>,
    /// Records are created while the read goes on: every record that
    /// existed before the read is read once, and those created during it
    /// may be read too (once).
    grows: bool,
}

/// Every record read exactly once, every stream COMPLETE, exit 0.
const EVERY_RECORD_ONCE: Expect = Expect {
    code: 0,
    skipped: &[],
    failed: &[],
    late: false,
    may_fail: None,
    grows: false,
};

/// One reading of Paystack: how the fake is set up, and what the read
/// must give.
struct Row {
    name: &'static str,
    setup: fn(&mut Options),
    expect: Expect,
}

/// A row whose read gives every record exactly once.
fn row(name: &'static str, setup: fn(&mut Options)) -> Row {
    Row {
        name,
        setup,
        expect: EVERY_RECORD_ONCE,
    }
}

impl Row {
    /// The read skips these streams (stream, text of its WARN); the others
    /// complete.
    fn skipping(self, skipped: &'static [(&'static str, &'static str)]) -> Self {
        Row {
            expect: Expect {
                skipped,
                ..self.expect
            },
            ..self
        }
    }

    /// The records of the last second before the sync come with the next
    /// sync.
    fn late(self) -> Self {
        Row {
            expect: Expect {
                late: true,
                ..self.expect
            },
            ..self
        }
    }

    /// Any stream may fail with an ERROR trace containing `error`; those
    /// that complete read every record once.
    fn may_fail(self, error: &'static str) -> Self {
        Row {
            expect: Expect {
                may_fail: Some(error),
                ..self.expect
            },
            ..self
        }
    }

    /// Records are created in the lists while they are read.
    fn growing(self) -> Self {
        Row {
            expect: Expect {
                grows: true,
                ..self.expect
            },
            ..self
        }
    }

    /// These streams fail (stream, text of its ERROR trace), so the read
    /// exits 1; the others complete.
    fn failing(self, failed: &'static [(&'static str, &'static str)]) -> Self {
        Row {
            expect: Expect {
                failed,
                code: 1,
                ..self.expect
            },
            ..self
        }
    }
}

/// A cursor page with records but without `meta` fails its stream.
const NO_CURSOR: &[(&str, &str)] = &[("terminals", "but no `meta`, so no cursor to the next page")];

/// How long a row's read may take before it counts as stalled.
const STALLED: Duration = Duration::from_secs(120);

/// What the WARN of a skipped stream says.
const SKIPPED: &str = "not available to this Paystack business";
const NO_TERMINAL: &[(&str, &str)] = &[("terminals", SKIPPED), ("virtual_terminals", SKIPPED)];
const NO_COMMERCE: &[(&str, &str)] = &[("orders", SKIPPED), ("storefronts", SKIPPED)];
const NO_DEDICATED: &[(&str, &str)] = &[("dedicated_accounts", SKIPPED)];

/// A list short on every read fails its stream.
const SHORT: &[(&str, &str)] = &[("transactions", "two reads delivered")];

/// Paystack's rate limiting with room to spare (a thousand requests a
/// two-second window, where a read of every stream takes about 150), its
/// reset in `format`: every answer carries the headers, and every stream
/// must still be read whole. A reset misread as far away is capped at the
/// 60 s window, so these rows do not catch a misreading by its delay:
/// `tests/it/rate_limits.rs` reads through used-up windows in each form.
fn roomy(format: ResetFormat) -> Option<RateLimit> {
    Some(RateLimit {
        live_limit: 1_000,
        test_limit: 1_000,
        window: Duration::from_secs(2),
        reset_format: format,
    })
}

/// `fault` on every request to a list Paystack counts (every endpoint but
/// the cursor-only ones).
fn on_counted_lists(fault: Fault) -> Vec<FaultRule> {
    ENDPOINTS
        .iter()
        .filter(|e| e.paging != Paging::Cursor)
        .map(|e| FaultRule::every_on(e.path, fault.clone()))
        .collect()
}

/// The rows: one per switch of the fake, then combinations.
#[rustfmt::skip]
fn rows() -> Vec<Row> {
    vec![
        row("Paystack as the fake serves it by default", |_| {}),
        row("from exclusive", |o| o.behaviour.from_inclusive = false),
        row("to exclusive", |o| o.behaviour.to_inclusive = false),
        row("a page-size cap below perPage", |o| o.behaviour.max_per_page = Some(4)),
        row("a cap, pageCount from the perPage asked for", |o| {
            o.behaviour.max_per_page = Some(4);
            o.behaviour.page_count_from_requested = true;
        }),
        row("meta.perPage as a string", |o| o.behaviour.per_page_as_string = true),
        // A cursor list (terminals) without meta has no cursor to go on with.
        row("no meta", |o| o.behaviour.omit_meta = true).failing(NO_CURSOR),
        row("createdAt without milliseconds", |o| o.behaviour.time_format = TimeFormat::Seconds),
        row("createdAt with an offset", |o| o.behaviour.time_format = TimeFormat::Offset),
        row("ties by ascending id", |o| o.behaviour.ties = TieOrder::IdAscending),
        row("ties in a seeded order", |o| o.behaviour.ties = TieOrder::Shuffled),
        // No page walk can read such a list whole: a stream may fail, loudly.
        row("ties ordered anew on each page", |o| o.behaviour.ties = TieOrder::PerPage)
            .may_fail("Paystack announced"),
        row("ties in another seeded order", |o| {
            o.behaviour.ties = TieOrder::Shuffled;
            o.seed = 7;
        }),
        row("from/to read to the second, fraction dropped", |o| {
            o.behaviour.bound_precision = BoundPrecision::Truncated;
        }),
        row("from/to rounded to the second", |o| o.behaviour.bound_precision = BoundPrecision::Rounded),
        row("from/to read to the second, fraction dropped, to exclusive", |o| {
            (o.behaviour.bound_precision, o.behaviour.to_inclusive) = (BoundPrecision::Truncated, false);
        })
        .late(),
        row("absent cursors as the string \"null\"", |o| o.behaviour.null_cursor_as_string = true),
        // x-ratelimit-reset in each form on every answer, with room left in
        // the window: every stream is still read whole.
        row("x-ratelimit-reset in seconds", |o| o.rate_limit = roomy(ResetFormat::Seconds)),
        row("x-ratelimit-reset as a Unix time", |o| o.rate_limit = roomy(ResetFormat::UnixSeconds)),
        row("x-ratelimit-reset as a Unix time in ms", |o| o.rate_limit = roomy(ResetFormat::UnixMillis)),
        row("x-ratelimit-reset as an HTTP date", |o| o.rate_limit = roomy(ResetFormat::HttpDate)),
        row("x-ratelimit-reset unreadable", |o| o.rate_limit = roomy(ResetFormat::Junk)),
        // A business without a feature: its streams are skipped, whatever
        // the status of the refusal.
        row("no Terminal (404)", |o| o.unavailable = Unavailable::lacking(Feature::Terminal, 404))
            .skipping(NO_TERMINAL),
        row("no Terminal (400)", |o| o.unavailable = Unavailable::lacking(Feature::Terminal, 400))
            .skipping(NO_TERMINAL),
        row("no Commerce (403)", |o| o.unavailable = Unavailable::lacking(Feature::Commerce, 403))
            .skipping(NO_COMMERCE),
        row("no dedicated accounts (401)", |o| {
            o.unavailable = Unavailable::lacking(Feature::DedicatedAccounts, 401);
        })
        .skipping(NO_DEDICATED),
        // A page that drops a different record each time it is served: every
        // record comes in one read or the other (lists with a count; a cursor
        // list has none to notice a loss by).
        row("a loss that moves between reads", |o| o.faults = on_counted_lists(Fault::LoseMovingRecord)),
        row("a record lost on every read", |o| {
            o.faults = vec![FaultRule::every_on("/transaction", Fault::LoseRecord)];
        })
        .failing(SHORT),
        row("lists that grow while they are read", |o| (o.grow_every, o.grow_in_range) = (Some(3), true))
            .growing(),
        // Combinations.
        row("exclusive bounds, capped page, ties ascending, no milliseconds", |o| {
            let b = &mut o.behaviour;
            (b.from_inclusive, b.to_inclusive, b.max_per_page) = (false, false, Some(4));
            (b.ties, b.time_format) = (TieOrder::IdAscending, TimeFormat::Seconds);
        }),
        row("offsets, seeded ties, perPage string, pageCount as asked, rounded bounds", |o| {
            let b = &mut o.behaviour;
            (b.time_format, b.ties) = (TimeFormat::Offset, TieOrder::Shuffled);
            (b.per_page_as_string, b.max_per_page, b.page_count_from_requested) = (true, Some(7), true);
            b.bound_precision = BoundPrecision::Rounded;
        }),
        row("no meta, ties ascending, exclusive to, no milliseconds", |o| {
            let b = &mut o.behaviour;
            (b.omit_meta, b.ties, b.to_inclusive) = (true, TieOrder::IdAscending, false);
            b.time_format = TimeFormat::Seconds;
        })
        .failing(NO_CURSOR),
        // A capped first page is short: without meta it is still no proof of the end.
        row("no meta, a capped page", |o| (o.behaviour.omit_meta, o.behaviour.max_per_page) = (true, Some(4)))
            .failing(NO_CURSOR),
        row("no Terminal, Unix-ms resets, a moving loss, ties ascending", |o| {
            o.unavailable = Unavailable::lacking(Feature::Terminal, 403);
            o.rate_limit = roomy(ResetFormat::UnixMillis);
            o.faults = on_counted_lists(Fault::LoseMovingRecord);
            o.behaviour.ties = TieOrder::IdAscending;
        })
        .skipping(NO_TERMINAL),
        row("a capped page, ties ascending, \"null\" cursors, truncated bounds", |o| {
            let b = &mut o.behaviour;
            (b.max_per_page, b.ties, b.null_cursor_as_string) = (Some(4), TieOrder::IdAscending, true);
            b.bound_precision = BoundPrecision::Truncated;
        }),
    ]
}

/// WARN and ERROR lines the connector logs, captured on the test's thread.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The fake for one row: the dense data, then the row's setup.
async fn server(row: &Row) -> FakePaystack {
    let mut options = Options {
        keys: vec![KEY.to_owned()],
        default_records: RECORDS,
        start: t(START),
        end: t(START) + TimeDelta::seconds(20),
        ..Options::default()
    };
    (row.setup)(&mut options);
    let server = FakePaystack::start(options).await.unwrap();
    let last_second = now() - TimeDelta::seconds(1);
    for def in STREAMS.iter().filter(|d| d.parent.is_none()) {
        server.insert_at(def.name, last_second, LAST_SECOND);
    }
    server
}

/// The ids a read of `def` must emit: those created in `[START, end)`, or
/// every id.
fn wanted(server: &FakePaystack, def: &StreamDef, end: DateTime<Utc>) -> Vec<u64> {
    match def.cursor_field() {
        Some(_) => server.ids(def.name, t(START), end),
        None => server.all_ids(def.name),
    }
}

/// The state a complete read of `def` ends with: its newest record's
/// creation time (for a child stream, that of the newest parent with
/// children).
fn newest(server: &FakePaystack, def: &StreamDef, end: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match def.parent {
        None => wanted(server, def, end)
            .iter()
            .map(|id| server.created_at(def.name, *id).unwrap())
            .max(),
        Some(p) => server
            .ids(p.stream, t(START), end)
            .into_iter()
            .filter(|id| {
                let key = server.parent_key(p.stream, *id).unwrap();
                !server.children(p.stream, &key).is_empty()
            })
            .map(|id| server.created_at(p.stream, id).unwrap())
            .max(),
    }
}

/// Reads every stream under `row` and checks the outcome; the problems
/// found, one line each.
async fn check(row: &Row) -> Vec<String> {
    let server = server(row).await;
    let settings = fake_settings(server.uri(), 10, 4);
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog = files.catalog(&every_stream("incremental"));
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .with_max_level(tracing::Level::WARN)
        .finish();
    let before: Vec<Vec<u64>> = STREAMS.iter().map(|d| wanted(&server, d, now())).collect();
    let read = {
        let _guard = tracing::subscriber::set_default(subscriber);
        // A guard against a read that stalls, not a measure of speed.
        tokio::time::timeout(STALLED, run(read_cmd(&config, &catalog, None), &settings)).await
    };
    let Ok(out) = read else {
        return vec![format!(
            "{}: the read did not end within {STALLED:?}",
            row.name
        )];
    };
    let logs = logs.text();
    let mut problems = Vec::new();
    let mut fail = |what: String| problems.push(format!("{}: {what}", row.name));
    let end = if row.expect.late {
        now() - TimeDelta::seconds(1)
    } else {
        now()
    };
    let any_failed = STREAMS
        .iter()
        .any(|d| out.statuses(d.name).last().map(String::as_str) == Some("INCOMPLETE"));
    let code = match row.expect.may_fail {
        Some(_) if any_failed => 1,
        _ => row.expect.code,
    };
    if out.code != code {
        fail(format!("exit code {}, not {code}", out.code));
    }
    for def in STREAMS {
        let name = def.name;
        let got: Vec<u64> = out
            .records(name)
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect();
        if let Some((_, warn)) = row.expect.skipped.iter().find(|s| s.0 == name) {
            if !got.is_empty() || !out.states(name).is_empty() {
                fail(format!("{name} skipped, yet it has records or states"));
            }
            let statuses = out.statuses(name);
            if statuses != ["STARTED", "COMPLETE"] {
                fail(format!("{name} skipped, yet its statuses are {statuses:?}"));
            }
            let said = logs
                .lines()
                .any(|l| l.contains(" WARN ") && l.contains(name) && l.contains(warn));
            if !said {
                fail(format!("{name}: no WARN saying {warn:?}"));
            }
            continue;
        }
        if let Some((_, error)) = row.expect.failed.iter().find(|s| s.0 == name) {
            let statuses = out.statuses(name);
            if statuses.last().map(String::as_str) != Some("INCOMPLETE") {
                fail(format!("{name} fails, yet its statuses are {statuses:?}"));
            }
            let said = out.errors().iter().any(|e| {
                e["message"].as_str().is_some_and(|m| m.contains(error))
                    && e["stream_descriptor"]["name"] == name
            });
            if !said {
                fail(format!("{name}: no ERROR trace saying {error:?}"));
            }
            continue;
        }
        let failed = out.statuses(name).last().map(String::as_str) == Some("INCOMPLETE");
        if let (Some(error), true) = (row.expect.may_fail, failed) {
            let said = out.errors().iter().any(|e| {
                e["message"].as_str().is_some_and(|m| m.contains(error))
                    && e["stream_descriptor"]["name"] == name
            });
            if !said {
                fail(format!(
                    "{name} failed, but no ERROR trace says {error:?}: {:?}",
                    out.errors()
                ));
            }
            eprintln!("matrix row {:?}: {name} failed, as it may", row.name);
            let want = wanted(&server, def, end);
            if out.record_ids(name).iter().any(|id| !want.contains(id)) {
                fail(format!("{name}: records outside the window"));
            }
            continue;
        }
        let mut want = wanted(&server, def, end);
        want.sort_unstable();
        let ids = out.record_ids(name);
        if row.expect.grows {
            let existed = &before[STREAMS.iter().position(|d| d.name == name).unwrap()];
            let lost: Vec<_> = existed.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<_> = ids.iter().filter(|id| !want.contains(id)).collect();
            let mut unique = ids.clone();
            unique.dedup();
            let twice = ids.len() - unique.len();
            if !lost.is_empty() || !extra.is_empty() || twice > 0 {
                fail(format!(
                    "{name}: lost {lost:?} of those that existed, extra {extra:?}, {twice} twice"
                ));
            }
            let statuses = out.statuses(name);
            if statuses.last().map(String::as_str) != Some("COMPLETE") {
                fail(format!("{name}: statuses {statuses:?}"));
            }
            continue;
        }
        let duplicates = got.len() - ids.iter().collect::<std::collections::HashSet<_>>().len();
        if duplicates > 0 {
            fail(format!("{name}: {duplicates} records emitted twice"));
        }
        if ids != want {
            let lost: Vec<_> = want.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<_> = ids.iter().filter(|id| !want.contains(id)).collect();
            fail(format!(
                "{name}: {} records of {}; lost {lost:?}, extra {extra:?}",
                ids.len(),
                want.len()
            ));
        }
        if want.is_empty() {
            fail(format!(
                "{name}: the fake holds no records; the row proves nothing"
            ));
        }
        let statuses = out.statuses(name);
        if statuses.last().map(String::as_str) != Some("COMPLETE") {
            fail(format!("{name}: statuses {statuses:?}"));
        }
        if def.cursor_field().is_some() {
            let last = out.state_cursors(name).last().map(|c| t(c));
            let newest = newest(&server, def, end);
            if last != newest {
                fail(format!("{name}: state {last:?}, newest record {newest:?}"));
            }
        }
    }
    if row.expect.skipped.is_empty() && row.expect.failed.is_empty() && logs.contains(" ERROR ") {
        fail(format!("errors logged:\n{logs}"));
    }
    if row.expect.late {
        problems.extend(next_sync_reads_the_last_second(row, &server, &files, &out).await);
    }
    problems
}

/// Runs the next sync, a minute later, from the states `first` ended
/// with; the problems found when it does not emit the records created in
/// the last second before the first sync.
async fn next_sync_reads_the_last_second(
    row: &Row,
    server: &FakePaystack,
    files: &Files,
    first: &Output,
) -> Vec<String> {
    let last: Vec<&serde_json::Value> = STREAMS
        .iter()
        .filter_map(|d| first.states(d.name).last().copied())
        .collect();
    let state = files.state(&serde_json::to_string(&last).unwrap());
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog = files.catalog(&every_stream("incremental"));
    let mut settings = fake_settings(server.uri(), 10, 4);
    settings.now = Some(now() + TimeDelta::minutes(1));
    let out = run(read_cmd(&config, &catalog, Some(&state)), &settings).await;
    let mut problems = Vec::new();
    if out.code != 0 {
        problems.push(format!("{}: the next sync exits {}", row.name, out.code));
    }
    for def in STREAMS.iter().filter(|d| d.cursor_field().is_some()) {
        let late = server.ids(def.name, now() - TimeDelta::seconds(1), now());
        let ids = out.record_ids(def.name);
        let missing: Vec<_> = late.iter().filter(|id| !ids.contains(id)).collect();
        if late.is_empty() || !missing.is_empty() {
            problems.push(format!(
                "{}: the next sync misses {missing:?} of the last second's {} records of {}",
                row.name,
                late.len(),
                def.name
            ));
        }
    }
    problems
}

#[tokio::test]
async fn every_stream_under_every_reading_of_paystack() {
    let started = Instant::now();
    let rows = rows();
    let mut problems = Vec::new();
    for row in &rows {
        let t0 = Instant::now();
        problems.extend(check(row).await);
        eprintln!("matrix row {:?}: {:.2?}", row.name, t0.elapsed());
    }
    eprintln!(
        "matrix: {} rows, {} streams each, in {:.2?}",
        rows.len(),
        STREAMS.len(),
        started.elapsed()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn the_matrix_data_has_ties_at_both_ends_of_the_window() {
    let server = server(&row("default", |_| {})).await;
    for def in STREAMS.iter().filter(|d| d.parent.is_none()) {
        let ids = server.all_ids(def.name);
        let seconds: std::collections::BTreeSet<_> = ids
            .iter()
            .map(|id| server.created_at(def.name, *id).unwrap())
            .collect();
        assert!(
            seconds.len() < ids.len() / 2 + 1,
            "{}: two or more a second",
            def.name
        );
        let first = server.ids(def.name, t(START), t(START) + TimeDelta::seconds(1));
        assert!(first.len() >= 2, "{}: two or more at start_date", def.name);
        let last = server.ids(def.name, now() - TimeDelta::seconds(1), now());
        assert_eq!(
            last.len() as u64,
            LAST_SECOND,
            "{}: the last second",
            def.name
        );
    }
}
