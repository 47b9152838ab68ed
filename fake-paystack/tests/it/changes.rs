//! Records changed after their creation: a new version keeps the creation
//! time and the place in every list, and is served with its new `updatedAt`
//! and changed field everywhere (pages, `record`, `/__admin/records`);
//! unchanged records stay byte-identical.

use chrono::{DateTime, Utc};
use fake_paystack::changes::Kind;
use fake_paystack::{ENDPOINTS, FakePaystack, Options, TimeFormat};
use serde_json::Value;

use crate::records::{undrift, validator};
use crate::support::{admin_get, all_pages, client, get, start, t};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn record(server: &FakePaystack, stream: &str, id: u64) -> Value {
    json(&server.record(stream, id).unwrap())
}

/// The record's `updatedAt` (or `updated_at`), if it has one.
fn updated(r: &Value) -> Option<DateTime<Utc>> {
    let at = r.get("updatedAt").or_else(|| r.get("updated_at"))?;
    Some(fake_paystack::time::parse_datetime(at.as_str()?).unwrap())
}

fn ids(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

/// Whole-millisecond bounds around a change made between `t0` and `t1`.
fn within(at: DateTime<Utc>, t0: DateTime<Utc>, t1: DateTime<Utc>) -> bool {
    let ms = at.timestamp_millis();
    ms >= t0.timestamp_millis() && ms <= t1.timestamp_millis() + 1
}

#[tokio::test]
async fn a_changed_record_keeps_its_place_in_every_list_and_shows_its_new_version() {
    let server = start(&[("customers", 120)]).await;
    let filter = "from=2024-03-01T00:00:00.000Z&to=2025-06-01T00:00:00.000Z";
    let before_all = all_pages(&server, "/customer", "", 7).await;
    let before_filtered = all_pages(&server, "/customer", filter, 5).await;
    let old = ids(&before_all);
    // An old record, one in the filtered window, the newest.
    let changed = [old[old.len() - 3], ids(&before_filtered)[4], old[0]];
    let t0 = Utc::now();
    assert_eq!(server.change("customers", &changed), 3);
    let t1 = Utc::now();
    let after_all = all_pages(&server, "/customer", "", 7).await;
    let after_filtered = all_pages(&server, "/customer", filter, 5).await;
    assert_eq!(ids(&after_all), old, "the same order");
    assert_eq!(ids(&after_filtered), ids(&before_filtered));
    for (before, after) in [
        (&before_all, &after_all),
        (&before_filtered, &after_filtered),
    ] {
        for (b, a) in before.iter().zip(after.iter()) {
            let id = a["id"].as_u64().unwrap();
            if !changed.contains(&id) {
                assert_eq!(a, b, "unchanged {id}");
                continue;
            }
            assert_eq!(a["createdAt"], b["createdAt"], "{id}");
            assert!(within(updated(a).unwrap(), t0, t1), "{id}: {a}");
            assert_ne!(a["risk_action"], b["risk_action"], "{id}");
            let mut rest = a.clone();
            rest["risk_action"] = b["risk_action"].clone();
            rest["updatedAt"] = b["updatedAt"].clone();
            assert_eq!(&rest, b, "nothing else changed");
            assert_eq!(server.version("customers", id), 1);
            // `record` serves the current version, as the list does.
            assert_eq!(&record(&server, "customers", id), a);
        }
    }
    // Cursor paging: the same order, the changed records in their new form.
    let mut cursor = Vec::new();
    let mut next = String::new();
    loop {
        let got = get(
            &server,
            &format!("/customer?use_cursor=true&perPage=9{next}"),
        )
        .await;
        let page = got.json();
        cursor.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["meta"]["next"].as_str() {
            Some(c) => next = format!("&next={c}"),
            None => break,
        }
    }
    assert_eq!(cursor, after_all);
}

#[tokio::test]
async fn unchanged_pages_are_byte_identical() {
    let server = start(&[("transactions", 60)]).await;
    let page = |n: u32| format!("/transaction?perPage=10&page={n}");
    let first = get(&server, &page(1)).await.text;
    let last = get(&server, &page(6)).await.text;
    let oldest = server.all_ids("transactions")[0];
    assert_eq!(server.change("transactions", &[oldest]), 1);
    assert_eq!(get(&server, &page(1)).await.text, first, "no change on it");
    let changed = get(&server, &page(6)).await.text;
    assert_ne!(changed, last);
    let (b, a) = (json(&last), json(&changed));
    let at = a["data"].as_array().unwrap().len() - 1;
    assert_eq!(a["data"][at]["id"], oldest);
    assert_eq!(a["data"][at]["createdAt"], b["data"][at]["createdAt"]);
    assert_ne!(a["data"][at]["status"], b["data"][at]["status"]);
    assert_eq!(a["meta"], b["meta"]);
}

#[tokio::test]
async fn changing_twice_gives_a_newer_version_and_unknown_ids_are_ignored() {
    let server = start(&[("subscriptions", 30)]).await;
    let id = server.all_ids("subscriptions")[3];
    assert_eq!(server.version("subscriptions", id), 0);
    let v0 = record(&server, "subscriptions", id);
    server.change("subscriptions", &[id]);
    let v1 = record(&server, "subscriptions", id);
    server.change("subscriptions", &[id]);
    let v2 = record(&server, "subscriptions", id);
    assert_eq!(server.version("subscriptions", id), 2);
    // Paystack's lifecycle: active → non-renewing → cancelled → active.
    let cycle = ["active", "non-renewing", "cancelled"];
    let at = |v: &Value| cycle.iter().position(|s| v["status"] == *s).unwrap();
    assert_eq!(at(&v1), (at(&v0) + 1) % 3, "{v0} {v1}");
    assert_eq!(at(&v2), (at(&v0) + 2) % 3);
    assert_eq!(v2["createdAt"], v0["createdAt"]);
    // Unknown ids, of this stream or none, are ignored.
    let n = server.change("subscriptions", &[1, id + 1000, id]);
    assert_eq!(n, 1);
    assert_eq!(server.version("subscriptions", id), 3);
    assert_eq!(server.version("subscriptions", 1), 0);
    assert_eq!(server.record("subscriptions", 1), None);
    // A change at a given time (a simulated clock): that time, or 1 ms
    // after the previous version's when that is later.
    let when = t("2026-02-03T04:05:06.789Z");
    assert_eq!(server.change_at("subscriptions", &[id], when), 1);
    assert_eq!(server.version("subscriptions", id), 4);
    let customers = start(&[("customers", 5)]).await;
    let ids = customers.all_ids("customers");
    customers.change_at("customers", &[ids[1]], when);
    let updated_at = |id| record(&customers, "customers", id)["updatedAt"].clone();
    assert_eq!(updated_at(ids[1]), "2026-02-03T04:05:06.789Z");
    customers.change_at("customers", &[ids[1]], t("2025-01-01T00:00:00Z"));
    assert_eq!(updated_at(ids[1]), "2026-02-03T04:05:06.790Z");
    // updatedAt moves forward at each version.
    let id = ids[0];
    let mut last = updated(&record(&customers, "customers", id)).unwrap();
    for v in 1..=5 {
        customers.change("customers", &[id]);
        let now = updated(&record(&customers, "customers", id)).unwrap();
        assert!(now > last, "version {v}: {now} after {last}");
        last = now;
    }
}

/// Every stream, child streams included: a change keeps the creation time,
/// sets `updatedAt`/`updated_at` where the record has one, changes the
/// stream's field where the record has it, and the record still validates
/// against its schema (its drift undone).
#[test]
fn every_stream_changes_by_its_table_row() {
    let server = FakePaystack::spawn(Options {
        default_records: 40,
        ..Default::default()
    })
    .unwrap();
    for e in ENDPOINTS {
        let validator = validator(e);
        let all = server.all_ids(e.stream);
        let picked: Vec<u64> = all.iter().copied().step_by(3).collect();
        let before: Vec<Value> = picked
            .iter()
            .map(|&id| record(&server, e.stream, id))
            .collect();
        let t0 = Utc::now();
        assert_eq!(
            server.change(e.stream, &picked),
            picked.len(),
            "{}",
            e.stream
        );
        let t1 = Utc::now();
        let mut field_changed = 0;
        for (b, &id) in before.iter().zip(&picked) {
            let mut a = record(&server, e.stream, id);
            assert_eq!(server.version(e.stream, id), 1);
            if let Some(field) = e.cursor_field {
                assert_eq!(a[field], b[field], "{} {id}", e.stream);
            }
            match updated(b) {
                Some(_) => assert!(within(updated(&a).unwrap(), t0, t1), "{} {id}", e.stream),
                None => {
                    assert!(a.get("updatedAt").is_none() && a.get("updated_at").is_none());
                }
            }
            let mut rest = a.clone();
            for f in ["updatedAt", "updated_at"] {
                if b.get(f).is_some() {
                    rest[f] = b[f].clone();
                }
            }
            if let Some(c) = e.change {
                if a[c.field] != b[c.field] {
                    field_changed += 1;
                    match c.kind {
                        Kind::Cycle(values) => assert!(
                            values.contains(&a[c.field].to_string().as_str()),
                            "{} {id}: {}",
                            e.stream,
                            a[c.field]
                        ),
                        Kind::Add(d) => assert_eq!(
                            a[c.field].as_i64().unwrap(),
                            (b[c.field].as_i64().unwrap() + d).max(0)
                        ),
                    }
                }
                rest[c.field] = b[c.field].clone();
            }
            assert_eq!(&rest, b, "{} {id}: nothing else changes", e.stream);
            undrift(e, &mut a);
            let errors: Vec<String> = validator.iter_errors(&a).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{} {id}: {errors:?}", e.stream);
        }
        if e.change.is_some() {
            assert!(field_changed > 0, "{}: the field never changed", e.stream);
        }
    }
}

#[tokio::test]
async fn a_changed_child_keeps_its_place_in_its_parents_list() {
    let server = start(&[("settlements", 30)]).await;
    let parent = server
        .all_ids("settlements")
        .into_iter()
        .find(|&p| server.children("settlements", &p.to_string()).len() >= 3)
        .unwrap();
    let kids = server.children("settlements", &parent.to_string());
    let path = format!("/settlement/{parent}/transactions");
    let before = all_pages(&server, &path, "", 2).await;
    assert_eq!(server.change("settlement_transactions", &[kids[1]]), 1);
    let after = all_pages(&server, &path, "", 2).await;
    assert_eq!(ids(&after), ids(&before));
    let mut differ = 0;
    for (a, b) in after.iter().zip(&before) {
        if a["id"] == kids[1] {
            assert_eq!(a["createdAt"], b["createdAt"]);
            assert_ne!(a["status"], b["status"]);
            assert_eq!(a, &record(&server, "settlement_transactions", kids[1]));
            differ += 1;
        } else {
            assert_eq!(a, b);
        }
    }
    assert_eq!(differ, 1);
    assert_eq!(server.version("settlement_transactions", kids[1]), 1);
    // The parent did not change.
    assert_eq!(server.version("settlements", parent), 0);
}

#[test]
fn change_older_than_spreads_over_the_whole_history() {
    let server = FakePaystack::spawn(Options {
        records: [("transfers", 1000)].into(),
        ..Default::default()
    })
    .unwrap();
    let before = t("2025-07-01T00:00:00Z");
    let older = server.ids("transfers", t("2020-01-01T00:00:00Z"), before);
    let changed = server.change_older_than("transfers", before, 10);
    assert_eq!(changed.len(), 10);
    assert!(changed.windows(2).all(|w| w[0] < w[1]));
    for id in &changed {
        assert!(server.created_at("transfers", *id).unwrap() < before);
        assert_eq!(server.version("transfers", *id), 1);
    }
    // One in each tenth of the history before `before`.
    let n = older.len();
    for (k, id) in changed.iter().enumerate() {
        let at = older.iter().position(|x| x == id).unwrap();
        assert!(
            at >= k * n / 10 && at < (k + 1) * n / 10,
            "{k}: {at} of {n}"
        );
    }
    // More than there are: all of them.
    let few = server.change_older_than("transfers", t("2024-01-02T00:00:00Z"), 100);
    assert_eq!(
        few,
        server.ids(
            "transfers",
            t("2020-01-01T00:00:00Z"),
            t("2024-01-02T00:00:00Z")
        )
    );
}

#[tokio::test]
async fn the_admin_endpoint_changes_records() {
    let server = start(&[("customers", 50), ("settlements", 10)]).await;
    let post = |q: &str| {
        let url = format!("{}/__admin/change?{q}", server.uri());
        async move {
            let resp = client().post(url).send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let ids = server.all_ids("customers");
    let (status, body) = post(&format!("stream=customers&ids={},{},1", ids[0], ids[7])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"status": true, "stream": "customers", "changed": 2, "ids": [ids[0], ids[7]]})
    );
    assert_eq!(server.version("customers", ids[7]), 1);
    let (status, body) = post(&format!(
        "stream=customers&ids={}&at=2026-03-01T10:00:00.000Z",
        ids[9]
    ))
    .await;
    assert_eq!((status, body["changed"].as_u64()), (200, Some(1)));
    assert_eq!(
        record(&server, "customers", ids[9])["updatedAt"],
        "2026-03-01T10:00:00.000Z"
    );
    let (status, body) = post("stream=customers&older_than=2025-01-01T00:00:00.000Z&count=4").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["changed"], 4);
    for id in body["ids"].as_array().unwrap() {
        let id = id.as_u64().unwrap();
        assert!(server.created_at("customers", id).unwrap() < t("2025-01-01T00:00:00Z"));
        assert!(server.version("customers", id) >= 1);
    }
    // `/__admin/records` serves the current versions.
    let got = admin_get(&server, "/__admin/records?stream=customers").await;
    let listed = got["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == ids[7])
        .unwrap()
        .clone();
    assert_eq!(listed, record(&server, "customers", ids[7]));
    assert!(updated(&listed).unwrap() > t("2026-01-01T00:00:00Z"));
    // Child streams too.
    let kid = server.all_ids("settlement_transactions")[0];
    let (status, body) = post(&format!("stream=settlement_transactions&ids={kid}")).await;
    assert_eq!((status, body["changed"].as_u64()), (200, Some(1)));
    // Bad requests.
    for q in [
        "stream=nope&ids=1",
        "stream=customers",
        "stream=customers&ids=1,x",
        "stream=customers&older_than=junk",
        "stream=customers&older_than=2025-01-01&count=-1",
        "stream=customers&ids=1&at=junk",
    ] {
        let (status, body) = post(q).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(body["status"], false);
    }
}

#[tokio::test]
async fn drift_and_the_time_format_still_apply_to_changed_records() {
    let server = start(&[("customers", 200)]).await;
    let all = server.all_ids("customers");
    let drifted: Vec<u64> = all
        .iter()
        .copied()
        .filter(|&id| record(&server, "customers", id)["metadata"].is_string())
        .collect();
    assert!(drifted.len() > 5, "{}", drifted.len());
    server.change("customers", &all);
    for id in all {
        let r = record(&server, "customers", id);
        assert_eq!(r["metadata"].is_string(), drifted.contains(&id), "{id}");
    }
    let mut b = server.behaviour();
    b.time_format = TimeFormat::Seconds;
    server.set_behaviour(b);
    let id = drifted[0];
    let r = record(&server, "customers", id);
    let at = r["updatedAt"].as_str().unwrap();
    assert!(at.ends_with('Z') && !at.contains('.'), "{at}");
}
