//! Authentication and rate limiting.

use std::time::Duration;

use fake_paystack::{FakePaystack, Options, RateLimit};
use serde_json::json;

use crate::support::{KEY, LIVE_KEY, client, get_with, start};

#[tokio::test]
async fn only_configured_keys_are_accepted() {
    let server = start(&[("customers", 3)]).await;
    let cases = [
        (Some("sk_test_wrong"), "Invalid key"),
        (Some("pk_test_fakepaystack000"), "Invalid key"),
        (None, "No Authorization Header was found"),
    ];
    for (key, message) in cases {
        let got = get_with(&server, "/customer", key).await;
        assert_eq!(got.status, 401, "{key:?}");
        assert_eq!(got.json(), json!({"status": false, "message": message}));
    }
    let resp = client()
        .get(format!("{}/customer", server.uri()))
        .header("Authorization", format!("Basic {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(get_with(&server, "/customer", Some(KEY)).await.status, 200);
    assert_eq!(
        get_with(&server, "/customer", Some(LIVE_KEY)).await.status,
        200
    );
    let stats = server.stats();
    assert_eq!(stats.by_status[&401], 4);
    assert_eq!(stats.by_status[&200], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_per_key_with_headers() {
    let server = FakePaystack::start(Options {
        records: [("customers", 5)].into(),
        rate_limit: Some(RateLimit {
            live_limit: 5,
            test_limit: 3,
            window: Duration::from_secs(2),
            ..RateLimit::default()
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let got = get_with(&server, "/customer", Some(KEY)).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-ratelimit-limit"), Some("3"));
        let reset: u64 = got.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!((1..=2).contains(&reset), "{reset}");
        remaining.push(got.header("x-ratelimit-remaining").unwrap().to_owned());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    // The 4th and 5th are refused, and consume nothing.
    for _ in 0..2 {
        let got = get_with(&server, "/customer", Some(KEY)).await;
        assert_eq!(got.status, 429);
        assert_eq!(
            got.text,
            r#"{"status":false,"message":"Rate limit exceeded!","meta":{"nextStep":"Wait a few minutes and try the API call again"},"type":"api_error","code":"rate_limited"}"#
        );
        assert_eq!(got.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(got.header("x-ratelimit-remaining"), Some("0"));
        assert!(got.header("x-ratelimit-reset").is_some());
        assert!(got.header("retry-after").is_none());
    }
    // The live key has its own window and limit.
    for i in 0..5 {
        let got = get_with(&server, "/customer", Some(LIVE_KEY)).await;
        assert_eq!(got.status, 200, "live request {i}");
        assert_eq!(got.header("x-ratelimit-limit"), Some("5"));
    }
    assert_eq!(
        get_with(&server, "/customer", Some(LIVE_KEY)).await.status,
        429
    );
    let stats = server.stats();
    assert_eq!(stats.rate_limited, 3);
    assert_eq!(stats.rate_limited_by_limit, 3);
    assert_eq!(stats.by_status[&200], 8);
}

#[tokio::test]
async fn the_window_resets() {
    let server = FakePaystack::start(Options {
        records: [("customers", 5)].into(),
        rate_limit: Some(RateLimit {
            live_limit: 1,
            test_limit: 1,
            window: Duration::from_millis(300),
            ..RateLimit::default()
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(get_with(&server, "/customer", Some(KEY)).await.status, 200);
    let refused = get_with(&server, "/customer", Some(KEY)).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("x-ratelimit-reset"), Some("1"));
    // Waiting out a (short) window is the behaviour under test.
    tokio::time::sleep(Duration::from_millis(350)).await;
    let got = get_with(&server, "/customer", Some(KEY)).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-ratelimit-remaining"), Some("0"));
}

#[tokio::test]
async fn no_rate_limit_headers_when_off() {
    let server = start(&[("customers", 1)]).await;
    let got = get_with(&server, "/customer", Some(KEY)).await;
    assert!(got.header("x-ratelimit-limit").is_none());
}

/// An endpoint the business lacks answers its status and message, after
/// authentication (a wrong key still gets 401) and rate limiting (the
/// refusal counts against the window and carries the headers; over the
/// limit it is a 429 like any request). Other endpoints are untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unavailable_endpoint_refuses_after_auth_and_rate_limiting() {
    use fake_paystack::{Feature, Unavailable};
    let mut unavailable = Unavailable::lacking(Feature::Terminal, 403);
    unavailable.push(Unavailable::new("/dedicated_account", 400).saying("Feature unavailable"));
    let server = FakePaystack::start(Options {
        records: [("customers", 5), ("terminals", 5)].into(),
        rate_limit: Some(RateLimit {
            live_limit: 10,
            test_limit: 3,
            window: Duration::from_secs(30),
            ..RateLimit::default()
        }),
        unavailable,
        ..Default::default()
    })
    .await
    .unwrap();
    let wrong = get_with(&server, "/terminal", Some("sk_test_wrong")).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["message"], "Invalid key");
    let refused = get_with(&server, "/virtual_terminal?perPage=5", Some(KEY)).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json(),
        json!({"status": false, "message": fake_paystack::availability::DEFAULT_MESSAGE})
    );
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("2"));
    let refused = get_with(&server, "/dedicated_account", Some(KEY)).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["message"], "Feature unavailable");
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("1"));
    let listed = get_with(&server, "/customer", Some(KEY)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.ids().len(), 5);
    assert_eq!(get_with(&server, "/terminal", Some(KEY)).await.status, 429);
    let bad = FakePaystack::start(Options {
        unavailable: vec![Unavailable::new("/nowhere", 404)],
        ..Default::default()
    })
    .await;
    assert!(bad.is_err(), "an unknown path is refused");
}

/// `x-ratelimit-reset` in each form the switch offers, on a page, on a 429
/// over the limit and on a scripted 429: each names the same window end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reset_format_names_the_window_end() {
    use chrono::{DateTime, Utc};
    use fake_paystack::{Fault, FaultRule, ResetFormat};
    for format in ResetFormat::ALL {
        let server = FakePaystack::start(Options {
            records: [("customers", 5)].into(),
            rate_limit: Some(RateLimit {
                test_limit: 1,
                window: Duration::from_secs(30),
                reset_format: format,
                ..RateLimit::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap();
        server.push_fault(FaultRule::nth_on(
            "/customer",
            3,
            Fault::RateLimited {
                reset_secs: 20,
                retry_after: None,
            },
        ));
        let sent = Utc::now();
        let mut resets = vec![];
        for status in [200, 429, 429] {
            let got = get_with(&server, "/customer", Some(KEY)).await;
            assert_eq!(got.status, status, "{format}");
            resets.push(got.header("x-ratelimit-reset").unwrap().to_owned());
        }
        // Seconds from `sent` to the end each header names.
        let end = |v: &str| -> Option<f64> {
            let n: Option<f64> = v.parse().ok();
            let at = match format {
                ResetFormat::Seconds => return n,
                ResetFormat::UnixSeconds => n? * 1000.0,
                ResetFormat::UnixMillis => n?,
                ResetFormat::HttpDate => {
                    DateTime::parse_from_rfc2822(v).ok()?.timestamp_millis() as f64
                }
                ResetFormat::Junk => return (v == "soon").then_some(0.0),
            };
            Some((at - sent.timestamp_millis() as f64) / 1000.0)
        };
        let ends: Vec<f64> = resets.iter().map(|v| end(v).unwrap()).collect();
        if format != ResetFormat::Junk {
            // The window's end, 30 s away (to the second); the scripted
            // fault's, 20 s.
            for (got, want) in ends.iter().zip([30.0, 30.0, 20.0]) {
                assert!(
                    (want - 0.5..=want + 1.5).contains(got),
                    "{format}: {resets:?}"
                );
            }
        }
    }
}
