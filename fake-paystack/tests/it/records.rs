//! Records are the connector's fixtures with ids, times and parents spliced
//! in, and the table's drift on a share of them: with the drift undone they
//! validate against the connector's schemas and carry the fields of one of
//! the stream's fixture records, on every endpoint of the table, child
//! endpoints included.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use fake_paystack::drift::{self, Kind};
use fake_paystack::{ENDPOINTS, Endpoint, FakePaystack, Options};
use serde_json::Value;

pub fn repo_file(rel: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

const PER_STREAM: u64 = 300;
const INSERTED: u64 = 20;

fn server(seed: u64) -> FakePaystack {
    FakePaystack::spawn(Options {
        default_records: PER_STREAM,
        seed,
        ..Default::default()
    })
    .unwrap()
}

/// The stream's fixture records, without the field the connector adds to
/// child records (the API does not send it).
fn fixtures(e: &Endpoint) -> Vec<Value> {
    let mut fixtures = repo_file(&format!("tests/fixtures/records/{}.json", e.stream));
    let records = fixtures.as_array_mut().unwrap();
    for r in records.iter_mut() {
        if let Some(p) = e.parent {
            let r = r.as_object_mut().unwrap();
            assert!(
                r.remove(p.connector_tag).is_some(),
                "{} fixture has {}",
                e.stream,
                p.connector_tag
            );
        }
    }
    records.clone()
}

/// Calls `f` on each value at `path` (`a.b`, `a[].b`) in `v`.
fn each_at(v: &mut Value, path: &str, f: &mut dyn FnMut(&mut Value)) {
    fn walk(v: &mut Value, parts: &[&str], f: &mut dyn FnMut(&mut Value)) {
        let Some((part, rest)) = parts.split_first() else {
            return f(v);
        };
        let (key, items) = match part.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (*part, false),
        };
        match v.get_mut(key) {
            Some(Value::Array(a)) if items => a.iter_mut().for_each(|x| walk(x, rest, f)),
            Some(x) if !items => walk(x, rest, f),
            _ => {}
        }
    }
    walk(v, &path.split('.').collect::<Vec<_>>(), f)
}

/// The validator of the stream's schema, `schemas/<stream>.json`.
pub fn validator(e: &Endpoint) -> jsonschema::Validator {
    let schema = repo_file(&format!("schemas/{}.json", e.stream));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Undoes the drift of the endpoint's table on `record`: each drifted value
/// back in its type (`""` becomes null). The paths undone, once per value.
pub fn undrift(e: &Endpoint, record: &mut Value) -> Vec<&'static str> {
    let mut undone = Vec::new();
    for d in e.drift {
        each_at(record, d.path, &mut |v| {
            let clean = match (d.kind, &*v) {
                (Kind::ZeroOne, Value::Number(n)) => n.as_u64().map(|n| Value::Bool(n == 1)),
                (Kind::TrueFalse, Value::Bool(b)) => Some(Value::from(u8::from(*b))),
                (Kind::Empty, Value::String(s)) if s.is_empty() => Some(Value::Null),
                (Kind::JsonText, Value::String(s)) => serde_json::from_str(s).ok(),
                (Kind::Digits, Value::String(s)) => s.parse::<i64>().ok().map(Value::from),
                _ => None,
            };
            if let Some(clean) = clean {
                *v = clean;
                undone.push(d.path);
            }
        });
    }
    undone
}

/// Each fixture record's top-level fields.
fn fixture_keys(e: &Endpoint) -> Vec<BTreeSet<String>> {
    fixtures(e).iter().map(keys).collect()
}

#[test]
fn every_record_validates_against_its_schema_and_has_the_fixture_fields() {
    let server = server(1);
    // One endpoint per fixture, one fixture per endpoint.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/records");
    let fixtures: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|f| f.unwrap().file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".json").map(str::to_owned))
        .collect();
    let streams: BTreeSet<String> = ENDPOINTS.iter().map(|e| e.stream.to_owned()).collect();
    assert_eq!(streams, fixtures);
    let mut checked = 0;
    for e in ENDPOINTS {
        let validator = validator(e);
        let want_keys = fixture_keys(e);
        let ids = match e.parent {
            None => {
                server.insert_now(e.stream, INSERTED);
                let ids = server.all_ids(e.stream);
                assert_eq!(ids.len() as u64, PER_STREAM + INSERTED, "{}", e.stream);
                ids
            }
            Some(p) => {
                // The parents (inserted ones included, as the parent stream
                // comes first in the table) have children.
                let ids = server.all_ids(e.stream);
                assert_eq!(ids.len() as u64, server.total(e.stream));
                let parents = server.total(p.stream);
                assert_eq!(parents, PER_STREAM + INSERTED);
                let mean = ids.len() as f64 / parents as f64;
                assert!(
                    (3.0..5.0).contains(&mean),
                    "{} per parent: {mean}",
                    e.stream
                );
                ids
            }
        };
        let mut drifted: BTreeMap<&str, usize> = e.drift.iter().map(|d| (d.path, 0)).collect();
        let records = ids.len();
        for id in ids {
            let text = server.record(e.stream, id).unwrap();
            let mut record: Value = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{} {id} is not JSON ({err}): {text}", e.stream));
            for path in undrift(e, &mut record) {
                *drifted.get_mut(path).unwrap() += 1;
            }
            let errors: Vec<String> = validator
                .iter_errors(&record)
                .map(|err| format!("{} at {}", err, err.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{} {id}: {errors:?}\n{text}", e.stream);
            assert!(
                want_keys.contains(&keys(&record)),
                "{} {id} fields: {:?}",
                e.stream,
                keys(&record)
            );
            assert_eq!(record["id"], id, "{}", e.stream);
            let created = server.created_at(e.stream, id).unwrap();
            let want = created.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            match e.cursor_field {
                Some(field) => assert_eq!(record[field], want.as_str(), "{} {id}", e.stream),
                None => {
                    for field in ["createdAt", "created_at", "updatedAt", "updated_at"] {
                        assert!(record.get(field).is_none(), "{} {id} {field}", e.stream);
                    }
                }
            }
            if let Some(p) = e.parent {
                assert!(record.get(p.connector_tag).is_none());
            }
            // Times in Unix seconds move with the creation time (the
            // fixtures' subscriptions start the second they are created).
            for field in e.unix_times {
                assert_eq!(record[*field], created.timestamp(), "{} {id}", e.stream);
            }
            match e.stream {
                "transactions" | "settlement_transactions" => {
                    assert_eq!(record["created_at"], record["createdAt"]);
                    assert!(id > u64::from(u32::MAX));
                }
                "invoices" | "dedicated_accounts" | "virtual_terminals" | "orders" => {
                    assert!(record.get("createdAt").is_none(), "{}", e.stream);
                }
                _ => {}
            }
            // Emails only ever at example.com.
            for email in emails(&record) {
                assert!(email.ends_with("@example.com"), "{email}");
            }
            checked += 1;
        }
        // Each drifting field drifts, on about one record in four of
        // those whose fixture record has it.
        for (path, n) in drifted {
            let share = n as f64 / records as f64;
            let most = 1.5 / drift::ONE_IN as f64;
            assert!(
                n > 0 && share < most,
                "{} {path}: {n} of {records}",
                e.stream
            );
        }
    }
    assert!(checked > 21 * 320, "{checked}");
}

#[test]
fn child_records_belong_to_their_parent() {
    let server = server(3);
    // Settlement transactions: created before their settlement.
    for settlement in server.all_ids("settlements").into_iter().take(60) {
        let key = server.parent_key("settlements", settlement).unwrap();
        assert_eq!(key, settlement.to_string());
        let settled = server.created_at("settlements", settlement).unwrap();
        for id in server.children("settlements", &key) {
            let at = server.created_at("settlement_transactions", id).unwrap();
            assert!(at < settled && at >= settled - chrono::Duration::days(1));
        }
    }
    // Bulk charge items: the path key is the batch code; `bulkcharge` is
    // the parent's id; created from the batch's second on.
    for batch in server.all_ids("bulk_charges").into_iter().take(60) {
        let parent: Value =
            serde_json::from_str(&server.record("bulk_charges", batch).unwrap()).unwrap();
        let code = server.parent_key("bulk_charges", batch).unwrap();
        assert_eq!(parent["batch_code"], code.as_str());
        assert!(code.starts_with("BCH_"));
        let created = server.created_at("bulk_charges", batch).unwrap();
        for id in server.children("bulk_charges", &code) {
            let item: Value =
                serde_json::from_str(&server.record("bulk_charge_items", id).unwrap()).unwrap();
            assert_eq!(item["bulkcharge"], batch);
            assert!(server.created_at("bulk_charge_items", id).unwrap() >= created);
        }
    }
    assert!(server.children("bulk_charges", "BCH_nope").is_empty());
    assert!(server.children("settlements", "1").is_empty());
    assert_eq!(server.parent_key("settlements", 1), None);
}

#[test]
fn ledger_entries_refer_to_the_records_they_stand_for() {
    // Streams of equal size: ledger entry i stands for record i of the
    // stream its model_responsible names, created in the same second.
    let server = server(5);
    let e = fake_paystack::endpoints::by_stream("balance_history")
        .unwrap()
        .1;
    let refers = e.refers.unwrap();
    let mut kinds = BTreeMap::new();
    for id in server.all_ids("balance_history") {
        let entry: Value =
            serde_json::from_str(&server.record("balance_history", id).unwrap()).unwrap();
        let kind = entry[refers.kind_field].as_str().unwrap();
        let (_, stream) = refers.streams.iter().find(|(k, _)| *k == kind).unwrap();
        let row = entry[refers.field].as_u64().unwrap();
        assert!(
            server.record(stream, row).is_some(),
            "ledger {id}: no {stream} {row}"
        );
        assert_eq!(
            server.created_at(stream, row),
            server.created_at("balance_history", id),
            "ledger {id} and {stream} {row}"
        );
        *kinds.entry(kind.to_owned()).or_insert(0) += 1;
    }
    assert_eq!(kinds.len(), refers.streams.len(), "{kinds:?}");
}

fn emails(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if (k.contains("email") && k != "email_token")
                    || k == "refunded_by"
                    || k == "initiated_by"
                    || k == "by"
                {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_owned());
                    }
                }
                out.extend(emails(x));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(emails(x))),
        _ => {}
    }
    out
}

/// A record with what is spliced in (ids, date-times, a parent's id or
/// code) masked, so that it can be compared with its fixture record.
fn masked(e: &Endpoint, v: &Value) -> Value {
    fn walk(v: &Value) -> Value {
        match v {
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => "DATE".into(),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, x)| (k.clone(), walk(x))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(walk).collect()),
            other => other.clone(),
        }
    }
    let mut v = walk(v);
    undrift(e, &mut v);
    // What a `""` stood for is gone: not compared.
    for d in e.drift.iter().filter(|d| d.kind == Kind::Empty) {
        each_at(&mut v, d.path, &mut |x| *x = "DRIFT".into());
    }
    v["id"] = "ID".into();
    if let Some(r) = e.refers {
        v[r.field] = "REF".into();
    }
    for field in e.unix_times {
        v[*field] = "UNIX".into();
    }
    for field in ["bulkcharge", "batch_code"] {
        if v.get(field).is_some() && matches!(e.stream, "bulk_charge_items" | "bulk_charges") {
            v[field] = "PARENT".into();
        }
    }
    v
}

#[test]
fn every_record_is_a_fixture_record_and_every_fixture_record_shows_up() {
    let server = server(1);
    for e in ENDPOINTS {
        let want: HashSet<String> = fixtures(e)
            .iter()
            .map(|r| masked(e, r).to_string())
            .collect();
        let ids = server.all_ids(e.stream);
        let records: Vec<Value> = ids
            .iter()
            .map(|id| serde_json::from_str(&server.record(e.stream, *id).unwrap()).unwrap())
            .collect();
        let got: HashSet<String> = records.iter().map(|r| masked(e, r).to_string()).collect();
        assert_eq!(
            got, want,
            "{}: the fixture records, every one of them",
            e.stream
        );
        let distinct = |field: &str| -> usize {
            records
                .iter()
                .map(|r| r[field].to_string())
                .collect::<HashSet<_>>()
                .len()
        };
        assert_eq!(distinct("id"), ids.len(), "{}: ids", e.stream);
        if let Some(field) = e.cursor_field {
            assert!(distinct(field) > 100, "{}: creation times", e.stream);
        }
    }
    // The quirks of the fixtures, and the drift of the table, show up.
    let quirk = |stream: &str, pick: &dyn Fn(&Value) -> bool| {
        server.all_ids(stream).iter().any(|id| {
            let r: Value = serde_json::from_str(&server.record(stream, *id).unwrap()).unwrap();
            pick(&r)
        })
    };
    assert!(quirk("transactions", &|r| r["metadata"] == ""));
    assert!(quirk("subscriptions", &|r| r["authorization"]["reusable"] == 1));
    assert!(quirk("refunds", &|r| r["fully_deducted"] == 0));
    assert!(quirk("disputes", &|r| r["attachments"] == "[]"));
    assert!(quirk("refunds", &|r| r["customer"]["metadata"] == "{}"));
    assert!(quirk("customers", &|r| r["first_name"].is_null()));
    assert!(quirk("products", &|r| r["low_stock_alert"] == 0));
    assert!(quirk("products", &|r| r["low_stock_alert"] == false));
    assert!(quirk("subaccounts", &|r| r["active"] == 1));
    assert!(quirk("subaccounts", &|r| r["percentage_charge"].is_f64()));
    assert!(quirk("transfer_recipients", &|r| r["is_deleted"] == true));
    assert!(quirk("dedicated_accounts", &|r| r["split_config"].is_string()));
    assert!(quirk("dedicated_accounts", &|r| r["split_config"].is_object()));
    assert!(quirk("balance_history", &|r| r["difference"]
        .as_i64()
        .unwrap()
        < 0));
    assert!(quirk("orders", &|r| r["customer"].is_object()));
    assert!(quirk("orders", &|r| r["metadata"].is_string()));
    assert!(quirk("orders", &|r| r["metadata"].is_object()));
    assert!(quirk("subscriptions", &|r| r["invoice_limit"].is_string()));
    assert!(quirk("transactions", &|r| r["log"]["time_spent"].is_string()));
    assert!(quirk("plans", &|r| r["subscriptions"][0]["customer"].is_u64()));
    assert!(quirk("payment_pages", &|r| r["plan"].is_u64()));
    assert!(quirk("settlement_transactions", &|r| r["message"] == ""));
    assert!(quirk("bulk_charge_items", &|r| r["transaction"].is_null()));
    assert!(quirk("bulk_charge_items", &|r| r["transaction"].is_object()));
    assert!(quirk("virtual_terminals", &|r| {
        r["paymentMethods"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));
}

#[test]
fn records_are_deterministic_per_seed() {
    let (a, b, c) = (server(7), server(7), server(8));
    for e in ENDPOINTS {
        let ids = a.all_ids(e.stream);
        let id = ids[42];
        assert_eq!(
            a.record(e.stream, id),
            b.record(e.stream, id),
            "{}",
            e.stream
        );
        assert_eq!(ids, b.all_ids(e.stream), "{}", e.stream);
        if e.parent.is_none() {
            assert_eq!(id, e.id_base + 42);
            // The seed picks each record's fixture record.
            assert!(
                ids.iter()
                    .any(|id| a.record(e.stream, *id) != c.record(e.stream, *id)),
                "{}",
                e.stream
            );
        } else {
            assert_ne!(ids, c.all_ids(e.stream), "{}", e.stream);
        }
    }
    assert_eq!(a.record("customers", 5), None);
    assert_eq!(a.record("settlement_transactions", 5), None);
}
