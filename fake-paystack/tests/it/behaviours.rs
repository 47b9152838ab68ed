//! What the fake serves under the switches of `Behaviour` that shape
//! records and ordering: the time format, the order of ties within a
//! second, the precision of `from`/`to`, and `"null"` cursors.

use fake_paystack::{BoundPrecision, FakePaystack, Options, TieOrder, TimeFormat};
use serde_json::Value;

use crate::support::*;

/// 60 customers, terminals and settlements (with their transactions) over
/// 30 seconds: two records per second, from 2024-01-01T00:00:00Z on.
async fn dense(behaviour: fake_paystack::Behaviour) -> FakePaystack {
    FakePaystack::start(Options {
        records: [("customers", 60), ("terminals", 60), ("settlements", 60)].into(),
        end: t("2024-01-01T00:00:30Z"),
        behaviour,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn with(f: impl FnOnce(&mut fake_paystack::Behaviour)) -> fake_paystack::Behaviour {
    let mut b = fake_paystack::Behaviour::default();
    f(&mut b);
    b
}

#[tokio::test]
async fn date_times_in_each_format_are_the_same_instants() {
    let server = dense(fake_paystack::Behaviour::default()).await;
    let page = |server: &FakePaystack| {
        let server = server.uri();
        async move {
            let got = client()
                .get(format!("{server}/customer?perPage=60"))
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap();
            got.json::<Value>().await.unwrap()["data"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let millis = page(&server).await;
    // After `2024-01-01T00:00:00`: the fraction and zone of each format.
    for (format, tail) in [
        (TimeFormat::Millis, ".000Z"),
        (TimeFormat::Seconds, "Z"),
        (TimeFormat::Offset, "+01:00"),
    ] {
        server.set_behaviour(with(|b| b.time_format = format));
        let shape = |text: &str| {
            text.len() == 19 + tail.len()
                && text.as_bytes()[10] == b'T'
                && (text.ends_with(tail) || (tail == ".000Z" && text.as_bytes()[19] == b'.'))
        };
        let records = page(&server).await;
        assert_eq!(records.len(), 60);
        for (r, m) in records.iter().zip(&millis) {
            for field in ["createdAt", "updatedAt"] {
                let text = r[field].as_str().unwrap();
                assert!(shape(text), "{format:?} {field}: {text}");
                let want = t(m[field].as_str().unwrap());
                // Seconds and offset drop a fraction of a second.
                let got = t(text);
                assert!(want - got < chrono::TimeDelta::seconds(1), "{text}");
                if field == "createdAt" {
                    assert_eq!(got, want, "{format:?}: the same instant");
                    assert_eq!(
                        Some(got),
                        server.created_at("customers", r["id"].as_u64().unwrap())
                    );
                }
            }
        }
        let id = records[0]["id"].as_u64().unwrap();
        let one: Value = serde_json::from_str(&server.record("customers", id).unwrap()).unwrap();
        assert_eq!(one, records[0], "server.record follows the format");
    }
}

/// `(id, createdAt)` of every record of `path`, paging 7 at a time.
async fn listed(server: &FakePaystack, path: &str) -> Vec<(u64, String)> {
    all_pages(server, path, "", 7)
        .await
        .iter()
        .map(|r| {
            (
                r["id"].as_u64().unwrap(),
                r["createdAt"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The ids of a cursor list, following `meta.next` from `path_and_query`.
async fn walk(server: &FakePaystack, path_and_query: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let q = next.map_or(String::new(), |c| format!("&next={c}"));
        let body = get(server, &format!("{path_and_query}{q}")).await.json();
        let data = body["data"].as_array().unwrap();
        ids.extend(data.iter().map(|r| r["id"].as_u64().unwrap()));
        match body["meta"]["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn ties_within_a_second_follow_the_switch() {
    let server = dense(fake_paystack::Behaviour::default()).await;
    let mut orders = Vec::new();
    for ties in [
        TieOrder::IdDescending,
        TieOrder::IdAscending,
        TieOrder::Shuffled,
    ] {
        server.set_behaviour(with(|b| b.ties = ties));
        let got = listed(&server, "/customer").await;
        let mut ids: Vec<u64> = got.iter().map(|r| r.0).collect();
        // Newest first, each record once.
        assert!(got.windows(2).all(|w| w[0].1 >= w[1].1), "{ties:?}");
        let tied = got.windows(2).filter(|w| w[0].1 == w[1].1);
        let pairs: Vec<(u64, u64)> = tied.map(|w| (w[0].0, w[1].0)).collect();
        assert_eq!(pairs.len(), 30, "two records a second: 30 ties");
        match ties {
            TieOrder::IdDescending => assert!(pairs.iter().all(|(a, b)| a > b)),
            TieOrder::IdAscending => assert!(pairs.iter().all(|(a, b)| a < b)),
            TieOrder::Shuffled => {
                let up = pairs.iter().filter(|(a, b)| a < b).count();
                assert!((5..25).contains(&up), "{up} of 30 ascending");
            }
            TieOrder::PerPage => unreachable!("not in this list"),
        }
        assert_eq!(got, listed(&server, "/customer").await, "deterministic");
        orders.push(got.clone());
        ids.sort_unstable();
        assert_eq!(ids, server.all_ids("customers"), "{ties:?}");
    }
    // The cursor list walks the same order through `next`.
    server.set_behaviour(with(|b| b.ties = TieOrder::IdAscending));
    let ids = walk(&server, "/customer?use_cursor=true&perPage=7").await;
    let want: Vec<u64> = orders[1].iter().map(|r| r.0).collect();
    assert_eq!(ids, want, "cursor pages in the ascending-tie order");
    // A settlement's transactions are in the same order as their times.
    let settlement = server.all_ids("settlements")[59];
    let kids = listed(&server, &format!("/settlement/{settlement}/transactions")).await;
    assert!(kids.windows(2).all(|w| w[0].1 >= w[1].1));
}

#[tokio::test]
async fn ties_drawn_anew_on_each_page_can_be_served_twice_or_not_at_all() {
    let server = dense(with(|b| b.ties = TieOrder::PerPage)).await;
    // Pages of 7 cut the pairs of each second: some come twice, some never.
    let got = listed(&server, "/customer").await;
    assert_eq!(
        got,
        listed(&server, "/customer").await,
        "the same query, the same page"
    );
    assert!(
        got.windows(2).all(|w| w[0].1 >= w[1].1),
        "still newest first"
    );
    let mut ids: Vec<u64> = got.iter().map(|r| r.0).collect();
    assert_eq!(ids.len(), 60, "60 served in all");
    ids.sort_unstable();
    ids.dedup();
    assert!(
        ids.len() < 60,
        "a tie served on two pages, so another on none"
    );
    let first = get(&server, "/customer?perPage=60").await.ids();
    assert_eq!(first.len(), 60, "one page holds every record once");
    // A cursor names its record: cursor pages walk one order.
    let mut walked = walk(&server, "/terminal?perPage=7").await;
    walked.sort_unstable();
    assert_eq!(walked, server.all_ids("terminals"));
}

#[tokio::test]
async fn a_fraction_of_a_second_in_from_and_to_is_read_as_the_switch_says() {
    let server = dense(fake_paystack::Behaviour::default()).await;
    let count = |server: &FakePaystack, q: &'static str| {
        let server = server.uri();
        async move {
            client()
                .get(format!("{server}/customer?{q}"))
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["meta"]["total"]
                .as_u64()
                .unwrap()
        }
    };
    // Two records a second; records at 00:00:09 and 00:00:10 are around
    // the bounds.
    let q = "from=2024-01-01T00:00:09.600Z&to=2024-01-01T00:00:19.999Z";
    for (precision, to_inclusive, want) in [
        // [10, 19]
        (BoundPrecision::Millis, true, 20),
        (BoundPrecision::Millis, false, 20),
        // from 00:00:09, to 00:00:19: [9, 19], then [9, 18]
        (BoundPrecision::Truncated, true, 22),
        (BoundPrecision::Truncated, false, 20),
        // from 00:00:10, to 00:00:20: [10, 20], then [10, 19]
        (BoundPrecision::Rounded, true, 22),
        (BoundPrecision::Rounded, false, 20),
    ] {
        server.set_behaviour(with(|b| {
            b.bound_precision = precision;
            b.to_inclusive = to_inclusive;
        }));
        assert_eq!(
            count(&server, q).await,
            want,
            "{precision:?} to_inclusive {to_inclusive}"
        );
    }
}

#[tokio::test]
async fn absent_cursors_can_be_the_string_null() {
    let server = dense(with(|b| b.null_cursor_as_string = true)).await;
    let first = get(&server, "/terminal?perPage=50").await.json();
    assert_eq!(first["meta"]["previous"], "null");
    let next = first["meta"]["next"].as_str().unwrap().to_owned();
    let last = get(&server, &format!("/terminal?perPage=50&next={next}"))
        .await
        .json();
    assert_eq!(last["data"].as_array().unwrap().len(), 10);
    assert_eq!(last["meta"]["next"], "null", "the last page");
    assert_ne!(last["meta"]["previous"], "null");
    server.set_behaviour(fake_paystack::Behaviour::default());
    let first = get(&server, "/terminal?perPage=50").await.json();
    assert_eq!(
        first["meta"]["previous"],
        Value::Null,
        "JSON null by default"
    );
}
