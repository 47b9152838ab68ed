//! The endpoints beyond the first eight: newest-first paging on each, the
//! per-endpoint `from`/`to` column, the child endpoints, and cursor paging.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use fake_paystack::{ENDPOINTS, Endpoint, FakePaystack, Options, Paging};
use serde_json::{Value, json};

use crate::support::{all_pages, get, t};

/// 90 records per top-level stream over 30 days: three per day.
async fn server() -> FakePaystack {
    FakePaystack::start(Options {
        default_records: 90,
        end: t("2024-01-31T00:00:00Z"),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// The first eight endpoints (tested in `listing`).
const CORE: [&str; 8] = [
    "customers",
    "disputes",
    "invoices",
    "refunds",
    "settlements",
    "subscriptions",
    "transactions",
    "transfers",
];

fn new_top_level() -> impl Iterator<Item = &'static Endpoint> {
    ENDPOINTS
        .iter()
        .filter(|e| !e.is_child() && !CORE.contains(&e.stream))
}

/// Every record of a cursor-paged path, following `meta.next`; checks the
/// meta of every page.
async fn all_cursor_pages(server: &FakePaystack, path: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let cursor = next
            .as_ref()
            .map_or(String::new(), |c| format!("&next={c}"));
        let got = get(server, &format!("{path}?{query}{cursor}")).await;
        assert_eq!(got.status, 200, "{}", got.text);
        let body = got.json();
        let meta = &body["meta"];
        assert_eq!(meta.as_object().unwrap().len(), 3, "{meta}");
        assert_eq!(meta["previous"].is_null(), pages == 0, "{meta}");
        out.extend(body["data"].as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 1000);
        match meta["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => break,
        }
    }
    out
}

/// Newest first: descending creation time (the store's, also for streams
/// that do not render it), then descending id.
fn assert_newest_first(server: &FakePaystack, stream: &str, ids: &[u64]) {
    let keys: Vec<(DateTime<Utc>, u64)> = ids
        .iter()
        .map(|id| (server.created_at(stream, *id).unwrap(), *id))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "{stream}: newest first");
}

fn ids_of(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_new_endpoint_lists_newest_first_without_gaps_or_duplicates() {
    let server = server().await;
    for e in new_top_level() {
        // Inserted records (some in the past) take part in the order.
        server.insert_now(e.stream, 2);
        server.insert_at(e.stream, t("2024-01-10T12:00:00Z"), 2);
        let records = if e.paging == Paging::Cursor {
            all_cursor_pages(&server, e.path, "perPage=7").await
        } else {
            all_pages(&server, e.path, "", 7).await
        };
        let ids = ids_of(&records);
        assert_eq!(ids.len(), 94, "{}", e.stream);
        let unique: HashSet<u64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{}: no duplicates", e.stream);
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, server.all_ids(e.stream), "{}: no gaps", e.stream);
        assert_newest_first(&server, e.stream, &ids);
        for r in &records {
            let want: Value =
                serde_json::from_str(&server.record(e.stream, r["id"].as_u64().unwrap()).unwrap())
                    .unwrap();
            assert_eq!(r, &want, "{}: the served record is the record", e.stream);
        }
    }
}

#[tokio::test]
async fn from_and_to_are_honoured_only_where_documented() {
    let server = server().await;
    let (from, to) = ("2024-01-05T00:00:00Z", "2024-01-12T00:00:00Z");
    let honoured: Vec<&str> = ENDPOINTS
        .iter()
        .filter(|e| !e.is_child() && e.honours_from_to)
        .map(|e| e.stream)
        .collect();
    for s in [
        "plans",
        "products",
        "payment_pages",
        "splits",
        "transfer_recipients",
        "bulk_charges",
        "balance_history",
        "orders",
    ] {
        assert!(honoured.contains(&s), "{s}");
    }
    for e in new_top_level() {
        let query = format!("from={from}&to={to}");
        let records = if e.paging == Paging::Cursor {
            all_cursor_pages(&server, e.path, &format!("perPage=9&{query}")).await
        } else {
            all_pages(&server, e.path, &query, 9).await
        };
        let mut got = ids_of(&records);
        got.sort_unstable();
        let all = server.all_ids(e.stream);
        if e.honours_from_to {
            // Both ends inclusive (the default behaviour).
            let want: Vec<u64> = all
                .iter()
                .copied()
                .filter(|id| {
                    let at = server.created_at(e.stream, *id).unwrap();
                    at >= t(from) && at <= t(to)
                })
                .collect();
            assert_eq!(want.len(), 22, "{}", e.stream);
            assert_eq!(got, want, "{} honours from/to", e.stream);
            let bad = get(&server, &format!("{}?from=yesterday", e.path)).await;
            assert_eq!(bad.status, 400, "{}", e.stream);
        } else {
            assert!(
                [
                    "subaccounts",
                    "dedicated_accounts",
                    "terminals",
                    "virtual_terminals",
                    "storefronts"
                ]
                .contains(&e.stream),
                "{}",
                e.stream
            );
            assert_eq!(got, all, "{} ignores from/to", e.stream);
            // Ignored means not even parsed.
            let bad = get(&server, &format!("{}?from=yesterday&to=nope", e.path)).await;
            assert_eq!(bad.status, 200, "{}", e.stream);
        }
    }
}

/// The path of the child endpoint `e` for parent key `key`.
fn child_path(e: &Endpoint, key: &str) -> String {
    let (a, b) = (e.path.find('{').unwrap(), e.path.find('}').unwrap());
    format!("{}{key}{}", &e.path[..a], &e.path[b + 1..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_endpoints_list_the_children_of_one_parent() {
    let server = server().await;
    for e in ENDPOINTS.iter().filter(|e| e.is_child()) {
        let parent = e.parent.unwrap();
        // A parent inserted now brings its children.
        server.insert_now(parent.stream, 3);
        let mut seen = HashSet::new();
        let mut childless = 0;
        let mut from_to_checked = false;
        for pid in server.all_ids(parent.stream) {
            let key = server.parent_key(parent.stream, pid).unwrap();
            let path = child_path(e, &key);
            let want = server.children(parent.stream, &key);
            let records = all_pages(&server, &path, "", 3).await;
            let ids = ids_of(&records);
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, want, "{path}");
            assert_newest_first(&server, e.stream, &ids);
            for id in &ids {
                assert!(seen.insert(*id), "{id} is unique across parents");
            }
            if want.is_empty() {
                childless += 1;
                let body = get(&server, &path).await.json();
                assert_eq!(body["data"], json!([]));
                assert_eq!(body["meta"]["total"], 0);
            }
            // from/to filter on the children's own creation time.
            if want.len() >= 4 && !from_to_checked {
                let times: Vec<DateTime<Utc>> = want
                    .iter()
                    .map(|id| server.created_at(e.stream, *id).unwrap())
                    .collect();
                let (lo, hi) = (times[1], times[times.len() - 2]);
                let iso = |d: DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let q = format!("from={}&to={}", iso(lo), iso(hi));
                let mut got = ids_of(&all_pages(&server, &path, &q, 2).await);
                got.sort_unstable();
                let expect: Vec<u64> = want
                    .iter()
                    .zip(&times)
                    .filter(|(_, at)| **at >= lo && **at <= hi)
                    .map(|(id, _)| *id)
                    .collect();
                assert!(expect.len() < want.len());
                assert_eq!(got, expect, "{path}?{q}");
                from_to_checked = true;
            }
        }
        assert!(from_to_checked, "{}", e.stream);
        assert!(childless > 0, "{}: some parents have no children", e.stream);
        assert_eq!(seen.len() as u64, server.total(e.stream));
        let mut all: Vec<u64> = seen.into_iter().collect();
        all.sort_unstable();
        assert_eq!(all, server.all_ids(e.stream));
    }
}

#[tokio::test]
async fn unknown_parents_are_404() {
    let server = server().await;
    for (path, message) in [
        ("/settlement/1/transactions", "Settlement not found"),
        ("/settlement/abc/transactions", "Settlement not found"),
        ("/settlement/3050090/transactions", "Settlement not found"),
        ("/bulkcharge/BCH_nope/charges", "Bulk charge not found"),
        ("/bulkcharge/66570001/charges", "Bulk charge not found"),
        (
            "/bulkcharge/BCH_aaaaaaaaaaaa/charges",
            "Bulk charge not found",
        ),
    ] {
        let got = get(&server, path).await;
        assert_eq!(got.status, 404, "{path}");
        assert_eq!(got.json(), json!({"status": false, "message": message}));
    }
    // The last settlement exists (ids 3050000..3050089).
    assert_eq!(
        get(&server, "/settlement/3050089/transactions")
            .await
            .status,
        200
    );
    // Not a child path at all.
    for path in [
        "/settlement//transactions",
        "/settlement/1/transaction",
        "/bulkcharge/x",
    ] {
        let got = get(&server, path).await;
        assert_eq!(
            got.json(),
            json!({"status": false, "message": "Not found"}),
            "{path}"
        );
    }
    // Auth comes before the parent lookup.
    let got = crate::support::get_with(&server, "/settlement/1/transactions", Some("sk_x")).await;
    assert_eq!(got.status, 401);
}

#[tokio::test]
async fn child_ground_truth_follows_the_parents_creation_time() {
    let server = server().await;
    let (from, to) = (t("2024-01-05T00:00:00Z"), t("2024-01-12T00:00:00Z"));
    for (parent, child) in [
        ("settlements", "settlement_transactions"),
        ("bulk_charges", "bulk_charge_items"),
    ] {
        let mut want = Vec::new();
        for pid in server.ids(parent, from, to) {
            let key = server.parent_key(parent, pid).unwrap();
            want.extend(server.children(parent, &key));
        }
        assert!(!want.is_empty());
        assert_eq!(server.ids(child, from, to), want, "{child}");
        // Settlement transactions predate the settlement: some are before
        // `from`, yet they belong to this window.
        if child == "settlement_transactions" {
            assert!(
                want.iter()
                    .any(|id| server.created_at(child, *id).unwrap() < from)
            );
        }
    }
    // The admin endpoint agrees.
    let got = crate::support::admin_get(
        &server,
        "/__admin/ids?stream=bulk_charge_items&from=2024-01-05&to=2024-01-12",
    )
    .await;
    assert_eq!(got["ids"], json!(server.ids("bulk_charge_items", from, to)));
    let got = crate::support::client()
        .post(format!(
            "{}/__admin/insert?stream=settlement_transactions",
            server.uri()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 400);
}

#[tokio::test]
async fn children_count_under_the_pattern_path() {
    let server = server().await;
    let mut n = 0;
    for id in server.all_ids("settlements").into_iter().take(5) {
        assert_eq!(
            get(&server, &format!("/settlement/{id}/transactions"))
                .await
                .status,
            200
        );
        n += 1;
    }
    get(&server, "/settlement/1/transactions").await;
    let stats = server.stats();
    assert_eq!(stats.by_path["/settlement/{id}/transactions"], n + 1);
    assert_eq!(stats.by_path.len(), 1);
    // One rule covers every parent.
    server.push_fault(fake_paystack::FaultRule::every_on(
        "/settlement/{id}/transactions",
        fake_paystack::Fault::Status(503),
    ));
    assert_eq!(
        get(&server, "/settlement/3050001/transactions")
            .await
            .status,
        503
    );
    assert_eq!(get(&server, "/settlement").await.status, 200);
}

#[tokio::test]
async fn terminal_cursor_paging_walks_every_terminal_once() {
    let server = FakePaystack::start(Options {
        records: [("terminals", 103)].into(),
        ..Default::default()
    })
    .await
    .unwrap();
    for per_page in [
        "perPage=10",
        "per_page=10",
        "perPage=10&page=3",
        "perPage=103",
        "perPage=500",
    ] {
        let records = all_cursor_pages(&server, "/terminal", per_page).await;
        let ids = ids_of(&records);
        assert_eq!(ids.len(), 103, "{per_page}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 103);
        assert_newest_first(&server, "terminals", &ids);
    }
    // The first page: newest 10, next cursor, no previous; `page` ignored.
    let first = get(&server, "/terminal?perPage=10&page=5").await.json();
    assert_eq!(first["message"], "Terminals retrieved successfully");
    let ids = ids_of(first["data"].as_array().unwrap());
    let all = server.all_ids("terminals");
    let newest: Vec<u64> = all.iter().rev().take(10).copied().collect();
    assert_eq!(ids, newest);
    assert_eq!(first["meta"]["previous"], Value::Null);
    assert_eq!(first["meta"]["perPage"], 10);
    let next = first["meta"]["next"].as_str().unwrap().to_owned();
    // The cursor is opaque: base64 of `terminal:<id>`.
    assert_eq!(next, "dGVybWluYWw6MTA5Mw==", "terminal:1093");
    let second = get(&server, &format!("/terminal?perPage=10&next={next}"))
        .await
        .json();
    let second_ids = ids_of(second["data"].as_array().unwrap());
    assert_eq!(
        second_ids,
        all.iter()
            .rev()
            .skip(10)
            .take(10)
            .copied()
            .collect::<Vec<_>>()
    );
    // `previous` goes back to the first page.
    let prev = second["meta"]["previous"].as_str().unwrap().to_owned();
    let back = get(&server, &format!("/terminal?perPage=10&previous={prev}"))
        .await
        .json();
    assert_eq!(ids_of(back["data"].as_array().unwrap()), newest);
    assert_eq!(back["meta"]["previous"], Value::Null);
    // A bad cursor.
    for bad in ["nope", "dW5kZWZpbmVkOjE2NjU3MDM4", "dGVybWluYWw6OTk5OTk5"] {
        let got = get(&server, &format!("/terminal?next={bad}")).await;
        assert_eq!(got.status, 400, "{bad}");
        assert_eq!(
            got.json(),
            json!({"status": false, "message": "Invalid cursor"})
        );
    }
    // No terminals: one empty page, next null.
    let empty = FakePaystack::start(Options::default()).await.unwrap();
    let got = get(&empty, "/terminal").await.json();
    assert_eq!(got["data"], json!([]));
    assert_eq!(
        got["meta"],
        json!({"next": null, "previous": null, "perPage": 50})
    );
}

#[tokio::test]
async fn use_cursor_on_the_endpoints_that_document_it() {
    let server = server().await;
    for e in ENDPOINTS
        .iter()
        .filter(|e| e.paging == Paging::OffsetOrCursor)
    {
        assert!(
            [
                "customers",
                "transactions",
                "transfers",
                "transfer_recipients"
            ]
            .contains(&e.stream)
        );
        server.insert_at(e.stream, t("2024-01-10T12:00:00Z"), 3);
        let records = all_cursor_pages(&server, e.path, "use_cursor=true&perPage=8").await;
        let mut ids = ids_of(&records);
        assert_newest_first(&server, e.stream, &ids);
        ids.sort_unstable();
        assert_eq!(ids, server.all_ids(e.stream), "{}", e.stream);
        // With from/to: the cursor walks the filtered records.
        let q = "use_cursor=true&perPage=4&from=2024-01-05T00:00:00Z&to=2024-01-12T00:00:00Z";
        let got = ids_of(&all_cursor_pages(&server, e.path, q).await);
        assert_eq!(got.len(), 25, "{}", e.stream);
        // Without use_cursor: offset meta.
        let body = get(&server, e.path).await.json();
        assert!(body["meta"]["pageCount"].is_u64());
    }
    // Elsewhere `use_cursor` means nothing.
    let body = get(&server, "/plan?use_cursor=true").await.json();
    assert!(body["meta"]["pageCount"].is_u64());
}

#[tokio::test]
async fn grow_every_on_a_child_endpoint_grows_its_parent() {
    let server = FakePaystack::start(Options {
        records: [("settlements", 5)].into(),
        grow_every: Some(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let first = server.all_ids("settlements")[0];
    let got = get(&server, &format!("/settlement/{first}/transactions")).await;
    assert_eq!(got.status, 200);
    assert_eq!(server.total("settlements"), 6);
    assert_eq!(server.stats().inserted, 1);
    // The new settlement's transactions are served under it.
    let new = *server.all_ids("settlements").last().unwrap();
    let want = server.children("settlements", &new.to_string());
    let got = get(
        &server,
        &format!("/settlement/{new}/transactions?perPage=50"),
    )
    .await;
    let mut ids = ids_of(got.json()["data"].as_array().unwrap());
    ids.sort_unstable();
    assert_eq!(ids, want);
}
