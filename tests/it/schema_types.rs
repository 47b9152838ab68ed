//! Records a warehouse can type: every schema property, nested objects and
//! array items included, has exactly one JSON type plus `null`, and
//! date-times are marked (issue 11; the conventions and the evidence for
//! each type are in `schemas/README.md`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};
use source_paystack::STREAMS;

/// The only properties allowed several types, matched on the end of their
/// path, each with the reason its values are genuinely free-form.
const FREE_FORM: &[(&str, &str)] = &[(
    "metadata.custom_fields[].value",
    "set by the merchant, not by Paystack: Paystack's metadata guide shows \
     `value` holding both 209 and \"3 bananas, 12 mangoes\"",
)];

fn free_form(path: &str) -> bool {
    FREE_FORM.iter().any(|(suffix, _)| path.ends_with(suffix))
}

/// The schema files, by stream name, read from `schemas/`.
fn schema_files() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas");
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

/// What is wrong with the types of `schema`'s properties, one line each.
fn type_violations(stream: &str, schema: &Value) -> Vec<String> {
    let mut props = vec![];
    properties(schema, stream, &mut props);
    let mut out = vec![];
    for (path, prop) in props {
        let Some(types) = prop.get("type").and_then(Value::as_array) else {
            out.push(format!("{path}: `type` is not a list"));
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
        if non_null.len() != 1 && !free_form(&path) {
            out.push(format!("{path}: {}", non_null.join("|")));
        }
    }
    out
}

#[test]
fn every_property_has_one_type_plus_null() {
    let files = schema_files();
    assert_eq!(files.len(), STREAMS.len());
    let violations: Vec<String> = files
        .iter()
        .flat_map(|(name, schema)| type_violations(name, schema))
        .collect();
    assert!(
        violations.is_empty(),
        "{} properties without exactly one type plus null (see schemas/README.md):\n{}",
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
            "s.any: `type` is not a list",
            "s.customer.metadata: object|string",
            "s.lines[]: object|string",
            "s.note: `type` is not a list",
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
