//! Records a warehouse can type: every schema property, nested objects and
//! array items included, has exactly one JSON type plus `null`, or none at
//! all (untyped: it lands as JSON); date-times are marked; and each type is
//! the one the public samples show (the conventions and the evidence are in
//! `schemas/README.md`, the evidence per property in
//! `schemas/evidence/types.json`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};
use source_paystack::STREAMS;

/// The only untyped properties the samples fill, matched on the end of
/// their path, each with the reason its values are genuinely free-form.
const FREE_FORM: &[(&str, &str)] = &[(
    "metadata.custom_fields[].value",
    "set by the merchant, not by Paystack: Paystack's metadata guide shows \
     `value` holding both 209 and \"3 bananas, 12 mangoes\"",
)];

fn free_form(path: &str) -> bool {
    FREE_FORM.iter().any(|(suffix, _)| path.ends_with(suffix))
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The schema files, by stream name, read from `schemas/`.
fn schema_files() -> Vec<(String, Value)> {
    let dir = manifest_dir().join("schemas");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let schema =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, schema)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Every property under `node`, nested objects and array items included,
/// with its path: `transactions.log.history[].time`.
fn properties<'a>(node: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let p = format!("{path}.{name}");
            out.push((p.clone(), prop));
            properties(prop, &p, out);
        }
    }
    if let Some(items) = node.get("items") {
        let p = format!("{path}[]");
        out.push((p.clone(), items));
        properties(items, &p, out);
    }
}

/// What is wrong with the types of `schema`'s properties, one line each: a
/// property is untyped (`{}`) or has one type plus `null`, never a union.
fn type_violations(stream: &str, schema: &Value) -> Vec<String> {
    let mut props = vec![];
    properties(schema, stream, &mut props);
    let mut out = vec![];
    for (path, prop) in props {
        if prop.as_object().is_some_and(|o| o.is_empty()) {
            continue;
        }
        let Some(types) = prop.get("type").and_then(Value::as_array) else {
            out.push(format!("{path}: `type` is not a list (untyped is `{{}}`)"));
            continue;
        };
        if !types.contains(&json!("null")) {
            out.push(format!("{path}: not nullable"));
        }
        let non_null: Vec<&str> = types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect();
        if non_null.len() != 1 {
            out.push(format!("{path}: {}", non_null.join("|")));
        }
    }
    out
}

#[test]
fn every_property_is_untyped_or_has_one_type_plus_null() {
    let files = schema_files();
    assert_eq!(files.len(), STREAMS.len());
    let violations: Vec<String> = files
        .iter()
        .flat_map(|(name, schema)| type_violations(name, schema))
        .collect();
    assert!(
        violations.is_empty(),
        "{} properties neither untyped nor of one type plus null (see schemas/README.md):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn the_check_sees_unions_nested_in_objects_and_array_items() {
    let schema = json!({
        "type": "object",
        "properties": {
            "id": {"type": ["null", "integer"]},
            "paid": {"type": ["null", "boolean", "integer"]},
            "customer": {
                "type": ["null", "object"],
                "properties": {"metadata": {"type": ["null", "object", "string"]}}
            },
            "lines": {
                "type": ["null", "array"],
                "items": {"type": ["null", "object", "string"]}
            },
            "note": {"type": "string"},
            "any": {},
            "loose": {"description": "no type"},
            "metadata": {
                "type": ["null", "object"],
                "properties": {"custom_fields": {
                    "type": ["null", "array"],
                    "items": {
                        "type": ["null", "object"],
                        "properties": {"value": {"type": ["null", "string", "number"]}}
                    }
                }}
            }
        }
    });
    assert_eq!(
        type_violations("s", &schema),
        vec![
            "s.customer.metadata: object|string",
            "s.lines[]: object|string",
            "s.loose: `type` is not a list (untyped is `{}`)",
            "s.metadata.custom_fields[].value: string|number",
            "s.note: `type` is not a list (untyped is `{}`)",
            "s.paid: boolean|integer",
        ]
    );
}

#[test]
fn every_free_form_entry_is_justified_and_still_needed() {
    let files = schema_files();
    for (suffix, why) in FREE_FORM {
        assert!(why.len() > 20, "{suffix}: say why its values are free-form");
        let used = files.iter().any(|(name, schema)| {
            let mut props = vec![];
            properties(schema, name, &mut props);
            props.iter().any(|(path, _)| path.ends_with(suffix))
        });
        assert!(used, "{suffix} matches no property: remove it");
    }
}

#[test]
fn the_files_checked_are_the_schemas_discover_offers() {
    let files = schema_files();
    let names: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let streams: BTreeSet<&str> = STREAMS.iter().map(|d| d.name).collect();
    assert_eq!(names, streams);
    for def in STREAMS {
        let compiled: Value = serde_json::from_str(def.schema).unwrap();
        let file = &files.iter().find(|(n, _)| n == def.name).unwrap().1;
        assert_eq!(&compiled, file, "{}", def.name);
    }
}

#[test]
fn date_time_strings_are_marked() {
    let mut unmarked = vec![];
    for (name, schema) in schema_files() {
        let mut props = vec![];
        properties(&schema, &name, &mut props);
        for (path, prop) in props {
            let field = path.rsplit('.').next().unwrap().trim_end_matches("[]");
            let dated = field.ends_with("At") || field.ends_with("_at") || field.ends_with("_date");
            let string = prop["type"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("string")));
            if dated && string && prop["format"] != "date-time" {
                unmarked.push(path);
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "date-times without format: {unmarked:?}"
    );
}

/// The type a property declares, as `schemas/evidence/types.json` names it:
/// `untyped`, `date-time` for a marked string, else the JSON type.
fn declared(prop: &Value) -> String {
    match prop.get("type").and_then(Value::as_array) {
        None => "untyped".into(),
        Some(types) => {
            let named: Vec<&str> = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            match named.as_slice() {
                ["string"] if prop["format"] == "date-time" => "date-time".into(),
                [one] => (*one).into(),
                _ => named.join("|"),
            }
        }
    }
}

/// Every declared type is the one the samples show, as recorded with the
/// sample it rests on in `schemas/evidence/types.json` (written by
/// `scripts/schema_evidence.py`): a property no sample shows filled is
/// untyped, and a type changed without evidence fails here.
#[test]
fn every_type_is_the_one_its_evidence_shows() {
    let path = manifest_dir().join("schemas/evidence/types.json");
    let ledger: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut wrong = vec![];
    let mut checked = 0;
    for (name, schema) in schema_files() {
        let mut props = vec![];
        properties(&schema, "", &mut props);
        let entries = ledger[&name]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: no evidence in {}", path.display()));
        let paths: BTreeSet<&str> = props.iter().map(|(p, _)| &p[1..]).collect();
        for extra in entries.keys().filter(|k| !paths.contains(k.as_str())) {
            wrong.push(format!(
                "{name}.{extra}: evidence for a property the schema lacks"
            ));
        }
        for (p, prop) in &props {
            checked += 1;
            let p = &p[1..];
            let ty = declared(prop);
            match entries.get(p).and_then(Value::as_array).map(Vec::as_slice) {
                Some([Value::String(shown), Value::String(why)]) if !why.is_empty() => {
                    if *shown != ty {
                        wrong.push(format!(
                            "{name}.{p}: declared {ty}, the samples show {shown} ({why})"
                        ));
                    }
                }
                _ => wrong.push(format!(
                    "{name}.{p}: declared {ty}, with no evidence recorded"
                )),
            }
        }
    }
    assert!(checked > 1000, "{checked} properties");
    assert!(
        wrong.is_empty(),
        "{} properties whose type is not the one the samples show \
         (schemas/README.md, \"Evidence for the types\"):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Whether `value` (not null) is of the JSON type `ty` (as [`declared`]
/// names it).
fn is_of(ty: &str, value: &Value) -> bool {
    match ty {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "string" | "date-time" => value.is_string(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => true,
    }
}

/// Every value under `value` with its path, as [`properties`] writes them.
fn values<'a>(value: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{path}.{k}");
                out.push((p.clone(), v));
                values(v, &p, out);
            }
        }
        Value::Array(items) => {
            let p = format!("{path}[]");
            for v in items {
                out.push((p.clone(), v));
                values(v, &p, out);
            }
        }
        _ => {}
    }
}

/// The fixtures (what the fake Paystack serves) hold only what the samples
/// show: a value of its property's type where the property is typed, and
/// nothing but `null` where no sample fills it (untyped), except the
/// free-form values.
#[test]
fn fixtures_fill_typed_properties_with_their_type_and_leave_untyped_ones_empty() {
    let dir = manifest_dir().join("tests/fixtures/records");
    let mut wrong = BTreeSet::new();
    for (name, schema) in schema_files() {
        let mut props = vec![];
        properties(&schema, &name, &mut props);
        let types: std::collections::BTreeMap<String, String> = props
            .iter()
            .map(|(p, prop)| (p.clone(), declared(prop)))
            .collect();
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let records: Vec<Value> = serde_json::from_str(&text).unwrap();
        for record in &records {
            let mut found = vec![];
            values(record, &name, &mut found);
            for (path, value) in found {
                let Some(ty) = types.get(&path) else { continue };
                if value.is_null() {
                    continue;
                }
                if ty == "untyped" && !free_form(&path) {
                    wrong.insert(format!(
                        "{path}: untyped (no sample fills it), the fixture has {value}"
                    ));
                } else if !is_of(ty, value) {
                    wrong.insert(format!("{path}: {ty}, the fixture has {value}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
}
