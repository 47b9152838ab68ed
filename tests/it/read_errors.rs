//! `read`: failures, retries, error traces and exit codes.

use fake_paystack::{Fault, FaultRule, Unavailable};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn all_streams() -> Vec<(&'static str, &'static str)> {
    core("incremental")
}

#[tokio::test]
async fn a_failing_stream_ends_incomplete_and_the_others_go_on() {
    for concurrency in [1, 4] {
        let server = fake_with(|o| {
            o.records = [("customers", 3)].into();
            o.faults = vec![FaultRule::every_on("/refund", Fault::Status(503))];
        })
        .await;
        let files = Files::new();
        let out = run(
            read_cmd(
                &files.default_config(0),
                &files.catalog(&all_streams()),
                None,
            ),
            &settings(&server, concurrency),
        )
        .await;
        assert_eq!(out.code, 1, "a failed stream fails the run");
        assert_eq!(out.statuses("refunds"), ["STARTED", "INCOMPLETE"]);
        assert!(
            out.states("refunds").is_empty(),
            "no state for a stream that read nothing"
        );
        for name in core_streams().filter(|n| *n != "refunds") {
            assert_eq!(
                out.statuses(name),
                ["STARTED", "RUNNING", "COMPLETE"],
                "c={concurrency} {name}"
            );
        }
        assert_eq!(out.record_ids("customers"), server.all_ids("customers"));
        // max_attempts in the test settings
        assert_eq!(server.stats().by_path["/refund"], 3, "c={concurrency}");
        let errors = out.errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0]["stream_descriptor"]["name"], "refunds");
        assert_eq!(errors[0]["failure_type"], "transient_error");
        let msg = errors[0]["message"].as_str().unwrap();
        assert!(
            msg.contains("HTTP 503") && msg.contains("3 attempts"),
            "{msg}"
        );
        // The summary comes last and names the stream.
        let last = out.messages.last().unwrap();
        assert_eq!(last["trace"]["type"], "ERROR");
        assert!(last["trace"]["error"].get("stream_descriptor").is_none());
        assert!(
            last["trace"]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("1 of 8 streams")
        );
        assert_eq!(last["trace"]["error"]["failure_type"], "transient_error");
    }
}

#[tokio::test]
async fn a_rejected_key_is_a_config_error_and_stops_every_stream() {
    let server = fake_with(|o| o.keys = vec!["sk_test_another".into()]).await;
    let files = Files::new();
    let out = run(
        read_cmd(
            &files.default_config(0),
            &files.catalog(&all_streams()),
            None,
        ),
        &settings(&server, 1),
    )
    .await;
    assert_eq!(out.code, 1);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.split('?').next().unwrap().to_owned())
        .collect();
    // The first stream's request, then one to /transaction to tell a bad
    // key from a feature that is not enabled; no retry, no more requests.
    assert_eq!(
        paths,
        ["/customer", "/transaction"],
        "no hammering with a bad key"
    );
    for name in core_streams() {
        assert_eq!(out.statuses(name), ["STARTED", "INCOMPLETE"], "{name}");
    }
    let errors = out.errors();
    assert_eq!(errors.len(), 1, "said once: {errors:?}");
    assert_eq!(errors[0]["failure_type"], "config_error");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("secret_key"), "{message}");
    // The fake, not Paystack: the message says so.
    assert!(
        message.contains(&format!(
            "The requests went to {}, not to Paystack's API",
            server.uri()
        )) && message.ends_with("To use Paystack, unset PAYSTACK_API_URL."),
        "{message}"
    );
    assert!(!out.text.contains(KEY));
}

/// One endpoint refusing its first request (401 while the key works
/// elsewhere, 403) is a feature the business does not have: that stream is
/// skipped (COMPLETE, nothing emitted, no error), the others complete.
/// Every status and paging kind: `unavailable.rs`.
#[tokio::test]
async fn an_endpoint_closed_to_the_key_skips_only_its_stream() {
    for (status, endpoint, stream, message) in [
        (401, "/refund", "refunds", "Invalid key"),
        (403, "/dispute", "disputes", "Feature not available"),
    ] {
        let server = fake_with(|o| {
            o.unavailable = vec![Unavailable::new(endpoint, status).saying(message)];
        })
        .await;
        let files = Files::new();
        let out = run(
            read_cmd(
                &files.default_config(0),
                &files.catalog(&all_streams()),
                None,
            ),
            &settings(&server, 2),
        )
        .await;
        assert_eq!(out.code, 0, "{status}: {}", out.text);
        assert_eq!(out.statuses(stream), ["STARTED", "COMPLETE"], "{status}");
        assert!(out.states(stream).is_empty(), "{status}");
        for name in core_streams().filter(|n| *n != stream) {
            assert_eq!(
                out.statuses(name),
                ["STARTED", "RUNNING", "COMPLETE"],
                "{status} {name}"
            );
        }
        assert!(out.errors().is_empty(), "{status}: {:?}", out.errors());
    }
}

#[tokio::test]
async fn transient_failures_are_retried_and_lose_nothing() {
    let server = MockServer::start().await;
    // Three failures (a 502, a 429 telling when to come back, a bare 429
    // saying nothing), then the real list, in the order they are mounted.
    Mock::given(method("GET"))
        .and(path("/transfer"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/transfer"))
        .respond_with(ResponseTemplate::new(429).insert_header("x-ratelimit-reset", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/transfer"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let recs = records("transfers", 5, t("2024-02-01T00:00:00Z"), days(1), 1);
    Mock::given(method("GET"))
        .and(path("/transfer"))
        .respond_with(ResponseTemplate::new(200).set_body_json(one_page(&recs)))
        .mount(&server)
        .await;
    let files = Files::new();
    let out = run(
        read_cmd(
            &files.default_config(0),
            &files.catalog(&[("transfers", "incremental")]),
            None,
        ),
        &mock_settings(&server, 1),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(out.record_ids("transfers"), [1, 2, 3, 4, 5]);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
    let rate_limited = out
        .messages
        .iter()
        .find(|m| m["trace"]["stream_status"]["reasons"][0]["type"] == "RATE_LIMITED")
        .expect("a RATE_LIMITED status while waiting");
    assert_eq!(rate_limited["trace"]["stream_status"]["status"], "RUNNING");
    assert_eq!(
        rate_limited["trace"]["stream_status"]["stream_descriptor"]["name"],
        "transfers"
    );
}

#[tokio::test]
async fn bad_catalog_and_state_are_config_errors_with_exit_code_1() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let config = files.default_config(0);
    let good_catalog = files.catalog(&[("customers", "incremental")]);
    let cases = [
        (files.write("c1.json", r#"{"streams":[{"stream":{"name":"payouts"},"sync_mode":"incremental","destination_sync_mode":"append"}]}"#), None, "payouts"),
        (files.write("c2.json", r#"{"streams":[{"stream":{"name":"customers"},"sync_mode":"live","destination_sync_mode":"append"}]}"#), None, "sync_mode"),
        (files.write("c3.json", "not json"), None, "catalog"),
        (good_catalog.clone(), Some(files.write("s1.json", r#"{"customers":{"createdAt":"soon"}}"#)), "not a date-time"),
        (good_catalog.clone(), Some(files.write("s2.json", "{oops")), "not valid JSON"),
        (files.dir.path().join("missing.json"), None, "Could not read the catalog file"),
    ];
    for (catalog, state, needle) in cases {
        let out = run(
            read_cmd(&config, &catalog, state.as_deref()),
            &settings(&server, 1),
        )
        .await;
        assert_eq!(out.code, 1, "{needle}");
        assert_eq!(
            out.messages.len(),
            1,
            "{needle}: one error trace, nothing else: {}",
            out.text
        );
        let e = out.errors()[0];
        assert_eq!(e["failure_type"], "config_error", "{needle}");
        assert!(
            e["message"].as_str().unwrap().contains(needle),
            "{needle}: {}",
            e["message"]
        );
    }
    assert_eq!(server.stats().requests, 0);
}

#[tokio::test]
async fn an_unreadable_body_is_retried_then_reported_as_a_system_error() {
    let def = an_offset_stream_with_a_total();
    let server =
        fake_with(|o| o.faults = vec![FaultRule::every_on(def.path, Fault::Html(200))]).await;
    let files = Files::new();
    let out = run(
        read_cmd(
            &files.default_config(0),
            &files.catalog(&[(def.name, "incremental")]),
            None,
        ),
        &settings(&server, 1),
    )
    .await;
    assert_eq!(out.code, 1);
    // max_attempts in the test settings
    assert_eq!(server.stats().by_path[def.path], 3);
    let e = out.errors()[0];
    assert_eq!(e["failure_type"], "system_error");
    assert!(
        e["message"].as_str().unwrap().contains("could not be read"),
        "{}",
        e["message"]
    );
}

/// Records the connector cannot place: one without an id is emitted
/// without it, and one created in the future (2031) is emitted although it
/// is past the window, without moving the state past the sync's end; one
/// WARN at the stream's end says both. The endpoint here ignores `to`, as
/// an endpoint may whose filter is not on the creation time it shows.
#[tokio::test]
async fn records_without_an_id_or_from_the_future_are_emitted_and_told() {
    let server = MockServer::start().await;
    let created = |at| t(at);
    let mut no_id = record("transactions", 3, created("2024-03-01T00:00:00Z"));
    no_id.as_object_mut().unwrap().remove("id");
    let data = vec![
        record("transactions", 9, created("2031-01-01T00:00:00Z")),
        record("transactions", 2, created("2024-07-01T00:00:00Z")),
        no_id,
        record("transactions", 1, created("2024-02-01T00:00:00Z")),
    ];
    let body = json!({
        "status": true, "message": "Transactions retrieved", "data": data,
        "meta": {"total": 4, "perPage": 200, "page": 1, "pageCount": 1},
    });
    Mock::given(method("GET"))
        .and(path("/transaction"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z"}));
    let catalog = files.catalog(&[("transactions", "incremental")]);
    let (out, stderr) = read_binary(server.uri(), config, catalog, &[]).await;
    assert_eq!(out.code, 0, "{stderr}");
    assert_eq!(out.statuses("transactions").last().unwrap(), "COMPLETE");
    let records = out.records("transactions");
    let ids: Vec<Option<u64>> = records.iter().map(|r| r["id"].as_u64()).collect();
    assert_eq!(ids, [Some(9), Some(2), None, Some(1)], "every record, once");
    let cursors = out.state_cursors("transactions");
    assert_eq!(
        cursors.last().map(String::as_str),
        Some("2024-07-01T00:00:00.000Z"),
        "the state stays at the newest record of the window"
    );
    let warns: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("transactions: "))
        .collect();
    assert_eq!(warns.len(), 1, "one WARN: {stderr}");
    // How many, what was done with them, the latest time, and the state.
    for needle in [
        "transactions: 1 record had no id",
        "emitted without it",
        "deduped mode",
        "1 record was created in the future",
        "2031-01-01T00:00:00.000Z",
        "without moving the state past",
    ] {
        assert!(warns[0].contains(needle), "{}", warns[0]);
    }
}
