//! A business without a feature. Paystack's answer then is undocumented:
//! 400, 401, 403 or 404, each with its `{"status": false, "message"}`
//! envelope, while every other endpoint works. Each reading is a row: the
//! stream whose first request is refused is skipped (one WARN naming it,
//! no records, no state, COMPLETE), the sync exits 0 and every other stream
//! reads every record once. Every endpoint refusing is the rejected key,
//! said once; a refusal later in a list, or a child list whose parent is
//! gone, still fails its stream.

use std::collections::BTreeSet;

use fake_paystack::{ENDPOINTS, FakePaystack, Fault, FaultRule, Feature, Options, Unavailable};
use serde_json::{Value, json};
use source_paystack::cli::Command;

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";

/// A fake holding 25 records of every stream, created before 2024-05-01,
/// that refuses the endpoints in `unavailable`.
async fn fake(unavailable: Vec<Unavailable>) -> FakePaystack {
    FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        default_records: 25,
        start: t(START),
        end: t("2024-05-01T00:00:00Z"),
        unavailable,
        ..Options::default()
    })
    .await
    .unwrap()
}

/// Reads every stream with the binary (its logs are what the user sees):
/// stdout as messages, and stderr.
async fn read_every_stream(server: &FakePaystack) -> (Output, String) {
    let files = Files::new();
    let config = files.config(json!({
        "secret_key": KEY,
        "start_date": START,
        "requests_per_minute": 100000,
    }));
    let catalog = files.catalog(&every_stream("incremental"));
    read_binary(server.uri(), config, catalog, &[]).await
}

/// The streams named by a "Stream skipped" WARN line, one entry per line.
fn skip_warnings(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter(|l| l.contains(" WARN ") && l.contains("Stream skipped:"))
        .map(|l| {
            let name = l
                .split("stream=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("no stream field in {l}"));
            (name.to_owned(), l.to_owned())
        })
        .collect()
}

/// Every endpoint refuses with `status`.
fn everything(status: u16) -> Vec<Unavailable> {
    ENDPOINTS
        .iter()
        .map(|e| Unavailable::new(e.path, status))
        .collect()
}

fn ids(out: &Output, stream: &str) -> Vec<u64> {
    out.unique_ids(stream)
}

/// Each undocumented status, on streams of each paging kind: offset
/// (dedicated accounts, virtual terminals, storefronts), cursor-only
/// (`/terminal`), incremental (orders), and a parent whose child cannot be
/// read either (settlements: `settlement_transactions` lists `/settlement`
/// first, so it is skipped with it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_refused_on_its_first_request_is_skipped_and_the_sync_succeeds() {
    let rows: [(u16, Vec<Unavailable>, &[&str]); 5] = [
        (
            400,
            Unavailable::lacking(Feature::Terminal, 400),
            &["terminals", "virtual_terminals"],
        ),
        (
            401,
            vec![Unavailable::new("/dedicated_account", 401).saying("Invalid key")],
            &["dedicated_accounts"],
        ),
        (
            403,
            Unavailable::lacking(Feature::Commerce, 403),
            &["orders", "storefronts"],
        ),
        (
            404,
            vec![Unavailable::new("/settlement", 404).saying("Feature unavailable")],
            &["settlements", "settlement_transactions"],
        ),
        (
            404,
            Unavailable::lacking(Feature::Terminal, 404),
            &["terminals", "virtual_terminals"],
        ),
    ];
    for (status, unavailable, skipped) in rows {
        let message = unavailable[0].message.clone();
        let server = fake(unavailable).await;
        let (out, stderr) = read_every_stream(&server).await;
        let row = format!("{status} {skipped:?}");
        assert_eq!(out.code, 0, "{row}: {stderr}");
        assert!(out.errors().is_empty(), "{row}: {:?}", out.errors());
        let warned = skip_warnings(&stderr);
        let named: Vec<&str> = warned.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            named.iter().copied().collect::<BTreeSet<_>>(),
            skipped.iter().copied().collect::<BTreeSet<_>>(),
            "{row}: {stderr}"
        );
        assert_eq!(named.len(), skipped.len(), "{row}: one WARN each");
        for (stream, line) in &warned {
            let listed = def(stream).listed().path;
            for needle in [
                format!("GET {listed} answered HTTP {status} ({message})"),
                def(stream).feature().to_owned(),
            ] {
                assert!(line.contains(&needle), "{row}: {needle:?} not in {line}");
            }
            let accounted = format!("stream=\"{stream}\"");
            assert!(
                stderr.lines().any(|l| l
                    .contains(" INFO Stream skipped: 0 records, 0 pages, 1 request")
                    && l.ends_with(&accounted)),
                "{row}: no accounting line for {stream}"
            );
        }
        for def in source_paystack::STREAMS {
            let stream = def.name;
            if skipped.contains(&stream) {
                assert_eq!(
                    out.statuses(stream),
                    ["STARTED", "COMPLETE"],
                    "{row} {stream}"
                );
                assert!(out.records(stream).is_empty(), "{row} {stream}");
                assert!(out.states(stream).is_empty(), "{row} {stream}: no state");
            } else {
                assert_eq!(
                    out.statuses(stream),
                    ["STARTED", "RUNNING", "COMPLETE"],
                    "{row} {stream}"
                );
                assert_eq!(ids(&out, stream), server.all_ids(stream), "{row} {stream}");
                assert!(!out.states(stream).is_empty(), "{row} {stream}");
            }
        }
    }
}

/// A wrong key while the probe's endpoint cannot answer (HTTP 500): every
/// stream refused with a 401 and none read is still the rejected key, said
/// once, not one failure per stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_said_once_even_when_the_probe_gets_no_answer() {
    let server = fake(vec![]).await;
    server.push_fault(FaultRule::every_on("/transaction", Fault::Status(500)));
    let files = Files::new();
    let config =
        files.config(json!({"secret_key": "sk_test_NOTTHEKEY000000", "start_date": START}));
    let catalog = files.catalog(&[("customers", "incremental"), ("refunds", "incremental")]);
    let out = run(
        read_cmd(&config, &catalog, None),
        &fake_settings(server.uri(), 7, 1),
    )
    .await;
    assert_eq!(out.code, 1);
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["failure_type"], "config_error");
    assert!(errors[0].get("stream_descriptor").is_none());
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Paystack rejected the secret key: HTTP 401 (Invalid key)"),
        "{message}"
    );
    for name in ["customers", "refunds"] {
        assert_eq!(out.statuses(name), ["STARTED", "INCOMPLETE"], "{name}");
    }
}

/// Every endpoint refusing, whatever the status, or a key the fake does
/// not know: the rejected key, one config_error for the whole read, every
/// stream INCOMPLETE, nothing emitted and nothing skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_refusing_is_the_rejected_key_said_once() {
    let rows = [
        ("400 everywhere", everything(400), KEY),
        ("401 everywhere", everything(401), KEY),
        ("403 everywhere", everything(403), KEY),
        ("404 everywhere", everything(404), KEY),
        ("a wrong key", vec![], "sk_test_NOTTHEKEY000000"),
    ];
    for (row, unavailable, key) in rows {
        let server = fake(unavailable).await;
        let files = Files::new();
        let config = files.config(json!({"secret_key": key, "start_date": START}));
        let catalog = files.catalog(&every_stream("incremental"));
        let out = run(
            read_cmd(&config, &catalog, None),
            &fake_settings(server.uri(), 7, 4),
        )
        .await;
        assert_eq!(out.code, 1, "{row}");
        let errors = out.errors();
        assert_eq!(errors.len(), 1, "{row}: {errors:?}");
        assert_eq!(errors[0]["failure_type"], "config_error", "{row}");
        assert!(errors[0].get("stream_descriptor").is_none(), "{row}");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("Paystack rejected the secret key: HTTP ")
                && message.contains("secret_key field"),
            "{row}: {message}"
        );
        assert!(out.of_type("RECORD").is_empty(), "{row}");
        for def in source_paystack::STREAMS {
            assert_eq!(
                out.statuses(def.name),
                ["STARTED", "INCOMPLETE"],
                "{row} {}",
                def.name
            );
        }
        assert!(!out.text.contains(key), "{row}: the key leaked");
    }
}

/// A refusal after the first page is not a missing feature: a 400 there is
/// a query Paystack will not serve, and 401, 403 and 404 an endpoint that
/// answered before. The stream fails; the other stream completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_later_in_a_list_still_fails_the_stream() {
    for (status, failure_type) in [
        (400, "system_error"),
        (401, "config_error"),
        (403, "config_error"),
        (404, "config_error"),
    ] {
        let server = fake(vec![]).await;
        server.push_fault(FaultRule::nth_on("/customer", 2, Fault::Status(status)).onwards());
        let files = Files::new();
        let config = files.config(json!({"secret_key": KEY, "start_date": START}));
        let catalog = files.catalog(&[("customers", "incremental"), ("plans", "incremental")]);
        let out = run(
            read_cmd(&config, &catalog, None),
            &fake_settings(server.uri(), 7, 1),
        )
        .await;
        assert_eq!(out.code, 1, "{status}");
        assert_eq!(
            out.statuses("customers"),
            ["STARTED", "RUNNING", "INCOMPLETE"],
            "{status}"
        );
        let e = out.errors()[0];
        assert_eq!(e["stream_descriptor"]["name"], "customers", "{status}");
        assert_eq!(e["failure_type"], failure_type, "{status}: {e}");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains(&format!("HTTP {status}")),
            "{status}: {e}"
        );
        assert_eq!(
            out.statuses("plans"),
            ["STARTED", "RUNNING", "COMPLETE"],
            "{status}"
        );
        assert_eq!(ids(&out, "plans"), server.all_ids("plans"), "{status}");
    }
}

/// A settlement whose transactions answer 404 (the parent is gone, or the
/// list is closed) fails `settlement_transactions` as before: a refused
/// child list is not its stream's first request. Settlements complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_list_refused_under_its_parent_still_fails_the_child_stream() {
    let server = fake(vec![
        Unavailable::new("/settlement/{id}/transactions", 404).saying("Settlement not found"),
    ])
    .await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog = files.catalog(&[
        ("settlements", "incremental"),
        ("settlement_transactions", "incremental"),
    ]);
    let out = run(
        read_cmd(&config, &catalog, None),
        &fake_settings(server.uri(), 7, 2),
    )
    .await;
    assert_eq!(out.code, 1);
    assert_eq!(
        out.statuses("settlement_transactions"),
        ["STARTED", "RUNNING", "INCOMPLETE"]
    );
    let e = out.errors()[0];
    assert_eq!(e["stream_descriptor"]["name"], "settlement_transactions");
    assert_eq!(e["failure_type"], "config_error");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Settlement not found"),
        "{e}"
    );
    assert_eq!(
        out.statuses("settlements"),
        ["STARTED", "RUNNING", "COMPLETE"]
    );
    assert_eq!(ids(&out, "settlements"), server.all_ids("settlements"));
}

/// A skipped stream's saved state is left as it was (no STATE for it), so
/// once the feature is enabled the next sync resumes from that state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_stream_keeps_its_state_and_resumes_from_it_once_enabled() {
    let cursor = "2024-03-01T00:00:00.000Z";
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog = files.catalog(&[("orders", "incremental"), ("plans", "incremental")]);
    let state = files.state(
        &json!([{
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "orders"},
                "stream_state": {"created_at": cursor},
            },
        }])
        .to_string(),
    );
    let lacking = fake(Unavailable::lacking(Feature::Commerce, 403)).await;
    let out = run(
        read_cmd(&config, &catalog, Some(&state)),
        &fake_settings(lacking.uri(), 7, 2),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(out.statuses("orders"), ["STARTED", "COMPLETE"]);
    assert!(out.states("orders").is_empty(), "the saved state stays");
    assert!(!out.states("plans").is_empty());

    let enabled = fake(vec![]).await;
    let out = run(
        read_cmd(&config, &catalog, Some(&state)),
        &fake_settings(enabled.uri(), 7, 2),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(
        ids(&out, "orders"),
        enabled.ids("orders", t(cursor), now()),
        "resumed from the saved cursor"
    );
}

/// The CONNECTION_STATUS of `check` against a fake refusing `unavailable`,
/// with `faults`.
async fn check(unavailable: Vec<Unavailable>, faults: Vec<FaultRule>) -> Value {
    let server = fake(unavailable).await;
    for rule in faults {
        server.push_fault(rule);
    }
    let files = Files::new();
    let out = run(
        Command::Check {
            config: files.default_config(0),
        },
        &fake_settings(server.uri(), 7, 4),
    )
    .await;
    out.messages[0]["connectionStatus"].clone()
}

/// `check` names the streams a business lacks, whatever the status, says
/// read skips them and what enables them, and succeeds; every endpoint
/// refusing fails it with the rejected key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_the_streams_read_will_skip() {
    for status in [400, 401, 403, 404] {
        let cs = check(Unavailable::lacking(Feature::Terminal, status), vec![]).await;
        assert_eq!(cs["status"], "SUCCEEDED", "{status}");
        let note = cs["message"].as_str().unwrap();
        let answer = format!(
            "answered HTTP {status} (This feature is not available on your integration); {}",
            def("terminals").feature()
        );
        for needle in [
            "Not available to this Paystack business, so read skips them".to_owned(),
            format!("terminals (GET /terminal {answer})"),
            format!("virtual_terminals (GET /virtual_terminal {answer})"),
        ] {
            assert!(note.contains(&needle), "{status}: {needle:?} not in {note}");
        }
        assert!(!note.contains("customers"), "{status}: {note}");
    }
    // An endpoint failing otherwise is not called unavailable.
    let cs = check(
        Unavailable::lacking(Feature::Commerce, 403),
        vec![FaultRule::every_on("/plan", Fault::Status(503))],
    )
    .await;
    assert_eq!(cs["status"], "SUCCEEDED");
    let note = cs["message"].as_str().unwrap();
    let (skipped, failing) = note.split_once("Could not be read now").expect(note);
    assert!(
        skipped.contains("orders (GET /order answered HTTP 403")
            && skipped.contains("storefronts (")
            && !skipped.contains("plans"),
        "{note}"
    );
    assert!(
        failing.contains("plans: Paystack answered HTTP 503"),
        "{note}"
    );

    let cs = check(everything(404), vec![]).await;
    assert_eq!(cs["status"], "FAILED");
    assert!(
        cs["message"]
            .as_str()
            .unwrap()
            .starts_with("Paystack rejected the secret key: HTTP 404"),
        "{cs}"
    );
}
