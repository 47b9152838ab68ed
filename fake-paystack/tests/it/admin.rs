//! Records created "now", ground truth (ids, totals), the admin endpoints,
//! stats, and shutdown.

use chrono::{Duration as Span, Utc};
use fake_paystack::{FakePaystack, Options};
use serde_json::Value;

use crate::support::{client, get, options, start, t};

#[tokio::test]
async fn insert_now_appends_the_newest_records() {
    let server = start(&[("customers", 100)]).await;
    let before = Utc::now() - Span::seconds(1);
    let ids = server.insert_now("customers", 3);
    assert_eq!(ids, [181_000_100, 181_000_101, 181_000_102]);
    assert_eq!(server.total("customers"), 103);
    // Newest first: the inserted ones lead page 1, highest id first.
    let got = get(&server, "/customer?perPage=4").await;
    assert_eq!(
        got.ids(),
        [181_000_102, 181_000_101, 181_000_100, 181_000_099]
    );
    let first = &got.json()["data"][0];
    let created = t(first["createdAt"].as_str().unwrap());
    assert!(created >= before && created <= Utc::now());
    assert_eq!(got.json()["meta"]["total"], 103);
    // Ground truth: [from, to).
    let after = Utc::now() + Span::seconds(2);
    assert_eq!(server.ids("customers", before, after), ids);
    let all = server.ids("customers", t("2000-01-01"), after);
    assert_eq!(all.len(), 103);
    assert_eq!(all, server.all_ids("customers"));
    // A from filter at the insertion second returns exactly them.
    let from = created.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let got = get(&server, &format!("/customer?from={from}")).await;
    assert_eq!(got.ids(), [181_000_102, 181_000_101, 181_000_100]);
    assert_eq!(server.stats().inserted, 3);
}

#[tokio::test]
async fn ids_is_half_open() {
    let server = FakePaystack::start(Options {
        records: [("settlements", 10)].into(),
        end: t("2024-01-01T00:00:10Z"),
        ..Default::default()
    })
    .await
    .unwrap();
    // One record per second, ids 3_050_000.. at 00:00:00..00:00:09.
    let ids = server.ids(
        "settlements",
        t("2024-01-01T00:00:02Z"),
        t("2024-01-01T00:00:05Z"),
    );
    assert_eq!(ids, [3_050_002, 3_050_003, 3_050_004]);
    assert!(
        server
            .ids(
                "settlements",
                t("2024-01-01T00:00:05Z"),
                t("2024-01-01T00:00:05Z")
            )
            .is_empty()
    );
    // Inserting in the past keeps the listing sorted by time.
    let old = server.insert_at("settlements", t("2024-01-01T00:00:03Z"), 1);
    assert_eq!(old, [3_050_010]);
    let ids = server.ids(
        "settlements",
        t("2024-01-01T00:00:02Z"),
        t("2024-01-01T00:00:05Z"),
    );
    assert_eq!(ids, [3_050_002, 3_050_003, 3_050_004, 3_050_010]);
    let got = get(
        &server,
        "/settlement?from=2024-01-01T00:00:02Z&to=2024-01-01T00:00:04Z",
    )
    .await;
    assert_eq!(got.ids(), [3_050_004, 3_050_010, 3_050_003, 3_050_002]);
}

#[tokio::test]
async fn admin_endpoints() {
    let server = start(&[("invoices", 20)]).await;
    let http = client();
    let resp = http
        .post(format!(
            "{}/__admin/insert?stream=invoices&count=5",
            server.uri()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["ids"].as_array().unwrap().len(), 5);
    assert_eq!(body["ids"][0], 14_000_020);
    assert_eq!(server.total("invoices"), 25);

    // An admin GET, as JSON.
    let admin = |path: &'static str| {
        let http = http.clone();
        let url = format!("{}{path}", server.uri());
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let total = admin("/__admin/total?stream=invoices").await;
    assert_eq!(total["total"], 25);

    let ids = admin("/__admin/ids?stream=invoices&from=2024-01-01&to=2030-01-01").await;
    assert_eq!(ids["count"], 25);

    // Every record, as the list endpoints serve it (drift included).
    let all = admin("/__admin/records?stream=invoices").await;
    assert_eq!(all["count"], 25);
    let records = all["records"].as_array().unwrap();
    assert_eq!(records.len(), 25);
    let want: Value =
        serde_json::from_str(&server.record("invoices", 14_000_003).unwrap()).unwrap();
    assert_eq!(records[3], want);

    let bad = http
        .post(format!("{}/__admin/insert?stream=nope", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    // Admin calls are not counted; list calls are.
    get(&server, "/paymentrequest?perPage=3").await;
    let stats: fake_paystack::Stats = http
        .get(format!("{}/__stats", server.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats, server.stats());
    assert_eq!(stats.requests, 1);
    assert_eq!(stats.by_path["/paymentrequest"], 1);
    assert_eq!(stats.records_served, 3);
    assert_eq!(stats.inserted, 5);
    server.reset_stats();
    assert_eq!(server.stats().requests, 0);
}

#[tokio::test]
async fn grow_every_inserts_while_listing() {
    let server = FakePaystack::start(Options {
        grow_every: Some(3),
        ..options(&[("transfers", 10)])
    })
    .await
    .unwrap();
    let mut totals = Vec::new();
    for _ in 0..6 {
        totals.push(
            get(&server, "/transfer?perPage=1").await.json()["meta"]["total"]
                .as_u64()
                .unwrap(),
        );
    }
    assert_eq!(totals, [10, 10, 11, 11, 11, 12]);
    assert_eq!(server.total("transfers"), 12);
    // Unauthorised requests do not count.
    crate::support::get_with(&server, "/transfer", None).await;
    assert_eq!(server.total("transfers"), 12);
}

/// `grow_in_range`: the grown record is created at the newest second the
/// query selects, so a filtered list's own `meta.total` grows while it is
/// read, and the record is one of its own (at the top, newest first).
#[tokio::test]
async fn grow_in_range_grows_the_query_being_read() {
    let server = FakePaystack::start(Options {
        grow_every: Some(2),
        grow_in_range: true,
        ..options(&[("transfers", 10)])
    })
    .await
    .unwrap();
    let from = server
        .created_at("transfers", server.all_ids("transfers")[2])
        .unwrap();
    let to = server
        .created_at("transfers", server.all_ids("transfers")[6])
        .unwrap();
    let query = format!(
        "/transfer?perPage=50&from={}&to={}",
        from.format("%Y-%m-%dT%H:%M:%S.000Z"),
        to.format("%Y-%m-%dT%H:%M:%S.000Z")
    );
    let before = get(&server, &query).await;
    let after = get(&server, &query).await;
    let total = |g: &crate::support::Got| g.json()["meta"]["total"].as_u64().unwrap();
    assert_eq!(total(&after), total(&before) + 1, "the query itself grew");
    let new = server.all_ids("transfers").last().copied().unwrap();
    assert_eq!(after.ids()[0], new, "the new record heads the list");
    assert_eq!(server.created_at("transfers", new), Some(to));
    // An unfiltered list grows with a record created now.
    get(&server, "/transfer").await;
    get(&server, "/transfer").await;
    let newest = server.all_ids("transfers").last().copied().unwrap();
    let created = server.created_at("transfers", newest).unwrap();
    assert!(created > to, "created now: {created}");
}

#[test]
fn spawned_server_works_without_a_runtime_and_stops_on_drop() {
    let server = FakePaystack::spawn(options(&[("customers", 5)])).unwrap();
    let addr = server.addr();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(get(&server, "/customer").await.ids().len(), 5);
    });
    drop(server);
    // The listener closes promptly; connecting fails soon after.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::net::TcpStream::connect(addr).is_ok() {
        assert!(std::time::Instant::now() < deadline, "still accepting");
        std::thread::yield_now();
    }
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let server = start(&[("customers", 5)]).await;
    let addr = server.addr();
    assert_eq!(get(&server, "/customer").await.status, 200);
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn bad_options_are_refused() {
    let bad = [
        Options {
            records: [("nope", 1)].into(),
            ..Default::default()
        },
        Options {
            end: t("2023-01-01"),
            ..Default::default()
        },
        Options {
            grow_every: Some(0),
            ..Default::default()
        },
    ];
    for o in bad {
        assert!(matches!(
            FakePaystack::start(o).await,
            Err(fake_paystack::Error::Config(_))
        ));
    }
}

/// With `log_requests`, every API request's path and query, as sent and in
/// order (admin calls not included), until `reset_stats`; without it, none.
#[tokio::test]
async fn the_request_log_holds_every_api_request_as_sent() {
    let server = FakePaystack::start(Options {
        log_requests: true,
        ..options(&[("customers", 5)])
    })
    .await
    .unwrap();
    get(&server, "/customer?perPage=2&page=1").await;
    get(
        &server,
        "/customer?perPage=2&from=2024-01-01T00%3A00%3A00.000Z",
    )
    .await;
    get(&server, "/settlement/7/transactions").await;
    client()
        .get(format!("{}/__admin/health", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests(),
        [
            "/customer?perPage=2&page=1",
            "/customer?perPage=2&from=2024-01-01T00%3A00%3A00.000Z",
            "/settlement/7/transactions",
        ]
    );
    server.reset_stats();
    assert!(server.requests().is_empty());

    let quiet = start(&[("customers", 5)]).await;
    get(&quiet, "/customer").await;
    assert!(quiet.requests().is_empty(), "off by default");
}
