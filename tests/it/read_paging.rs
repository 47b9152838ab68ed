//! `read`: the requests of an offset list, slice boundaries, lists without
//! `meta`, the end of the window, statuses, and lists that claim too many
//! pages.

use std::collections::HashSet;

use serde_json::Value;
use source_paystack::{STREAMS, Tuning};

use crate::support::*;

#[tokio::test]
async fn pages_are_requested_exactly_until_the_page_count() {
    let def = an_offset_stream_with_a_total();
    for concurrency in [1, 4] {
        let server = fake_list(def.name, 5, t("2024-02-01T00:00:00Z"), days(1)).await;
        let files = Files::new();
        let s = fake_settings(server.uri(), 2, concurrency);
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[(def.name, "incremental")]),
            None,
        );
        let out = run(cmd, &s).await;
        assert_eq!(out.code, 0, "{}", out.text);
        let mut reqs = queries(&server, def.path);
        reqs.sort_by_key(|r| param(r, "page").map(str::to_owned));
        let expected: Vec<Vec<(String, String)>> = (1..=3)
            .map(|page| {
                vec![
                    ("perPage".into(), "2".into()),
                    ("page".into(), page.to_string()),
                    ("from".into(), "2023-12-31T23:59:59.000Z".into()),
                    ("to".into(), "2024-06-01T11:59:59.999Z".into()),
                ]
            })
            .collect();
        assert_eq!(reqs, expected, "concurrency {concurrency}");
        assert_eq!(out.record_ids(def.name), server.all_ids(def.name));
    }
}

/// Every combination of inclusive/exclusive `from` and `to`, with records on
/// every slice boundary, read one request or three at a time: each record
/// comes out exactly once.
#[tokio::test]
async fn boundary_records_are_emitted_exactly_once_whatever_the_inclusivity() {
    let def = an_offset_stream_with_a_total();
    for (from_inclusive, to_inclusive) in
        [(true, true), (true, false), (false, true), (false, false)]
    {
        for concurrency in [1, 3] {
            // Two records every second (ties on the creation time), so
            // every whole-second slice boundary has records on it.
            let server = fake_with(|o| {
                o.records = [(def.name, 120)].into();
                o.start = t("2024-06-01T11:58:00Z");
                o.end = t("2024-06-01T11:59:00Z");
                o.behaviour.from_inclusive = from_inclusive;
                o.behaviour.to_inclusive = to_inclusive;
            })
            .await;
            let files = Files::new();
            let mut s = fake_settings(server.uri(), 2, concurrency);
            s.tuning = Tuning {
                per_page: 2,
                max_pages_per_slice: 4,
            };
            let config = files.config(serde_json::json!({
                "secret_key": KEY, "start_date": "2024-06-01T11:58:00Z"
            }));
            let cmd = read_cmd(&config, &files.catalog(&[(def.name, "full_refresh")]), None);
            let out = run(cmd, &s).await;
            assert_eq!(out.code, 0, "{}", out.text);
            let ids: Vec<u64> = out
                .records(def.name)
                .iter()
                .map(|r| r["id"].as_u64().unwrap())
                .collect();
            let unique: HashSet<u64> = ids.iter().copied().collect();
            let label = format!(
                "from_inclusive={from_inclusive} to_inclusive={to_inclusive} concurrency={concurrency}"
            );
            assert_eq!(unique.len(), 120, "{label}: every record");
            assert_eq!(ids.len(), 120, "{label}: no duplicates");
            let froms: HashSet<String> = queries(&server, def.path)
                .iter()
                .filter_map(|r| param(r, "from").map(str::to_owned))
                .collect();
            assert!(
                froms.len() >= 10,
                "{label}: the window was really sliced ({} slices)",
                froms.len()
            );
        }
    }
}

#[tokio::test]
async fn without_meta_pages_are_read_until_an_empty_one() {
    let def = an_offset_stream_with_a_total();
    let server = fake_with(|o| {
        o.records = [(def.name, 7)].into();
        o.start = t("2024-02-01T00:00:00Z");
        o.end = t("2024-02-08T00:00:00Z");
        o.behaviour.omit_meta = true;
    })
    .await;
    let files = Files::new();
    let s = fake_settings(server.uri(), 3, 4);
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[(def.name, "incremental")]),
        None,
    );
    let out = run(cmd, &s).await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(out.record_ids(def.name), server.all_ids(def.name));
    let pages: Vec<String> = queries(&server, def.path)
        .iter()
        .map(|r| param(r, "page").unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        pages,
        ["1", "2", "3", "4"],
        "page 3 is short, page 4 is empty"
    );
}

#[tokio::test]
async fn records_created_today_are_read_and_later_ones_wait_for_the_next_sync() {
    let def = an_offset_stream_with_a_total();
    let server = fake_with(|_| {}).await;
    let mut today = server.insert_at(def.name, t("2024-06-01T00:00:01Z"), 1);
    today.extend(server.insert_at(def.name, t("2024-06-01T11:59:59Z"), 1));
    // Created after the sync started.
    server.insert_at(def.name, t("2024-06-01T12:00:01Z"), 1);
    let files = Files::new();
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[(def.name, "incremental")]),
        None,
    );
    let out = run(cmd, &fake_settings(server.uri(), 200, 1)).await;
    assert_eq!(out.record_ids(def.name), today);
    assert_eq!(out.state_cursors(def.name), ["2024-06-01T11:59:59.000Z"]);
}

#[tokio::test]
async fn every_stream_reports_started_running_complete_in_order() {
    let server = fake_with(|o| {
        o.records = [(an_offset_stream_with_a_total().name, 3)].into();
    })
    .await;
    let def = an_offset_stream_with_a_total();
    let files = Files::new();
    let streams = every_stream("full_refresh");
    let out = run(
        read_cmd(&files.default_config(0), &files.catalog(&streams), None),
        &fake_settings(server.uri(), 200, 1),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    for d in STREAMS {
        assert_eq!(
            out.statuses(d.name),
            ["STARTED", "RUNNING", "COMPLETE"],
            "{}",
            d.name
        );
        assert!(
            !out.states(d.name).is_empty(),
            "{} emits a state even in full refresh",
            d.name
        );
    }
    // Records of a stream come between its RUNNING and its COMPLETE.
    let pos = |pred: &dyn Fn(&Value) -> bool| out.messages.iter().position(pred).unwrap();
    let running = pos(&|m| {
        m["trace"]["stream_status"]["status"] == "RUNNING"
            && m["trace"]["stream_status"]["stream_descriptor"]["name"] == def.name
    });
    let first_record = pos(&|m| m["type"] == "RECORD");
    let complete = pos(&|m| {
        m["trace"]["stream_status"]["status"] == "COMPLETE"
            && m["trace"]["stream_status"]["stream_descriptor"]["name"] == def.name
    });
    assert!(running < first_record && first_record < complete);
    // An ESTIMATE from meta.total comes early.
    let estimate = out
        .messages
        .iter()
        .find(|m| m["trace"]["type"] == "ESTIMATE" && m["trace"]["estimate"]["name"] == def.name)
        .unwrap();
    assert_eq!(estimate["trace"]["estimate"]["row_estimate"], 3);
}

/// A window whose first page claims more pages than one list may hold
/// (100,000) is split like any dense window, and read whole: here the first
/// page of the whole window overstates its count (the split slices answer
/// truly), at 99,000 pages, just over the limit, and far over it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_claiming_more_than_100000_pages_is_split_first() {
    use fake_paystack::{FakePaystack, Fault, FaultRule, Options};
    let def = an_offset_stream_with_a_total();
    for pages in [99_000u64, 100_001, 400_000] {
        let server = FakePaystack::start(Options {
            keys: vec![KEY.to_owned()],
            records: [(def.name, 300)].into(),
            start: t("2024-01-01T00:00:00Z"),
            end: t("2024-05-01T00:00:00Z"),
            ..Options::default()
        })
        .await
        .unwrap();
        let extra = i64::try_from(pages * 25 - 300).unwrap();
        server.push_fault(FaultRule::nth_on(def.path, 1, Fault::WrongTotal(extra)));
        let files = Files::new();
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[(def.name, "incremental")]),
            None,
        );
        let mut s = fake_settings(server.uri(), 25, 4);
        s.tuning = Tuning {
            per_page: 25,
            max_pages_per_slice: 60_000,
        };
        let out = run(cmd, &s).await;
        assert_eq!(out.code, 0, "{pages}: {}", out.text);
        let mut got = out.record_ids(def.name);
        got.sort_unstable();
        let want = server.ids(def.name, t("2024-01-01T00:00:00Z"), now());
        assert_eq!(got, want, "{pages}: every record, once");
        let requests = server.stats().requests;
        assert!(
            requests < 40,
            "{pages}: split in a few slices, {requests} requests"
        );
    }
}

/// A slice of one second that claims more than 100,000 pages cannot be
/// split: the stream fails on its first page, saying what to do. The fake
/// holds 2.6 million records of an offset list created in one second (25 a page: 104,000
/// pages); the window is that second, or three seconds around it, cut into
/// one-second slices first (the first of which, asking up to the dense
/// second with an inclusive `to`, is refused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_claiming_more_than_100000_pages_fails_saying_what_to_do() {
    use fake_paystack::{FakePaystack, Options};
    let def = an_offset_stream_with_a_total();
    let server = FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: [(def.name, 2_600_000)].into(),
        start: t("2024-03-01T10:00:00Z"),
        end: t("2024-03-01T10:00:01Z"),
        ..Options::default()
    })
    .await
    .unwrap();
    let cases = [
        (
            ("2024-03-01T10:00:00Z", "2024-03-01T10:00:01Z"),
            "?from=2024-03-01T09:59:59.000Z&to=2024-03-01T10:00:01.000Z",
            "set end_date to 2024-03-01T10:00:00.000Z",
            1,
        ),
        (
            ("2024-03-01T09:59:59Z", "2024-03-01T10:00:02Z"),
            "?from=2024-03-01T09:59:58.000Z&to=2024-03-01T10:00:00.000Z",
            "set end_date to 2024-03-01T09:59:59.000Z",
            2,
        ),
    ];
    for ((start, end), query, end_date, requests) in cases {
        server.reset_stats();
        let files = Files::new();
        let config = files.config(serde_json::json!({
            "secret_key": KEY, "start_date": start, "end_date": end,
        }));
        let cmd = read_cmd(&config, &files.catalog(&[(def.name, "incremental")]), None);
        let out = run(cmd, &fake_settings(server.uri(), 25, 1)).await;
        assert_eq!(out.code, 1, "{start}");
        let e = out.errors()[0];
        assert_eq!(e["failure_type"], "system_error", "{e}");
        let message = e["message"].as_str().unwrap();
        let claim = "claims 104000 pages (2600000 records) in a slice of 1 s, which is not split \
                     further: more than the 100000 pages the connector reads from one list";
        let request = format!("GET {}{query}", def.path);
        for needle in [request.as_str(), claim, end_date] {
            assert!(message.contains(needle), "{start}: {message}");
        }
        assert!(out.record_ids(def.name).is_empty());
        let sent = server.stats().requests;
        assert_eq!(sent, requests, "{start}: refused on its first page");
    }
}
