//! Paystack's rate limit, read in every form it may take, and the retry
//! budgets: reads against the fake Paystack with its rate limiter on, under
//! each form of `x-ratelimit-reset`, and a request refused by 5xx and 429s
//! in turn.

use std::time::Duration;

use fake_paystack::{FakePaystack, Fault, FaultRule, Options, RateLimit, ResetFormat};
use serde_json::json;
use source_paystack::RetryPolicy;
use source_paystack::app::Settings;

use crate::support::*;

const START: &str = "2024-01-01T00:00:00Z";
const STREAMS: [&str; 2] = ["customers", "transactions"];

async fn fake(records: u64, rate_limit: Option<RateLimit>) -> FakePaystack {
    FakePaystack::start(Options {
        keys: vec![KEY.to_owned()],
        records: STREAMS.iter().map(|s| (*s, records)).collect(),
        start: t(START),
        end: t("2024-06-01T00:00:00Z"),
        rate_limit,
        ..Options::default()
    })
    .await
    .unwrap()
}

async fn read(settings: &Settings) -> Output {
    let files = Files::new();
    let config = files.config(json!({"secret_key": KEY, "start_date": START}));
    let catalog: Vec<(&str, &str)> = STREAMS.iter().map(|s| (*s, "incremental")).collect();
    run(read_cmd(&config, &files.catalog(&catalog), None), settings).await
}

/// Every record of every stream came out once, and the read succeeded.
fn assert_every_record_once(out: &Output, server: &FakePaystack, what: &str) {
    assert_eq!(out.code, 0, "{what}: {}", out.text);
    for stream in STREAMS {
        let mut want = server.ids(stream, t(START), now());
        want.sort_unstable();
        assert_eq!(out.record_ids(stream), want, "{what}: {stream}");
    }
}

/// The fake's limit per one-second window.
const LIMIT: u64 = 10;

/// The fake allows 10 requests a second and says when its window ends in
/// each form Paystack may use; the connector is unpaced, so the limit is
/// what holds it back, window after window. Whatever the form, every record
/// comes out once and the read does not stall (a reset misread as an hour
/// away would pause it for the 60 s cap, each window: the timeout guards
/// against that). With junk for a reset the connector cannot know when the
/// window ends: 429s back off until it has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_of_the_reset_reads_every_record_once_without_stalling() {
    // One fake and one read per form, all at once (a read's future is not
    // `Send`: they share this thread).
    let local = tokio::task::LocalSet::new();
    let mut runs = Vec::new();
    for format in ResetFormat::ALL {
        runs.push(local.spawn_local(async move {
            let server = fake(
                400,
                Some(RateLimit {
                    test_limit: LIMIT as u32,
                    window: Duration::from_secs(1),
                    reset_format: format,
                    ..RateLimit::default()
                }),
            )
            .await;
            let mut settings = fake_settings(server.uri(), 20, 4);
            settings.http.retry = RetryPolicy {
                max_attempts: 3,
                max_rate_limited_attempts: 30,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(400),
                max_server_wait: Duration::from_secs(2),
            };
            let out = tokio::time::timeout(Duration::from_secs(60), read(&settings))
                .await
                .unwrap_or_else(|_| panic!("{format}: the read stalled"));
            (format, server, out)
        }));
    }
    let done = local
        .run_until(async {
            let mut done = Vec::new();
            for run in runs {
                done.push(run.await.unwrap());
            }
            done
        })
        .await;
    for (format, server, out) in done {
        let what = format!("reset as {format}");
        assert_every_record_once(&out, &server, &what);
        let stats = server.stats();
        assert!(
            stats.by_status[&200] > 3 * LIMIT,
            "{what}: the read spanned several windows: {stats:?}"
        );
        if format != ResetFormat::Junk {
            // Told when the window ends, the connector waits for it: only
            // requests already in flight when it heard are refused.
            assert!(
                stats.rate_limited_by_limit < stats.by_status[&200],
                "{what}: {stats:?}"
            );
        }
    }
}

/// A page answered 502, 502, 429, 429, 500, 500, then 200: four server
/// failures of six allowed, two 429s of thirty. The read succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_failures_and_429s_use_their_own_budgets() {
    let server = fake(60, None).await;
    let rate_limited = Fault::RateLimited {
        reset_secs: 0,
        retry_after: None,
    };
    for (n, fault) in [
        (1, Fault::Status(502)),
        (3, rate_limited),
        (5, Fault::Status(500)),
    ] {
        server.push_fault(FaultRule::nth_on("/customer", n, fault).times(2));
    }
    let mut settings = fake_settings(server.uri(), 100, 1);
    settings.http.retry = RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_server_wait: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    let out = read(&settings).await;
    assert_every_record_once(&out, &server, "502 502 429 429 500 500");
    let stats = server.stats();
    assert_eq!(stats.faults, 6, "{stats:?}");
    // One more 5xx than the budget allows still fails the stream, and says
    // how many attempts it took.
    let server = fake(60, None).await;
    server.push_fault(FaultRule::nth_on("/customer", 1, Fault::Status(429)).times(3));
    server.push_fault(FaultRule::nth_on("/customer", 4, Fault::Status(502)).times(6));
    let mut settings = settings.clone();
    settings.http.base_url = server.uri();
    let out = read(&settings).await;
    assert_eq!(out.code, 1);
    let message = out.errors()[0]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("HTTP 502") && message.contains("gave up after 9 attempts"),
        "{message}"
    );
}
