//! Every fault kind, scripted, and random faults.

use std::time::{Duration, Instant};

use fake_paystack::{FakePaystack, Fault, FaultRule, Options, RandomFaults, RateLimit};
use serde_json::{Value, json};

use crate::support::{KEY, LIVE_KEY, client, get, get_with, options};

async fn with_faults(rules: Vec<FaultRule>) -> FakePaystack {
    FakePaystack::start(Options {
        faults: rules,
        ..options(&[("customers", 40), ("transactions", 40), ("disputes", 5)])
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn status_faults_hit_exactly_the_scripted_request() {
    let server = with_faults(vec![
        FaultRule::nth(2, Fault::Status(500)),
        FaultRule::nth(3, Fault::Status(502)),
        FaultRule::nth(4, Fault::Status(503)),
        FaultRule::nth(5, Fault::Status(504)),
    ])
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let got = get(&server, "/customer").await;
        statuses.push(got.status);
        if got.status != 200 {
            let body = got.json();
            assert_eq!(body["status"], false);
            assert!(body["message"].is_string());
        }
    }
    assert_eq!(statuses, [200, 500, 502, 503, 504, 200]);
    let stats = server.stats();
    assert_eq!(stats.faults, 4);
    assert_eq!(stats.faults_by_kind["500"], 1);
    assert_eq!(stats.faults_by_kind["504"], 1);
}

#[tokio::test]
async fn a_feature_not_enabled_on_one_path() {
    for code in [401, 403, 404] {
        let server = with_faults(vec![FaultRule::every_on("/dispute", Fault::Status(code))]).await;
        for _ in 0..3 {
            let got = get(&server, "/dispute").await;
            assert_eq!(got.status, code);
            assert_eq!(got.json()["status"], false);
            assert_eq!(get(&server, "/customer").await.status, 200);
        }
    }
}

#[tokio::test]
async fn nth_request_to_a_path() {
    let server = with_faults(vec![
        FaultRule::nth_on("/transaction", 2, Fault::Status(503)).times(2),
    ])
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(get(&server, "/customer").await.status);
        statuses.push(get(&server, "/transaction").await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 503, 200, 503, 200, 200]);
}

#[tokio::test]
async fn injected_429_with_and_without_retry_after() {
    let server = with_faults(vec![
        FaultRule::nth(
            1,
            Fault::RateLimited {
                reset_secs: 7,
                retry_after: None,
            },
        ),
        FaultRule::nth(
            2,
            Fault::RateLimited {
                reset_secs: 3,
                retry_after: Some(4),
            },
        ),
    ])
    .await;
    let got = get(&server, "/customer").await;
    assert_eq!(got.status, 429);
    assert_eq!(got.json()["code"], "rate_limited");
    assert_eq!(got.json()["message"], "Rate limit exceeded!");
    assert_eq!(got.header("x-ratelimit-reset"), Some("7"));
    assert_eq!(got.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        got.header("x-ratelimit-limit"),
        Some("100"),
        "the test key's"
    );
    assert_eq!(got.header("retry-after"), None);
    let got = get(&server, "/customer").await;
    assert_eq!(got.status, 429);
    assert_eq!(got.header("x-ratelimit-reset"), Some("3"));
    assert_eq!(got.header("retry-after"), Some("4"));
    assert_eq!(server.stats().rate_limited, 2);
    assert_eq!(server.stats().rate_limited_by_limit, 0);
}

/// The 429s announce the limit of the key that asked, live or test, with
/// rate limiting on or off.
#[tokio::test]
async fn injected_429s_announce_the_keys_limit() {
    for rate_limit in [
        None,
        Some(RateLimit {
            live_limit: 50,
            test_limit: 5,
            window: Duration::from_secs(60),
            ..RateLimit::default()
        }),
    ] {
        let (live, test) = rate_limit
            .as_ref()
            .map_or((600, 100), |r| (r.live_limit, r.test_limit));
        let server = FakePaystack::start(Options {
            rate_limit: rate_limit.clone(),
            random_faults: Some(RandomFaults {
                rate: 1.0,
                kinds: vec!["429".parse().unwrap(), "429-window".parse().unwrap()],
                seed: 1,
            }),
            ..options(&[("customers", 5)])
        })
        .await
        .unwrap();
        for _ in 0..6 {
            for (key, limit) in [(LIVE_KEY, live), (KEY, test)] {
                let got = get_with(&server, "/customer", Some(key)).await;
                assert_eq!(got.status, 429);
                assert_eq!(
                    got.header("x-ratelimit-limit"),
                    Some(limit.to_string().as_str()),
                    "{key} {rate_limit:?}"
                );
            }
        }
        // Both kinds were drawn.
        assert_eq!(server.stats().faults_by_kind.len(), 2);
    }
}

/// `429-window`: a refusal while the window still has room. It reports the
/// window as the rate limiter counts it and uses none of it.
#[tokio::test]
async fn an_injected_429_in_the_window_reports_the_window_and_uses_none_of_it() {
    let server = FakePaystack::start(Options {
        rate_limit: Some(RateLimit {
            live_limit: 10,
            test_limit: 5,
            window: Duration::from_secs(60),
            ..RateLimit::default()
        }),
        faults: vec![
            FaultRule::nth(4, Fault::RateLimitedInWindow),
            FaultRule::nth(5, Fault::RateLimitedInWindow),
        ],
        ..options(&[("customers", 5)])
    })
    .await
    .unwrap();
    let window = |got: &crate::support::Got| {
        [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ]
        .map(|h| got.header(h).unwrap_or("-").to_owned())
    };
    // (The window lasts a minute: these requests end well within it, so
    // the reset, in whole seconds rounded up, stays at 60.)
    for _ in 0..3 {
        assert_eq!(
            get_with(&server, "/customer", Some(LIVE_KEY)).await.status,
            200
        );
    }
    let got = get_with(&server, "/customer", Some(LIVE_KEY)).await;
    assert_eq!(got.status, 429);
    assert_eq!(got.json()["code"], "rate_limited");
    assert_eq!(window(&got), ["10", "7", "60"]);
    assert_eq!(got.header("retry-after"), None);
    // Served before authentication; without a key: the test key's limit,
    // and a fresh window.
    let got = get_with(&server, "/customer", None).await;
    assert_eq!(got.status, 429);
    assert_eq!(window(&got), ["5", "5", "60"]);
    // Neither 429 used quota.
    let got = get_with(&server, "/customer", Some(LIVE_KEY)).await;
    assert_eq!(got.status, 200);
    assert_eq!(window(&got), ["10", "6", "60"]);
    let stats = server.stats();
    assert_eq!(stats.faults_by_kind["429-window"], 2);
    assert_eq!((stats.rate_limited, stats.rate_limited_by_limit), (2, 0));
}

#[tokio::test]
async fn connection_dropped_mid_body() {
    let server = with_faults(vec![FaultRule::nth(1, Fault::DropMidBody)]).await;
    let resp = client()
        .get(format!("{}/customer?perPage=40", server.uri()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("the headers arrive");
    assert_eq!(resp.status(), 200);
    let declared = resp.content_length().expect("a content length");
    assert!(declared > 1000);
    let err = resp.bytes().await.expect_err("the body is cut off");
    assert!(err.is_body() || err.is_decode(), "{err:?}");
    // The next request is served normally.
    assert_eq!(get(&server, "/customer?perPage=40").await.ids().len(), 40);
    assert_eq!(server.stats().faults_by_kind["drop"], 1);
}

#[tokio::test]
async fn truncated_json_is_a_complete_response() {
    let server = with_faults(vec![FaultRule::nth(1, Fault::TruncatedJson)]).await;
    let resp = client()
        .get(format!("{}/customer?perPage=40", server.uri()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let declared = resp.content_length().unwrap();
    let body = resp.bytes().await.expect("the whole (short) body arrives");
    assert_eq!(body.len() as u64, declared);
    assert!(body.starts_with(b"{\"status\":true"));
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    let full = get(&server, "/customer?perPage=40").await.text;
    assert!(full.len() > body.len() && full.as_bytes().starts_with(&body));
}

#[tokio::test]
async fn html_error_pages() {
    let server = with_faults(vec![
        FaultRule::nth(1, Fault::Html(200)),
        FaultRule::nth(2, Fault::Html(502)),
    ])
    .await;
    for status in [200, 502] {
        let got = get(&server, "/customer").await;
        assert_eq!(got.status, status);
        assert!(got.header("content-type").unwrap().starts_with("text/html"));
        assert!(got.text.contains("<html>"));
        assert!(serde_json::from_str::<Value>(&got.text).is_err());
    }
}

#[tokio::test]
async fn slow_responses() {
    let server = with_faults(vec![FaultRule::nth(
        1,
        Fault::Slow(Duration::from_millis(400)),
    )])
    .await;
    let started = Instant::now();
    let err = client()
        .get(format!("{}/customer", server.uri()))
        .bearer_auth(KEY)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(400));
    // A slow answer is a normal answer once it comes.
    server.push_fault(FaultRule::nth(
        server.requests_so_far() + 1,
        Fault::Slow(Duration::from_millis(200)),
    ));
    let started = Instant::now();
    let got = get(&server, "/customer?perPage=5").await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(got.ids().len(), 5);
}

#[tokio::test]
async fn status_false_with_http_200() {
    let server = with_faults(vec![
        FaultRule::nth(1, Fault::StatusFalse("Something went wrong".into())),
        FaultRule::nth(2, "false".parse().unwrap()),
    ])
    .await;
    let got = get(&server, "/customer").await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.json(),
        json!({"status": false, "message": "Something went wrong"})
    );
    let got = get(&server, "/customer").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["status"], false);
}

#[tokio::test]
async fn meta_missing_or_per_page_as_string() {
    let server = with_faults(vec![
        FaultRule::nth(1, Fault::MissingMeta),
        FaultRule::nth(2, Fault::PerPageString),
    ])
    .await;
    let got = get(&server, "/transaction?perPage=7").await.json();
    assert!(got.get("meta").is_none());
    assert_eq!(got["data"].as_array().unwrap().len(), 7);
    let got = get(&server, "/transaction?perPage=7").await.json();
    assert_eq!(got["meta"]["perPage"], "7");
    let got = get(&server, "/transaction?perPage=7").await.json();
    assert_eq!(got["meta"]["perPage"], 7);
}

#[tokio::test]
async fn a_record_lost_from_a_page_while_meta_still_counts_it() {
    let server = with_faults(vec![FaultRule::nth_on(
        "/transaction",
        2,
        Fault::LoseRecord,
    )])
    .await;
    let whole = get(&server, "/transaction?perPage=7&page=2").await;
    let lossy = get(&server, "/transaction?perPage=7&page=2").await;
    assert_eq!(
        lossy.ids(),
        whole.ids()[1..],
        "the first record is left out"
    );
    assert_eq!(
        lossy.json()["meta"],
        whole.json()["meta"],
        "meta is unchanged"
    );
    let again = get(&server, "/transaction?perPage=7&page=2").await;
    assert_eq!(again.ids(), whole.ids(), "once: the next answer is whole");
    let stats = server.stats();
    assert_eq!(stats.faults_by_kind["lose-record"], 1);
    assert_eq!(stats.records_served, 7 + 6 + 7);
}

#[tokio::test]
async fn a_lost_record_on_cursor_and_child_lists_and_from_the_nth_request_on() {
    let server = FakePaystack::start(Options {
        faults: vec![
            FaultRule::every_on("/terminal", Fault::LoseRecord),
            FaultRule::nth_on("/settlement/{id}/transactions", 2, Fault::LoseRecord).onwards(),
        ],
        children_per_parent: 3,
        ..options(&[("terminals", 10), ("settlements", 4)])
    })
    .await
    .unwrap();
    // A cursor list: the page's cursors are its own, one record is missing.
    let mut newest_first = server.all_ids("terminals");
    newest_first.reverse();
    let first = get(&server, "/terminal?perPage=4").await;
    assert_eq!(first.ids(), newest_first[1..4]);
    let next = first.json()["meta"]["next"].as_str().unwrap().to_owned();
    let second = get(&server, &format!("/terminal?perPage=4&next={next}")).await;
    assert_eq!(second.ids(), newest_first[5..8]);
    // A child list: whole on the first request, a record short from the
    // second on.
    let settlement = server
        .all_ids("settlements")
        .into_iter()
        .find(|id| {
            let key = server.parent_key("settlements", *id).unwrap();
            server.children("settlements", &key).len() >= 2
        })
        .expect("a settlement with two transactions");
    let path = format!("/settlement/{settlement}/transactions?perPage=50");
    let whole = get(&server, &path).await.ids();
    for _ in 0..2 {
        let lossy = get(&server, &path).await;
        assert_eq!(lossy.ids(), whole[1..]);
        assert_eq!(lossy.json()["meta"]["total"], whole.len());
    }
}

/// A loss that moves: each serving of the same page leaves out the next
/// record, `meta` unchanged; two reads deliver the whole page between them.
#[tokio::test]
async fn a_lost_record_that_moves_between_servings() {
    let server = with_faults(vec![]).await;
    let path = "/transaction?perPage=7&page=2";
    let whole = get(&server, path).await;
    server.push_fault(FaultRule::every_on("/transaction", Fault::LoseMovingRecord));
    let mut union = std::collections::BTreeSet::new();
    for k in 0..3 {
        let lossy = get(&server, path).await;
        let mut want = whole.ids();
        want.remove(k);
        assert_eq!(lossy.ids(), want, "serving {k} leaves out record {k}");
        assert_eq!(lossy.json()["meta"], whole.json()["meta"], "meta unchanged");
        union.extend(lossy.ids());
    }
    assert_eq!(union.len(), 7, "the servings deliver the page between them");
    // Another page (another query) counts its own servings.
    let other = get(&server, "/transaction?perPage=7&page=1").await;
    assert_eq!(other.ids().len(), 6);
    // A page of one record loses it every other serving.
    let one = "/transaction?perPage=1&page=3";
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(get(&server, one).await.ids().len());
    }
    assert_eq!(got, [0, 1, 0, 1]);
    assert_eq!(server.stats().faults_by_kind["lose-moving"], 3 + 1 + 4);
    assert_eq!(
        "lose-moving".parse::<Fault>().unwrap(),
        Fault::LoseMovingRecord
    );
    assert_eq!(Fault::LoseMovingRecord.to_string(), "lose-moving");
}

/// A child list: the same, on the children of one settlement.
#[tokio::test]
async fn a_lost_record_that_moves_on_a_child_list() {
    let server = FakePaystack::start(Options {
        faults: vec![FaultRule::every_on(
            "/settlement/{id}/transactions",
            Fault::LoseMovingRecord,
        )],
        children_per_parent: 3,
        ..options(&[("settlements", 4)])
    })
    .await
    .unwrap();
    let (key, children) = server
        .all_ids("settlements")
        .into_iter()
        .map(|id| server.parent_key("settlements", id).unwrap())
        .map(|key| (key.clone(), server.children("settlements", &key)))
        .find(|(_, kids)| kids.len() >= 2)
        .expect("a settlement with two transactions");
    let path = format!("/settlement/{key}/transactions?perPage=50");
    let first = get(&server, &path).await.ids();
    let second = get(&server, &path).await.ids();
    assert_eq!(first.len(), children.len() - 1);
    assert_eq!(second.len(), children.len() - 1);
    assert_ne!(first, second, "a different record each time");
    let mut union: Vec<u64> = first.into_iter().chain(second).collect();
    union.sort_unstable();
    union.dedup();
    assert_eq!(union, children);
}

#[tokio::test]
async fn a_total_missing_or_wrong() {
    let server = with_faults(vec![
        FaultRule::nth(1, Fault::NoTotal),
        FaultRule::nth(2, Fault::WrongTotal(3)),
        FaultRule::nth(3, Fault::WrongTotal(-100)),
    ])
    .await;
    let meta = |got: crate::support::Got| got.json()["meta"].clone();
    let m = meta(get(&server, "/transaction?perPage=7").await);
    assert!(
        m.get("total").is_none() && m.get("total_volume").is_none(),
        "{m}"
    );
    assert_eq!(
        (m["pageCount"].as_u64(), m["perPage"].as_u64()),
        (Some(6), Some(7))
    );
    let m = meta(get(&server, "/transaction?perPage=7").await);
    assert_eq!(
        (m["total"].as_u64(), m["pageCount"].as_u64()),
        (Some(43), Some(6))
    );
    let m = meta(get(&server, "/transaction?perPage=7").await);
    assert_eq!(m["total"], 0, "never below 0");
    let m = meta(get(&server, "/transaction?perPage=7").await);
    assert_eq!(m["total"], 40);
}

#[tokio::test]
async fn faults_come_before_auth_and_alterations_after() {
    let server = with_faults(vec![
        FaultRule::nth(1, Fault::Status(503)),
        FaultRule::nth(2, Fault::TruncatedJson),
    ])
    .await;
    // A replacing fault wins over a bad key; an altering one alters the 401.
    let got = crate::support::get_with(&server, "/customer", Some("sk_test_bad")).await;
    assert_eq!(got.status, 503);
    let got = crate::support::get_with(&server, "/customer", Some("sk_test_bad")).await;
    assert_eq!(got.status, 401);
    assert!(serde_json::from_str::<Value>(&got.text).is_err());
}

async fn random_run(seed: u64) -> (Vec<u16>, fake_paystack::Stats) {
    let server = FakePaystack::start(Options {
        random_faults: Some(RandomFaults {
            rate: 0.3,
            kinds: vec![Fault::Status(500), Fault::Status(503), Fault::Html(502)],
            seed,
        }),
        ..options(&[("customers", 10)])
    })
    .await
    .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..200 {
        statuses.push(get(&server, "/customer?perPage=2").await.status);
    }
    (statuses, server.stats())
}

#[tokio::test]
async fn random_faults_follow_the_seed_and_rate() {
    let (a, stats) = random_run(5).await;
    let (b, _) = random_run(5).await;
    let (c, _) = random_run(6).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
    let failed = a.iter().filter(|s| **s != 200).count() as u64;
    assert!((35..=85).contains(&failed), "{failed}");
    assert_eq!(stats.faults, failed);
    assert_eq!(
        stats.by_status.get(&500).copied().unwrap_or(0)
            + stats.by_status.get(&503).copied().unwrap_or(0)
            + stats.by_status.get(&502).copied().unwrap_or(0),
        failed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_random_kind_leaves_the_server_healthy() {
    let server = FakePaystack::start(Options {
        random_faults: Some(RandomFaults {
            rate: 0.5,
            kinds: Fault::all_kinds()
                .into_iter()
                .map(|k| match k {
                    Fault::Slow(_) => Fault::Slow(Duration::from_millis(5)),
                    k => k,
                })
                .collect(),
            seed: 3,
        }),
        ..options(&[("transactions", 100)])
    })
    .await
    .unwrap();
    let http = client();
    for _ in 0..400 {
        let r = http
            .get(format!("{}/transaction?perPage=20", server.uri()))
            .bearer_auth(KEY)
            .send()
            .await;
        if let Ok(r) = r {
            let _ = r.bytes().await;
        }
    }
    let stats = server.stats();
    assert_eq!(stats.requests, 400);
    assert_eq!(stats.faults_by_kind.len(), 18, "{:?}", stats.faults_by_kind);
    server.set_random_faults(None);
    assert_eq!(
        get(&server, "/transaction?perPage=20").await.ids().len(),
        20
    );
}
