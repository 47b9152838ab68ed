//! Generated records have the real shape: they validate against the
//! connector's schemas and carry the fields of its realistic fixtures.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use fake_paystack::{ENDPOINTS, FakePaystack, Options};
use serde_json::Value;

fn repo_file(rel: &str) -> Value {
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

#[test]
fn every_record_validates_against_its_schema_and_has_the_fixture_fields() {
    let server = server(1);
    for e in ENDPOINTS {
        let schema = repo_file(&format!("schemas/{}.json", e.stream));
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let fixtures = repo_file(&format!("tests/fixtures/records/{}.json", e.stream));
        let fixture_keys = keys(&fixtures[0]);
        server.insert_now(e.stream, INSERTED);
        let ids = server.all_ids(e.stream);
        assert_eq!(ids.len() as u64, PER_STREAM + INSERTED);
        for id in ids {
            let text = server.record(e.stream, id).unwrap();
            let record: Value = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{} {id} is not JSON ({err}): {text}", e.stream));
            let errors: Vec<String> = validator
                .iter_errors(&record)
                .map(|err| format!("{} at {}", err, err.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{} {id}: {errors:?}\n{text}", e.stream);
            assert_eq!(keys(&record), fixture_keys, "{} {id} fields", e.stream);
            assert_eq!(record["id"], id, "{}", e.stream);
            let created = server.created_at(e.stream, id).unwrap();
            let want = created.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            assert_eq!(record[e.cursor_field], want.as_str(), "{} {id}", e.stream);
            if e.stream == "transactions" {
                assert_eq!(record["created_at"], record["createdAt"]);
                assert!(id > u64::from(u32::MAX));
            }
            if e.stream == "invoices" {
                assert!(record.get("createdAt").is_none());
            }
            // Emails only ever at example.com.
            for email in emails(&record) {
                assert!(email.ends_with("@example.com"), "{email}");
            }
        }
    }
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

#[test]
fn records_vary_like_real_data() {
    let server = server(1);
    for e in ENDPOINTS {
        let records: Vec<Value> = server
            .all_ids(e.stream)
            .iter()
            .map(|id| serde_json::from_str(&server.record(e.stream, *id).unwrap()).unwrap())
            .collect();
        let distinct = |field: &str| -> usize {
            records
                .iter()
                .map(|r| r[field].to_string())
                .collect::<HashSet<_>>()
                .len()
        };
        if e.stream != "customers" {
            assert!(distinct("status") >= 3, "{} statuses", e.stream);
        }
        let amount = match e.stream {
            "customers" => "email",
            "settlements" => "total_amount",
            "subscriptions" => "subscription_code",
            "disputes" => "transaction",
            _ => "amount",
        };
        assert!(distinct(amount) > 100, "{} {amount}", e.stream);
    }
    // The quirks of the fixtures show up.
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
}

#[test]
fn records_are_deterministic_per_seed() {
    let (a, b, c) = (server(7), server(7), server(8));
    for e in ENDPOINTS {
        let id = e.id_base + 42;
        assert_eq!(
            a.record(e.stream, id),
            b.record(e.stream, id),
            "{}",
            e.stream
        );
        assert_ne!(
            a.record(e.stream, id),
            c.record(e.stream, id),
            "{}",
            e.stream
        );
    }
    assert_eq!(a.record("customers", 5), None);
}
