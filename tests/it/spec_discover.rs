//! `spec` and `discover`.

use fake_paystack::FakePaystack;
use serde_json::{Value, json};
use source_paystack::STREAMS;
use source_paystack::cli::Command;

use crate::support::*;

fn walk<'a>(schema: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            out.push((format!("{path}.{k}"), v));
            walk(v, format!("{path}.{k}"), out);
        }
    }
    if let Some(items) = schema.get("items") {
        walk(items, format!("{path}[]"), out);
    }
}

#[tokio::test]
async fn spec_is_a_valid_draft7_schema_that_hides_the_key() {
    let server = fake_with(|_| {}).await;
    let out = run(Command::Spec, &settings(&server, 1)).await;
    assert_eq!(out.code, 0);
    assert_eq!(out.messages.len(), 1);
    let spec = &out.messages[0]["spec"];
    let conn = &spec["connectionSpecification"];
    assert!(
        jsonschema::draft7::meta::is_valid(conn),
        "not a Draft-7 schema"
    );
    assert_eq!(conn["properties"]["secret_key"]["airbyte_secret"], true);
    assert_eq!(conn["additionalProperties"], true);
    assert_eq!(conn["required"], json!(["secret_key", "start_date"]));
    assert_eq!(conn["properties"]["lookback_window_days"]["default"], 0);
    assert_eq!(conn["properties"]["lookback_window_days"]["minimum"], 0);
    assert_eq!(conn["properties"]["start_date"]["format"], "date-time");
    assert!(spec["documentationUrl"].is_string());
    // Acceptance-test rules (CAT's spec suite): one type; no forbidden
    // keywords; every secret-like field, and only those, marked secret.
    for (name, prop) in conn["properties"].as_object().unwrap() {
        assert!(prop["type"].is_string(), "{name} has one type");
        for kw in ["$ref", "allOf", "anyOf", "oneOf", "not"] {
            assert!(prop.get(kw).is_none(), "{name} uses {kw}");
        }
        let secret_like = ["key", "secret", "token", "password"]
            .iter()
            .any(|w| name.contains(w));
        assert_eq!(prop["airbyte_secret"] == true, secret_like, "{name}");
    }
    insta::assert_json_snapshot!("spec", spec);
}

#[tokio::test]
async fn an_airbyte_config_passes_our_spec_and_so_do_the_samples() {
    let spec: Value = serde_json::from_str(source_paystack::app::SPEC).unwrap();
    let validator = jsonschema::draft7::new(&spec["connectionSpecification"]).unwrap();
    let airbyte = json!({"secret_key": "sk_live_abc123", "start_date": "2017-01-25T00:00:00Z", "lookback_window_days": 0});
    assert!(validator.is_valid(&airbyte));
    let sample: Value =
        serde_json::from_str(include_str!("../../sample_files/config.json")).unwrap();
    assert!(validator.is_valid(&sample));
    let invalid: Value =
        serde_json::from_str(include_str!("../../integration_tests/invalid_config.json")).unwrap();
    assert!(!validator.is_valid(&invalid));
}

/// `discover` with the default config: its one message, and the server it
/// could have asked.
async fn discover() -> (Output, FakePaystack) {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let config = files.default_config(0);
    let out = run(Command::Discover { config }, &settings(&server, 1)).await;
    assert_eq!(out.code, 0, "{}", out.text);
    assert_eq!(out.messages.len(), 1);
    (out, server)
}

#[tokio::test]
async fn discover_lists_every_stream_with_keys_and_cursors() {
    let (out, server) = discover().await;
    assert!(server.stats().requests == 0, "discover makes no request");
    let streams = out.messages[0]["catalog"]["streams"].as_array().unwrap();
    let names: Vec<&str> = streams
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let airbyte: Vec<&str> =
        "customers disputes invoices refunds settlements subscriptions transactions transfers"
            .split(' ')
            .collect();
    assert_eq!(
        names[..8],
        airbyte,
        "Airbyte's eight come first, as they were"
    );
    assert_eq!(
        names,
        STREAMS.iter().map(|d| d.name).collect::<Vec<_>>(),
        "every row of the table, in its order"
    );
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "unique stream names");
    // The eight keep Airbyte's cursors and keys, so states carry over.
    for s in &streams[..8] {
        let name = s["name"].as_str().unwrap();
        let cursor = if name == "invoices" {
            "created_at"
        } else {
            "createdAt"
        };
        assert_eq!(s["default_cursor_field"], json!([cursor]), "{name}");
        assert_eq!(s["source_defined_primary_key"], json!([["id"]]), "{name}");
    }
    for s in streams {
        let name = s["name"].as_str().unwrap();
        let schema = &s["json_schema"];
        // Streams without a creation-time filter are full refresh only.
        if def(name).cursor_field().is_none() {
            assert_eq!(s["supported_sync_modes"], json!(["full_refresh"]), "{name}");
            assert_eq!(s["default_cursor_field"], json!([]), "{name}");
            assert_eq!(s["source_defined_cursor"], false, "{name}");
        } else {
            assert_eq!(
                s["supported_sync_modes"],
                json!(["full_refresh", "incremental"]),
                "{name}"
            );
            assert_eq!(s["source_defined_cursor"], true, "{name}");
            assert_eq!(s["is_resumable"], true, "{name}");
            let cursor = s["default_cursor_field"][0].as_str().unwrap();
            assert!(
                schema["properties"][cursor].is_object(),
                "{name} lacks {cursor}"
            );
        }
        // CAT's discovery suite: each key is in the schema, and a scalar.
        for key in s["source_defined_primary_key"].as_array().unwrap() {
            let mut node = schema;
            for part in key.as_array().unwrap() {
                node = &node["properties"][part.as_str().unwrap()];
            }
            assert!(node.is_object(), "{name} lacks key {key}");
            let types = node["type"].as_array().unwrap();
            assert!(
                !types.contains(&json!("object")) && !types.contains(&json!("array")),
                "{name}: key {key} is {types:?}"
            );
        }
        assert_eq!(
            schema,
            &schema_file(name),
            "{name}: discover emits schemas/{name}.json as it is"
        );
        assert!(
            jsonschema::draft7::meta::is_valid(schema),
            "{name}: not Draft 7"
        );
        assert_eq!(schema["additionalProperties"], true, "{name}");
        assert_eq!(
            schema["properties"]["id"]["type"],
            json!(["null", "integer"]),
            "{name}"
        );
        let text = schema.to_string();
        for kw in ["\"$ref\"", "\"allOf\"", "\"not\"", "\"anyOf\"", "\"oneOf\""] {
            assert!(!text.contains(kw), "{name} uses {kw}");
        }
        let mut props = vec![];
        walk(schema, name.to_owned(), &mut props);
        for (path, prop) in props {
            // Untyped (`{}`, no sample shows its type): a JSON column.
            if prop.as_object().is_some_and(|o| o.is_empty()) {
                continue;
            }
            let types = prop["type"]
                .as_array()
                .unwrap_or_else(|| panic!("{path}: type is not a list"));
            assert!(types.contains(&json!("null")), "{path} is not nullable");
            assert!(
                !types.contains(&json!("number")) || !path.ends_with(".id"),
                "{path}: ids are integers"
            );
        }
    }
    // The schemas are compared with their files above; the snapshot holds
    // the rest of each entry, with the schema's file in its place.
    let mut message = out.messages[0].clone();
    for s in message["catalog"]["streams"].as_array_mut().unwrap() {
        s["json_schema"] = json!(format!("schemas/{}.json", s["name"].as_str().unwrap()));
    }
    insta::assert_json_snapshot!("discover", message);
}

/// The stream's schema file, read from `schemas/`.
fn schema_file(name: &str) -> Value {
    let path = format!("{}/schemas/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fixtures hold each value in its schema's type; the schemas have one
/// type per field, so the drift Paystack sends does not validate as sent:
/// the connector converts it (`src/normalise.rs`).
#[tokio::test]
async fn fixtures_match_their_schemas_and_the_schemas_reject_drift() {
    for def in STREAMS {
        let schema: Value = serde_json::from_str(def.schema).unwrap();
        let v = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        for r in &fixtures(def.name) {
            let errs: Vec<String> = v.iter_errors(r).map(|e| e.to_string()).collect();
            assert!(errs.is_empty(), "{}: {errs:?}", def.name);
        }
    }
    let tx: Value = serde_json::from_str(def("transactions").schema).unwrap();
    let v = jsonschema::validator_for(&tx).unwrap();
    for metadata in [json!({}), json!({"a": 1}), Value::Null] {
        assert!(
            v.is_valid(&json!({"id": 4099260516u64, "metadata": metadata})),
            "{metadata}"
        );
    }
    for metadata in [json!(""), json!("{}"), json!([])] {
        assert!(
            !v.is_valid(&json!({"id": 4099260516u64, "metadata": metadata})),
            "{metadata}"
        );
    }
    assert!(!v.is_valid(&json!({"id": 1.5})), "ids are integers");
    assert!(
        !v.is_valid(&json!({"id": "4099260516"})),
        "ids are integers"
    );
    let subs: Value = serde_json::from_str(def("subscriptions").schema).unwrap();
    let v = jsonschema::validator_for(&subs).unwrap();
    assert!(v.is_valid(&json!({"authorization": {"reusable": true}})));
    assert!(!v.is_valid(&json!({"authorization": {"reusable": 1}})));
}

#[tokio::test]
async fn discover_rejects_a_bad_config() {
    let server = fake_with(|_| {}).await;
    let files = Files::new();
    let config = files.config(json!({"secret_key": "nope", "start_date": "2020-01-01T00:00:00Z"}));
    let out = run(Command::Discover { config }, &settings(&server, 1)).await;
    assert_eq!(out.code, 1);
    let errors = out.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["failure_type"], "config_error");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("secret_key")
    );
    assert!(out.of_type("CATALOG").is_empty());
}

/// The catalogs shipped for users and for Airbyte's tests hold one entry per
/// stream of the table, in its order, each the one [`catalog_entry`] derives
/// from `discover`: a stream added to `STREAMS` without its entry fails here,
/// giving the file and the entry to add.
#[tokio::test]
async fn the_shipped_catalogs_follow_the_stream_table() {
    let (out, _) = discover().await;
    let discovered = out.messages[0]["catalog"]["streams"].as_array().unwrap();
    // They answer only when the feature is enabled for the business (see
    // acceptance-test-config.yml).
    let left_out_of_acceptance = ["dedicated_accounts", "terminals", "virtual_terminals"];
    let files = [
        (
            "sample_files/configured_catalog.json",
            include_str!("../../sample_files/configured_catalog.json"),
            &[][..],
        ),
        (
            "integration_tests/configured_catalog.json",
            include_str!("../../integration_tests/configured_catalog.json"),
            &left_out_of_acceptance[..],
        ),
    ];
    for (file, text, left_out) in files {
        let catalog: Value = serde_json::from_str(text).unwrap();
        let entries = catalog["streams"].as_array().unwrap();
        let expected: Vec<Value> = discovered
            .iter()
            .filter(|d| !left_out.contains(&d["name"].as_str().unwrap()))
            .map(catalog_entry)
            .collect();
        for (i, want) in expected.iter().enumerate() {
            let name = &want["stream"]["name"];
            assert_eq!(
                entries.get(i),
                Some(want),
                "{file}: entry {i} must be {name}'s, in the order of STREAMS; \
                 put this one there:\n{}",
                serde_json::to_string_pretty(want).unwrap()
            );
        }
        assert_eq!(
            entries.len(),
            expected.len(),
            "{file} lists streams that are not in STREAMS after the last one: \
             remove them"
        );
    }
}

/// The configured-catalog entry of a `discover` entry: every stream
/// incremental where it can be, appended, its schema left empty.
fn catalog_entry(discovered: &Value) -> Value {
    let incremental = discovered["supported_sync_modes"] != json!(["full_refresh"]);
    let mut stream = discovered.clone();
    stream["json_schema"] = json!({});
    let object = stream.as_object_mut().unwrap();
    object.remove("is_resumable");
    let mut entry = json!({
        "stream": stream,
        "sync_mode": if incremental { "incremental" } else { "full_refresh" },
        "primary_key": discovered["source_defined_primary_key"],
        "destination_sync_mode": "append",
    });
    if incremental {
        entry["cursor_field"] = discovered["default_cursor_field"].clone();
    }
    entry
}

/// The states shipped for Airbyte's acceptance tests (a state to resume from,
/// and one in the far future) hold one entry per stream with a cursor, in the
/// table's order, keyed by its cursor field, all at the file's one date: a
/// stream added to `STREAMS` without its entry fails here, giving the file
/// and the entry to add.
#[test]
fn the_shipped_states_follow_the_stream_table() {
    let files = [
        (
            "integration_tests/sample_state.json",
            include_str!("../../integration_tests/sample_state.json"),
        ),
        (
            "integration_tests/abnormal_state.json",
            include_str!("../../integration_tests/abnormal_state.json"),
        ),
    ];
    for (file, text) in files {
        let state: Value = serde_json::from_str(text).unwrap();
        let entries = state.as_array().unwrap();
        let first = &entries[0]["stream"]["stream_state"];
        let date = first.as_object().unwrap().values().next().unwrap();
        let expected: Vec<Value> = STREAMS
            .iter()
            .filter_map(|d| Some((d.name, d.cursor_field()?)))
            .map(|(name, cursor)| {
                json!({"type": "STREAM", "stream": {
                    "stream_descriptor": {"name": name},
                    "stream_state": {cursor: date},
                }})
            })
            .collect();
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(
                entries.get(i),
                Some(want),
                "{file}: entry {i} must be {}'s, in the order of STREAMS; put this one there:\n{want}",
                want["stream"]["stream_descriptor"]["name"]
            );
        }
        assert_eq!(
            entries.len(),
            expected.len(),
            "{file} lists streams after the last stream with a cursor: remove them"
        );
    }
}
