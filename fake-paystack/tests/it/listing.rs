//! The list endpoints: envelope, meta, paging order, from/to, page caps.

use fake_paystack::{Behaviour, ENDPOINTS, FakePaystack, Options, Paging};
use serde_json::{Value, json};

use crate::support::{all_pages, get, options, start, t};

#[tokio::test]
async fn envelope_and_meta_on_every_endpoint() {
    let server = FakePaystack::start(Options {
        default_records: 120,
        children_per_parent: 60,
        ..Default::default()
    })
    .await
    .unwrap();
    for e in ENDPOINTS {
        // A child endpoint: the children of the parent with the most.
        let (path, total) = match e.parent {
            Some(p) => {
                let (key, n) = server
                    .all_ids(p.stream)
                    .into_iter()
                    .map(|id| {
                        let key = server.parent_key(p.stream, id).unwrap();
                        let n = server.children(p.stream, &key).len();
                        (key, n)
                    })
                    .max_by_key(|(_, n)| *n)
                    .unwrap();
                assert!(n > 100, "{n}");
                (
                    e.path.replace(
                        &e.path[e.path.find('{').unwrap()..=e.path.find('}').unwrap()],
                        &key,
                    ),
                    n as u64,
                )
            }
            None => (e.path.to_owned(), 120),
        };
        let got = get(&server, &format!("{path}?perPage=50&page=2")).await;
        assert_eq!(got.status, 200, "{path}");
        assert!(
            got.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        assert!(
            got.text.starts_with(&format!(
                "{{\"status\":true,\"message\":\"{}\",\"data\":[{{",
                e.message
            )),
            "{}",
            &got.text[..80]
        );
        let body = got.json();
        assert_eq!(body["data"].as_array().unwrap().len(), 50, "{path}");
        let meta = &body["meta"];
        if e.paging == Paging::Cursor {
            // `page` is ignored: the first page, with a next cursor.
            assert_eq!(meta.as_object().unwrap().len(), 3, "{meta}");
            assert!(meta["next"].is_string());
            assert_eq!(meta["previous"], Value::Null);
            assert_eq!(meta["perPage"], 50);
            continue;
        }
        assert_eq!(meta["total"], total, "{path}");
        assert_eq!(meta["skipped"], 50);
        assert_eq!(meta["perPage"], 50);
        assert_eq!(meta["page"], 2);
        assert_eq!(meta["pageCount"], total.div_ceil(50));
        assert_eq!(
            meta.get("total_volume").is_some(),
            e.path == "/transaction" || e.stream == "settlement_transactions",
            "{path}"
        );
        assert_eq!(meta.get("failedRefundCount").is_some(), e.path == "/refund");
    }
    // Defaults: perPage 50, page 1; a trailing slash is the same path.
    let got = get(&server, "/customer/").await.json();
    assert_eq!(got["data"].as_array().unwrap().len(), 50);
    assert_eq!(got["meta"]["page"], 1);
    assert_eq!(got["meta"]["perPage"], 50);
    assert_eq!(got["message"], "Customers retrieved");
    // Past the end: an empty page with meta.
    let got = get(&server, "/customer?page=9").await.json();
    assert_eq!(got["data"], json!([]));
    assert_eq!(got["meta"]["total"], 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_newest_first_without_gaps_or_duplicates() {
    // 1234 records over 400 seconds: about three records share each second.
    let server = FakePaystack::start(Options {
        records: [("transactions", 1234)].into(),
        end: t("2024-01-01T00:06:40Z"),
        ..Default::default()
    })
    .await
    .unwrap();
    let records = all_pages(&server, "/transaction", "", 100).await;
    let keys: Vec<(String, u64)> = records
        .iter()
        .map(|r| {
            (
                r["createdAt"].as_str().unwrap().to_owned(),
                r["id"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "descending creation time, then descending id");
    let mut ids: Vec<u64> = keys.iter().map(|k| k.1).collect();
    ids.sort_unstable();
    assert_eq!(ids, server.all_ids("transactions"));
    let seconds: std::collections::HashSet<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    assert!(seconds.len() < 1234, "ties within a second exist");
}

#[tokio::test]
async fn the_served_record_is_the_record() {
    let server = start(&[("disputes", 10)]).await;
    let got = get(&server, "/dispute?perPage=1").await.json();
    let first = &got["data"][0];
    let id = first["id"].as_u64().unwrap();
    let want: Value = serde_json::from_str(&server.record("disputes", id).unwrap()).unwrap();
    assert_eq!(first, &want);
}

/// 60 customers over 30 seconds: two records per second, from
/// 2024-01-01T00:00:00Z to …00:29Z.
async fn dense() -> FakePaystack {
    FakePaystack::start(Options {
        records: [("customers", 60)].into(),
        end: t("2024-01-01T00:00:30Z"),
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn filtered(server: &FakePaystack, query: &str) -> Vec<u64> {
    let mut ids: Vec<u64> = all_pages(server, "/customer", query, 7)
        .await
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn from_and_to_filter_with_each_inclusivity() {
    let server = dense().await;
    let from = t("2024-01-01T00:00:10Z");
    let to = t("2024-01-01T00:00:20Z");
    let ids_in = |lo_incl: bool, hi_incl: bool| -> Vec<u64> {
        server
            .all_ids("customers")
            .into_iter()
            .filter(|id| {
                let at = server.created_at("customers", *id).unwrap();
                (if lo_incl { at >= from } else { at > from })
                    && (if hi_incl { at <= to } else { at < to })
            })
            .collect()
    };
    for (fi, ti, want_len) in [
        (true, true, 22),
        (true, false, 20),
        (false, true, 20),
        (false, false, 18),
    ] {
        server.set_behaviour(Behaviour {
            from_inclusive: fi,
            to_inclusive: ti,
            ..Behaviour::default()
        });
        let want = ids_in(fi, ti);
        assert_eq!(want.len(), want_len);
        for q in [
            "from=2024-01-01T00:00:10.000Z&to=2024-01-01T00:00:20.000Z",
            "from=2024-01-01T00:00:10Z&to=2024-01-01T00:00:20Z",
            "from=2024-01-01T00%3A00%3A10.000Z&to=2024-01-01T00%3A00%3A20.000Z",
        ] {
            assert_eq!(filtered(&server, q).await, want, "from {fi} to {ti}: {q}");
        }
        let meta = get(
            &server,
            "/customer?perPage=5&from=2024-01-01T00:00:10Z&to=2024-01-01T00:00:20Z",
        )
        .await
        .json()["meta"]
            .clone();
        assert_eq!(meta["total"], want_len);
        assert_eq!(meta["pageCount"], (want_len as u64).div_ceil(5));
    }
    // One side only, and plain dates (midnight).
    server.set_behaviour(Behaviour::default());
    assert_eq!(
        filtered(&server, "from=2024-01-01T00:00:29Z").await.len(),
        2
    );
    assert_eq!(filtered(&server, "to=2024-01-01T00:00:00Z").await.len(), 2);
    assert_eq!(filtered(&server, "from=2024-01-01").await.len(), 60);
    assert_eq!(filtered(&server, "to=2023-12-31").await.len(), 0);
    // A fraction of a second rounds to the next whole second for `from`.
    assert_eq!(
        filtered(&server, "from=2024-01-01T00:00:28.500Z")
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn bad_dates_are_400() {
    let server = dense().await;
    for (q, msg) in [
        ("from=yesterday", "Invalid 'from' date"),
        ("to=2024-13-01", "Invalid 'to' date"),
    ] {
        let got = get(&server, &format!("/customer?{q}")).await;
        assert_eq!(got.status, 400);
        assert_eq!(got.json(), json!({"status": false, "message": msg}));
    }
}

#[tokio::test]
async fn page_cap_behaviours() {
    let server = FakePaystack::start(Options {
        records: [("refunds", 95)].into(),
        behaviour: Behaviour {
            max_per_page: Some(20),
            ..Behaviour::default()
        },
        ..options(&[])
    })
    .await
    .unwrap();
    let got = get(&server, "/refund?perPage=50&page=2").await.json();
    assert_eq!(got["data"].as_array().unwrap().len(), 20);
    assert_eq!(got["meta"]["perPage"], 20);
    assert_eq!(got["meta"]["skipped"], 20);
    assert_eq!(got["meta"]["pageCount"], 5);
    // Paging by the cap still reaches every record.
    assert_eq!(all_pages(&server, "/refund", "", 50).await.len(), 95);

    server.set_behaviour(Behaviour {
        max_per_page: Some(20),
        page_count_from_requested: true,
        ..Behaviour::default()
    });
    let got = get(&server, "/refund?perPage=50").await.json();
    assert_eq!(got["data"].as_array().unwrap().len(), 20);
    assert_eq!(got["meta"]["pageCount"], 2, "95 / 50 rounded up");

    server.set_behaviour(Behaviour {
        per_page_as_string: true,
        ..Behaviour::default()
    });
    let got = get(&server, "/refund?perPage=30").await.json();
    assert_eq!(got["meta"]["perPage"], "30");
    assert_eq!(got["data"].as_array().unwrap().len(), 30);

    server.set_behaviour(Behaviour {
        omit_meta: true,
        ..Behaviour::default()
    });
    let got = get(&server, "/refund?perPage=30").await.json();
    assert!(got.get("meta").is_none());
    assert_eq!(got["status"], true);
    assert_eq!(got["data"].as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let server = start(&[]).await;
    for path in ["/nope", "/customers", "/transaction/totals", "/"] {
        let got = get(&server, path).await;
        assert_eq!(got.status, 404, "{path}");
        assert_eq!(got.json(), json!({"status": false, "message": "Not found"}));
    }
    let resp = crate::support::client()
        .post(format!("{}/customer", server.uri()))
        .bearer_auth(crate::support::KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn a_million_records_page_quickly() {
    let server = FakePaystack::start(Options {
        records: [("transactions", 1_000_000)].into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let got = get(
        &server,
        "/transaction?perPage=100&page=2000&from=2025-01-01T00:00:00Z&to=2025-06-30T23:59:59Z",
    )
    .await
    .json();
    let total = got["meta"]["total"].as_u64().unwrap();
    assert!((200_000..300_000).contains(&total), "{total}");
    assert_eq!(got["data"].as_array().unwrap().len(), 100);
    assert_eq!(server.total("transactions"), 1_000_000);
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let server = FakePaystack::start(Options {
        latency: std::time::Duration::from_millis(150),
        latency_jitter: std::time::Duration::from_millis(50),
        ..options(&[("customers", 3)])
    })
    .await
    .unwrap();
    for path in ["/customer", "/nope"] {
        let started = std::time::Instant::now();
        get(&server, path).await;
        let took = started.elapsed();
        assert!(
            took >= std::time::Duration::from_millis(150),
            "{path}: {took:?}"
        );
    }
    // Admin paths are not delayed (nor counted).
    assert_eq!(server.stats().requests, 2);
}
