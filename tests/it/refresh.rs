//! `refresh_window_days` and `stream_refresh_days`: a config without them
//! reads exactly as before; with them, this version says that it re-reads
//! only the lookback.

use serde_json::{Value, json};

use crate::support::*;

/// The binary's `read` of `customers` from the fake at `uri` with `config`
/// and a saved cursor of 2024-06-01: its records and states (without their
/// `emitted_at`), and its stderr.
async fn read_from_june(uri: String, config: Value) -> (Vec<Value>, String) {
    let files = Files::new();
    let config = files.config(config);
    let catalog = files.catalog(&[("customers", "incremental")]);
    let state = files.state(r#"{"customers":{"createdAt":"2024-06-01T00:00:00.000Z"}}"#);
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .arg("read")
            .arg("--config")
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog)
            .arg("--state")
            .arg(&state)
            .env("PAYSTACK_API_URL", uri)
            .env("SOURCE_PAYSTACK_NOW", "2024-07-01T00:00:00Z")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let kept = lines(&out)
        .into_iter()
        .filter(|m| m["type"] == "RECORD" || m["type"] == "STATE")
        .map(|mut m| {
            if let Some(record) = m.get_mut("record").and_then(Value::as_object_mut) {
                record.remove("emitted_at");
            }
            m
        })
        .collect();
    (kept, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_window_changes_no_output_and_says_that_only_the_lookback_is_re_read() {
    let server = fake_with(|o| o.records = [("customers", 40)].into()).await;
    let base = json!({"secret_key": KEY, "start_date": "2024-01-01T00:00:00Z",
        "lookback_window_days": 2, "requests_per_minute": 100000});
    let (without, quiet) = read_from_june(server.uri(), base.clone()).await;
    assert!(!quiet.contains("refresh window"), "{quiet}");
    assert!(without.iter().any(|m| m["type"] == "STATE"), "{without:?}");
    let mut with = base.clone();
    with["refresh_window_days"] = json!(30);
    with["stream_refresh_days"] = json!({"subscriptions": 7});
    let (refreshed, stderr) = read_from_june(server.uri(), with).await;
    assert_eq!(refreshed, without, "the same records and states");
    assert!(
        stderr.contains(
            "The config gives customers a refresh window of 30 days, but this version of the \
             connector re-reads only the lookback: records created before \
             2024-05-30T00:00:00.000Z are not re-read. To keep them fresh, raise the stream's \
             lookback (stream_lookback_days) or run a full refresh."
        ),
        "{stderr}"
    );
}
