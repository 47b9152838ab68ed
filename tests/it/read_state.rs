//! `read`: input state in every shape, the lookback window, and the states
//! the connector emits (order, counts, never backward, never ahead of the
//! records).

use fake_paystack::FakePaystack;
use serde_json::{Value, json};
use source_paystack::{StreamDef, Tuning};

use crate::support::*;

/// The `from` of the first request to `endpoint`.
fn first_from(server: &FakePaystack, endpoint: &str) -> Option<String> {
    queries(server, endpoint)
        .first()
        .and_then(|r| param(r, "from").map(str::to_owned))
}

/// A state holding `cursor` for `def`, in the legacy shape.
fn state_of(def: &StreamDef, cursor: &str) -> String {
    json!({def.name: {def.cursor_field().unwrap(): cursor}}).to_string()
}

#[tokio::test]
async fn the_window_starts_at_the_cursor_minus_the_lookback() {
    for (lookback, want) in [
        (0, "2024-05-09T23:59:59.000Z"),
        (3, "2024-05-06T23:59:59.000Z"),
        // Never before start_date (2024-01-01).
        (400, "2023-12-31T23:59:59.000Z"),
    ] {
        let def = an_offset_stream_with_a_total();
        let server = fake_with(|_| {}).await;
        let files = Files::new();
        let state = files.state(&state_of(def, "2024-05-10T00:00:00.000Z"));
        let cmd = read_cmd(
            &files.default_config(lookback),
            &files.catalog(&[(def.name, "incremental")]),
            Some(&state),
        );
        let out = run(cmd, &settings(&server, 1)).await;
        assert_eq!(out.code, 0, "{}", out.text);
        assert_eq!(
            first_from(&server, def.path).as_deref(),
            Some(want),
            "lookback {lookback}"
        );
    }
}

#[tokio::test]
async fn every_input_state_shape_resumes_from_its_cursor() {
    let shapes = [
        // Per-stream array, as Airbyte passes it (and Airbyte's own connector
        // writes it, with six fractional digits).
        r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"invoices"},"stream_state":{"created_at":"2024-04-01T08:30:00.000000Z"}}}]"#,
        r#"[{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"invoices"},"stream_state":{"created_at":"2024-04-01T08:30:00Z"}}]}}]"#,
        r#"[{"type":"LEGACY","data":{"invoices":{"created_at":"2024-04-01T08:30:00.000Z"}}}]"#,
        r#"{"invoices":{"created_at":"2024-04-01T08:30:00Z"}}"#,
    ];
    for shape in shapes {
        let server = fake_with(|_| {}).await;
        let files = Files::new();
        let state = files.state(shape);
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[("invoices", "incremental")]),
            Some(&state),
        );
        let out = run(cmd, &settings(&server, 1)).await;
        assert_eq!(out.code, 0, "{shape}: {}", out.text);
        assert_eq!(
            first_from(&server, "/paymentrequest").as_deref(),
            Some("2024-04-01T08:29:59.000Z"),
            "{shape}"
        );
        assert_eq!(
            out.state_cursors("invoices"),
            ["2024-04-01T08:30:00.000Z"],
            "{shape}"
        );
    }
    for empty in ["", "[]", "{}"] {
        let server = fake_with(|_| {}).await;
        let files = Files::new();
        let state = files.state(empty);
        let cmd = read_cmd(
            &files.default_config(0),
            &files.catalog(&[("invoices", "incremental")]),
            Some(&state),
        );
        let out = run(cmd, &settings(&server, 1)).await;
        assert_eq!(out.code, 0, "{empty:?}");
        assert_eq!(
            first_from(&server, "/paymentrequest").as_deref(),
            Some("2023-12-31T23:59:59.000Z"),
            "{empty:?}: from start_date"
        );
    }
}

#[tokio::test]
async fn a_state_written_by_airbytes_connector_resumes_without_rereading_history() {
    let def = an_offset_stream_with_a_total();
    // Record i is created on 2024-01-02 + 3i days: the 39th on 2024-04-25,
    // the 40th on 2024-04-28, the only one after the cursor.
    let server = fake_list(def.name, 40, t("2024-01-02T00:00:00Z"), days(3)).await;
    let files = Files::new();
    // Airbyte's low-code connector writes %Y-%m-%dT%H:%M:%S.%fZ.
    let state = json!([{"type": "STREAM", "stream": {
        "stream_descriptor": {"name": def.name},
        "stream_state": {def.cursor_field().unwrap(): "2024-04-26T00:00:00.000000Z"},
    }}]);
    let state = files.state(&state.to_string());
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[(def.name, "incremental")]),
        Some(&state),
    );
    let out = run(cmd, &settings(&server, 1)).await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(
        out.record_ids(def.name),
        server.all_ids(def.name)[39..],
        "only records at or after the cursor"
    );
    assert_eq!(out.state_cursors(def.name), ["2024-04-28T00:00:00.000Z"]);
}

#[tokio::test]
async fn a_far_future_state_yields_no_records_and_one_state() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let state = files.write(
        "abnormal.json",
        include_str!("../../integration_tests/abnormal_state.json"),
    );
    let streams: Vec<(&str, &str)> = core("incremental");
    let cmd = read_cmd(
        &files.default_config(5),
        &files.catalog(&streams),
        Some(&state),
    );
    let out = run(cmd, &settings(&server, 2)).await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert!(out.of_type("RECORD").is_empty());
    assert_eq!(server.stats().requests, 0, "nothing to ask for");
    for (name, _) in streams {
        assert_eq!(
            out.state_cursors(name),
            ["2099-01-01T00:00:00.000Z"],
            "{name}"
        );
        assert_eq!(out.statuses(name), ["STARTED", "COMPLETE"], "{name}");
    }
}

#[tokio::test]
async fn full_refresh_ignores_the_state_but_never_moves_it_back() {
    let def = an_offset_stream_with_a_total();
    let server = fake_list(def.name, 4, t("2024-02-01T00:00:00Z"), days(1)).await;
    let files = Files::new();
    let state = files.state(&state_of(def, "2024-05-01T00:00:00Z"));
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[(def.name, "full_refresh")]),
        Some(&state),
    );
    let out = run(cmd, &settings(&server, 1)).await;
    assert_eq!(out.record_ids(def.name), server.all_ids(def.name));
    assert_eq!(out.state_cursors(def.name), ["2024-05-01T00:00:00.000Z"]);
}

#[tokio::test]
async fn an_empty_stream_without_state_checkpoints_at_start_date() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let cmd = read_cmd(
        &files.default_config(0),
        &files.catalog(&[("disputes", "incremental")]),
        None,
    );
    let out = run(cmd, &settings(&server, 1)).await;
    assert_eq!(out.state_cursors("disputes"), ["2024-01-01T00:00:00.000Z"]);
    assert_eq!(
        out.states("disputes")[0]["sourceStats"]["recordCount"],
        json!(0.0)
    );
}

/// Many slices, read with several requests at once: states go up, never
/// repeat, count exactly the records between them, and a state is only
/// emitted once every record created before its cursor is out.
#[tokio::test]
async fn states_only_move_forward_and_only_after_every_earlier_record() {
    for concurrency in [1, 4] {
        let def = an_offset_stream_with_a_total();
        // 300 records over 25 days, one every two hours; answers take
        // 0-20 ms, so slices complete out of order.
        let server = fake_with(|o| {
            o.records = [(def.name, 300)].into();
            o.start = t("2024-05-01T00:00:00Z");
            o.end = t("2024-05-26T00:00:00Z");
            o.latency_jitter = std::time::Duration::from_millis(20);
        })
        .await;
        let all: Vec<(u64, String)> = server
            .all_ids(def.name)
            .into_iter()
            .map(|id| (id, fmt(server.created_at(def.name, id).unwrap())))
            .collect();
        let field = def.cursor_field().unwrap();
        let files = Files::new();
        let mut s = settings(&server, concurrency);
        s.tuning = Tuning {
            per_page: 5,
            max_pages_per_slice: 4,
        };
        let config = files.config(json!({"secret_key": KEY, "start_date": "2024-05-01T00:00:00Z"}));
        let cmd = read_cmd(&config, &files.catalog(&[(def.name, "incremental")]), None);
        let out = run(cmd, &s).await;
        assert_eq!(out.code, 0, "{}", out.text);
        assert_eq!(out.record_ids(def.name), server.all_ids(def.name));

        let mut seen_ids = std::collections::HashSet::new();
        let mut since_state = 0u64;
        let mut last: Option<String> = None;
        let mut states = 0;
        for m in &out.messages {
            match m["type"].as_str() {
                Some("RECORD") => {
                    seen_ids.insert(m["record"]["data"]["id"].as_u64().unwrap());
                    since_state += 1;
                }
                Some("STATE") => {
                    states += 1;
                    let cursor = m["state"]["stream"]["stream_state"][field]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    if let Some(prev) = &last {
                        assert!(
                            cursor > *prev,
                            "c={concurrency}: state moved from {prev} to {cursor}"
                        );
                    }
                    let count = m["state"]["sourceStats"]["recordCount"].as_f64().unwrap();
                    assert_eq!(
                        count as u64, since_state,
                        "c={concurrency}: recordCount counts records since the last state"
                    );
                    since_state = 0;
                    // Every record created before the cursor is already out.
                    for (id, created) in &all {
                        if created.as_str() < cursor.as_str() {
                            assert!(
                                seen_ids.contains(id),
                                "c={concurrency}: state {cursor} before record {id}"
                            );
                        }
                    }
                    last = Some(cursor);
                }
                _ => {}
            }
        }
        assert!(
            states > 5,
            "c={concurrency}: a state after each completed slice, got {states}"
        );
        let newest = all
            .iter()
            .map(|(_, created)| created.as_str())
            .max()
            .unwrap();
        assert_eq!(
            last.as_deref(),
            Some(newest),
            "the final state is the newest record"
        );
    }
}

#[tokio::test]
async fn a_second_incremental_read_from_the_final_state_only_rereads_the_lookback() {
    let def = an_offset_stream_with_a_total();
    let server = fake_list(def.name, 30, t("2024-05-01T00:00:00Z"), days(1)).await;
    let files = Files::new();
    let catalog = files.catalog(&[(def.name, "incremental")]);
    let config = files.default_config(2);
    let first = run(read_cmd(&config, &catalog, None), &settings(&server, 1)).await;
    assert_eq!(first.record_ids(def.name), server.all_ids(def.name));
    let final_state: Value = first.of_type("STATE").last().unwrap()["state"].clone();
    let state = files.state(&json!([final_state]).to_string());
    let second = run(
        read_cmd(&config, &catalog, Some(&state)),
        &settings(&server, 1),
    )
    .await;
    // Newest record: 2024-05-30; a two-day lookback re-reads 05-28..05-30.
    assert_eq!(second.record_ids(def.name), server.all_ids(def.name)[27..]);
    assert_eq!(second.state_cursors(def.name), ["2024-05-30T00:00:00.000Z"]);
}

/// `stream_lookback_days`: each stream reads back as far as its own
/// lookback; a stream not named, `lookback_window_days`; a child stream, its
/// parent's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_stream_reads_back_as_far_as_its_own_lookback() {
    let streams = ["customers", "disputes", "transactions", "settlements"];
    let server = fake_paystack::FakePaystack::start(fake_paystack::Options {
        keys: vec![KEY.to_owned()],
        records: streams.iter().map(|s| (*s, 400)).collect(),
        start: t("2024-01-01T00:00:00Z"),
        end: t("2024-05-01T00:00:00Z"),
        ..fake_paystack::Options::default()
    })
    .await
    .unwrap();
    let files = Files::new();
    let config = files.config(json!({
        "secret_key": KEY,
        "start_date": "2024-01-01T00:00:00Z",
        "lookback_window_days": 1,
        "stream_lookback_days": {"disputes": 30, "transactions": 2, "settlements": 5},
    }));
    let read = [
        "customers",
        "disputes",
        "transactions",
        "settlement_transactions",
    ];
    let catalog: Vec<(&str, &str)> = read.iter().map(|s| (*s, "incremental")).collect();
    let cursor = "2024-04-20T00:00:00.000Z";
    let state: Vec<Value> = read
        .iter()
        .map(|s| {
            json!({"type": "STREAM", "stream": {
                "stream_descriptor": {"name": s},
                "stream_state": {def(s).cursor_field().unwrap(): cursor},
            }})
        })
        .collect();
    let state = files.state(&Value::Array(state).to_string());
    let cmd = read_cmd(&config, &files.catalog(&catalog), Some(&state));
    let out = run(cmd, &fake_settings(server.uri(), 50, 4)).await;
    assert_eq!(out.code, 0, "{}", out.text);
    for (stream, days_back) in [
        ("customers", 1),
        ("disputes", 30),
        ("transactions", 2),
        ("settlement_transactions", 5),
    ] {
        let from = t(cursor) - days(days_back);
        let mut want = server.ids(stream, from, now());
        want.sort_unstable();
        assert!(!want.is_empty(), "{stream}: records in its lookback");
        assert_eq!(
            out.record_ids(stream),
            want,
            "{stream}: {days_back} days back"
        );
    }
}

/// A read of the binary from `state`, with `extra` config fields: its
/// stdout messages and the INFO lines of its stderr that name Airbyte's
/// 31 days.
async fn read_from_state(
    server: &FakePaystack,
    state: &str,
    extra: Value,
) -> (Output, Vec<String>) {
    let files = Files::new();
    let mut config = json!({
        "secret_key": KEY,
        "start_date": "2024-01-01T00:00:00Z",
        "requests_per_minute": 100000,
    });
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (config, catalog) = (
        files.config(config),
        files.catalog(&[("customers", "incremental"), ("invoices", "incremental")]),
    );
    let state = files.state(state);
    let (output, stderr) = read_binary_from(server.uri(), config, catalog, state, Vec::new()).await;
    assert_eq!(output.code, 0, "{stderr}");
    let notices = stderr
        .lines()
        .filter(|l| l.contains("31 days"))
        .map(str::to_owned)
        .collect();
    (output, notices)
}

/// A switcher's first read resumes a state written by Airbyte's low-code
/// connector (six fractional digits) with no lookback: one INFO line says
/// that Airbyte's connector re-read 31 days and how to keep that. The next
/// read, from the states this connector wrote, and a read with a lookback
/// set, say nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_switchers_first_read_says_airbytes_31_day_reread_is_gone() {
    let server = fake_paystack(50).await;
    let airbyte = r#"[{"type":"STREAM","stream":{"stream_descriptor":{"name":"customers"},"stream_state":{"createdAt":"2024-02-01T00:00:00.000000Z"}}},
        {"type":"STREAM","stream":{"stream_descriptor":{"name":"invoices"},"stream_state":{"created_at":"2024-02-01T00:00:00.000000Z"}}}]"#;
    let (out, notices) = read_from_state(&server, airbyte, json!({})).await;
    assert_eq!(notices.len(), 1, "{notices:#?}");
    let notice = &notices[0];
    for fact in [
        " INFO ",
        "The state of customers, invoices was written by Airbyte's source-paystack",
        "re-read the last 31 days before the cursor on every sync",
        r#"set "lookback_window_days": 31"#,
    ] {
        assert!(notice.contains(fact), "{fact}: {notice}");
    }
    assert!(!notice.contains(KEY), "{notice}");

    // The states this connector wrote (three digits): no notice.
    let ours: Vec<Value> = ["customers", "invoices"]
        .iter()
        .map(|s| (*out.states(s).last().unwrap()).clone())
        .collect();
    assert_eq!(ours.len(), 2);
    let (_, notices) = read_from_state(&server, &Value::from(ours).to_string(), json!({})).await;
    assert_eq!(notices, Vec::<String>::new());

    // A lookback set: no notice.
    let (_, notices) = read_from_state(&server, airbyte, json!({"lookback_window_days": 31})).await;
    assert_eq!(notices, Vec::<String>::new());
}
