//! `read`: pagination, slices, boundaries, record pass-through, statuses.

use std::collections::HashSet;

use serde_json::Value;
use source_paystack::Tuning;
use wiremock::MockServer;

use crate::support::*;

fn q<'a>(req: &'a [(String, String)], key: &str) -> &'a str {
    req.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[tokio::test]
async fn pages_are_requested_exactly_until_the_page_count() {
    for concurrency in [1, 4] {
        let server = MockServer::start().await;
        let recs = records("customers", 5, t("2024-02-01T00:00:00Z"), days(1), 100);
        mount_list(
            &server,
            "customers",
            PaystackList::new("customers", recs, Behaviour::default()),
        )
        .await;
        let files = Files::new();
        let mut s = settings(&server, concurrency);
        s.tuning.per_page = 2;
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[("customers", "incremental")]),
            None,
        );
        let out = run(cmd, &s).await;
        assert_eq!(out.code, 0, "{}", out.text);
        let mut reqs = requests_to(&server, "/customer").await;
        reqs.sort_by_key(|r| q(r, "page").to_owned());
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
        assert_eq!(out.record_ids("customers"), (100..105).collect::<Vec<_>>());
    }
}

/// Every combination of inclusive/exclusive `from` and `to`, with records on
/// every slice boundary: each record comes out exactly once.
#[tokio::test]
async fn boundary_records_are_emitted_exactly_once_whatever_the_inclusivity() {
    for (from_inclusive, to_inclusive) in
        [(true, true), (true, false), (false, true), (false, false)]
    {
        for concurrency in [1, 3] {
            let server = MockServer::start().await;
            // Two records every second (ties on createdAt), so every
            // whole-second slice boundary has records on it.
            let recs: Vec<Value> = (0..120u64)
                .map(|i| {
                    record(
                        "transactions",
                        1_000 + i,
                        t("2024-06-01T11:58:00Z") + chrono::TimeDelta::seconds((i / 2) as i64),
                    )
                })
                .collect();
            let behaviour = Behaviour {
                from_inclusive,
                to_inclusive,
                ..Behaviour::default()
            };
            mount_list(
                &server,
                "transactions",
                PaystackList::new("transactions", recs, behaviour),
            )
            .await;
            let files = Files::new();
            let mut s = settings(&server, concurrency);
            s.tuning = Tuning {
                per_page: 2,
                max_pages_per_slice: 4,
            };
            let config = files.config(serde_json::json!({
                "secret_key": KEY, "start_date": "2024-06-01T11:58:00Z"
            }));
            let cmd = read_cmd(
                &config,
                &files.catalog(&[("transactions", "full_refresh")]),
                None,
            );
            let out = run(cmd, &s).await;
            assert_eq!(out.code, 0, "{}", out.text);
            let ids: Vec<u64> = out
                .records("transactions")
                .iter()
                .map(|r| r["id"].as_u64().unwrap())
                .collect();
            let unique: HashSet<u64> = ids.iter().copied().collect();
            let label = format!(
                "from_inclusive={from_inclusive} to_inclusive={to_inclusive} concurrency={concurrency}"
            );
            assert_eq!(unique.len(), 120, "{label}: every record");
            assert_eq!(ids.len(), 120, "{label}: no duplicates");
            let froms: HashSet<String> = requests_to(&server, "/transaction")
                .await
                .iter()
                .map(|r| q(r, "from").to_owned())
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
async fn a_capped_page_size_loses_nothing() {
    for page_count_from_requested in [false, true] {
        let server = MockServer::start().await;
        let recs = records("refunds", 23, t("2024-02-01T00:00:00Z"), days(1), 1);
        let behaviour = Behaviour {
            max_per_page: Some(3),
            page_count_from_requested,
            per_page_as_string: true,
            ..Behaviour::default()
        };
        mount_list(
            &server,
            "refunds",
            PaystackList::new("refunds", recs, behaviour),
        )
        .await;
        let files = Files::new();
        let mut s = settings(&server, 2);
        s.tuning.per_page = 10;
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[("refunds", "incremental")]),
            None,
        );
        let out = run(cmd, &s).await;
        assert_eq!(out.code, 0, "{}", out.text);
        assert_eq!(
            out.record_ids("refunds"),
            (1..=23).collect::<Vec<_>>(),
            "page_count_from_requested={page_count_from_requested}"
        );
    }
}

#[tokio::test]
async fn without_meta_pages_are_read_until_an_empty_one() {
    let server = MockServer::start().await;
    let recs = records("settlements", 7, t("2024-02-01T00:00:00Z"), days(1), 1);
    let behaviour = Behaviour {
        omit_meta: true,
        ..Behaviour::default()
    };
    mount_list(
        &server,
        "settlements",
        PaystackList::new("settlements", recs, behaviour),
    )
    .await;
    let files = Files::new();
    let mut s = settings(&server, 4);
    s.tuning.per_page = 3;
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[("settlements", "incremental")]),
        None,
    );
    let out = run(cmd, &s).await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(out.record_ids("settlements"), (1..=7).collect::<Vec<_>>());
    let pages: Vec<String> = requests_to(&server, "/settlement")
        .await
        .iter()
        .map(|r| q(r, "page").to_owned())
        .collect();
    assert_eq!(
        pages,
        ["1", "2", "3", "4"],
        "page 3 is short, page 4 is empty"
    );
}

#[tokio::test]
async fn records_created_today_are_read_and_later_ones_wait_for_the_next_sync() {
    let server = MockServer::start().await;
    let recs = vec![
        record("invoices", 1, t("2024-06-01T00:00:01Z")),
        record("invoices", 2, t("2024-06-01T11:59:59Z")),
        // Created after the sync started.
        record("invoices", 3, t("2024-06-01T12:00:01Z")),
    ];
    mount_list(
        &server,
        "invoices",
        PaystackList::new("invoices", recs, Behaviour::default()),
    )
    .await;
    let files = Files::new();
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[("invoices", "incremental")]),
        None,
    );
    let out = run(cmd, &settings(&server, 1)).await;
    assert_eq!(out.record_ids("invoices"), [1, 2]);
    assert_eq!(out.state_cursors("invoices"), ["2024-06-01T11:59:59.000Z"]);
}

#[tokio::test]
async fn records_pass_through_unchanged_and_match_their_schemas() {
    let server = MockServer::start().await;
    let mut all = std::collections::HashMap::new();
    for (n, def) in core_streams().map(def).enumerate() {
        let recs = records(
            def.name,
            6,
            t("2024-02-01T00:00:00Z"),
            days(3),
            10 * n as u64 + 1,
        );
        all.insert(def.name, recs.clone());
        mount_list(
            &server,
            def.name,
            PaystackList::new(def.name, recs, Behaviour::default()),
        )
        .await;
    }
    let files = Files::new();
    let streams = core("incremental");
    let out = run(
        read_cmd(&files.default_config(0), &files.catalog(&streams), None),
        &settings(&server, 3),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_records_match_schemas(&out);
    for def in core_streams().map(def) {
        let mut got: Vec<Value> = out.records(def.name).into_iter().cloned().collect();
        let mut want = all[def.name].clone();
        got.sort_by_key(|r| r["id"].as_u64());
        want.sort_by_key(|r| r["id"].as_u64());
        assert_eq!(got, want, "{} records are passed through as sent", def.name);
    }
    for m in out.of_type("RECORD") {
        let at = m["record"]["emitted_at"].as_i64().unwrap();
        assert!(
            at > 1_600_000_000_000,
            "emitted_at is in milliseconds: {at}"
        );
    }
}

#[tokio::test]
async fn every_stream_reports_started_running_complete_in_order() {
    let server = MockServer::start().await;
    mount_empty_lists(&server, &["customers"]).await;
    let recs = records("customers", 3, t("2024-02-01T00:00:00Z"), days(1), 1);
    mount_list(
        &server,
        "customers",
        PaystackList::new("customers", recs, Behaviour::default()),
    )
    .await;
    let files = Files::new();
    let streams = core("full_refresh");
    let out = run(
        read_cmd(&files.default_config(0), &files.catalog(&streams), None),
        &settings(&server, 1),
    )
    .await;
    assert_eq!(out.code, 0);
    for def in core_streams().map(def) {
        assert_eq!(
            out.statuses(def.name),
            ["STARTED", "RUNNING", "COMPLETE"],
            "{}",
            def.name
        );
        assert!(
            !out.states(def.name).is_empty(),
            "{} emits a state even in full refresh",
            def.name
        );
    }
    // Records of a stream come between its RUNNING and its COMPLETE.
    let pos = |pred: &dyn Fn(&Value) -> bool| out.messages.iter().position(pred).unwrap();
    let running = pos(&|m| {
        m["trace"]["stream_status"]["status"] == "RUNNING"
            && m["trace"]["stream_status"]["stream_descriptor"]["name"] == "customers"
    });
    let first_record = pos(&|m| m["type"] == "RECORD");
    let complete = pos(&|m| {
        m["trace"]["stream_status"]["status"] == "COMPLETE"
            && m["trace"]["stream_status"]["stream_descriptor"]["name"] == "customers"
    });
    assert!(running < first_record && first_record < complete);
    // An ESTIMATE from meta.total comes early.
    let estimate = out
        .messages
        .iter()
        .find(|m| m["trace"]["type"] == "ESTIMATE" && m["trace"]["estimate"]["name"] == "customers")
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
    for pages in [99_000u64, 100_001, 400_000] {
        let server = FakePaystack::start(Options {
            keys: vec![KEY.to_owned()],
            records: [("transactions", 300)].into(),
            start: t("2024-01-01T00:00:00Z"),
            end: t("2024-05-01T00:00:00Z"),
            ..Options::default()
        })
        .await
        .unwrap();
        let extra = i64::try_from(pages * 25 - 300).unwrap();
        server.push_fault(FaultRule::nth_on(
            "/transaction",
            1,
            Fault::WrongTotal(extra),
        ));
        let files = Files::new();
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[("transactions", "incremental")]),
            None,
        );
        let mut s = fake_settings(server.uri(), 25, 4);
        s.tuning = Tuning {
            per_page: 25,
            max_pages_per_slice: 60_000,
        };
        let out = run(cmd, &s).await;
        assert_eq!(out.code, 0, "{pages}: {}", out.text);
        let mut got = out.record_ids("transactions");
        got.sort_unstable();
        let want = server.ids("transactions", t("2024-01-01T00:00:00Z"), now());
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
/// holds 2.6 million transactions created in one second (25 a page: 104,000
/// pages); the window is that second, or three seconds around it, cut into
/// one-second slices first (the first of which, asking up to the dense
/// second with an inclusive `to`, is refused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_claiming_more_than_100000_pages_fails_saying_what_to_do() {
    use fake_paystack::{FakePaystack, Options};
    let server = FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: [("transactions", 2_600_000)].into(),
        start: t("2024-03-01T10:00:00Z"),
        end: t("2024-03-01T10:00:01Z"),
        ..Options::default()
    })
    .await
    .unwrap();
    let cases = [
        (
            ("2024-03-01T10:00:00Z", "2024-03-01T10:00:01Z"),
            "GET /transaction?from=2024-03-01T09:59:59.000Z&to=2024-03-01T10:00:01.000Z",
            "set end_date to 2024-03-01T10:00:00.000Z",
            1,
        ),
        (
            ("2024-03-01T09:59:59Z", "2024-03-01T10:00:02Z"),
            "GET /transaction?from=2024-03-01T09:59:58.000Z&to=2024-03-01T10:00:00.000Z",
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
        let cmd = read_cmd(
            &config,
            &files.catalog(&[("transactions", "incremental")]),
            None,
        );
        let out = run(cmd, &fake_settings(server.uri(), 25, 1)).await;
        assert_eq!(out.code, 1, "{start}");
        let e = out.errors()[0];
        assert_eq!(e["failure_type"], "system_error", "{e}");
        let message = e["message"].as_str().unwrap();
        let claim = "claims 104000 pages (2600000 records) in a slice of 1 s, which is not split \
                     further: more than the 100000 pages the connector reads from one list";
        for needle in [query, claim, end_date] {
            assert!(message.contains(needle), "{start}: {message}");
        }
        assert!(out.record_ids("transactions").is_empty());
        let sent = server.stats().requests;
        assert_eq!(sent, requests, "{start}: refused on its first page");
    }
}
